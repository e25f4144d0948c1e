import type { StatsSnapshot } from '../../api/types';
import { formatNumber } from '../../components/format';
import { EmptyState } from '../../components/states';
import { moduleLabel, sortedModules, statLabel } from './stat-labels';

/** Every statistic every module reports, by module: nothing hidden. */
export function AllStats({ stats }: { stats: StatsSnapshot }) {
  const modules = sortedModules(stats).filter((m) => Object.keys(stats[m] ?? {}).length > 0);
  return (
    <section className="card" aria-labelledby="all-stats-title">
      <h2 id="all-stats-title" className="card-title">
        All statistics
      </h2>
      {modules.length === 0 ? (
        <EmptyState title="No statistics reported yet" hint="Each engine registers its statistics when it starts." />
      ) : (
        <div className="stats-modules">
          {modules.map((m) => (
            <table key={m} className="simple-table" aria-label={moduleLabel(m)}>
              <caption>
                {moduleLabel(m)}
                {moduleLabel(m) !== m && <span className="muted mono small"> {m}</span>}
              </caption>
              <tbody>
                {Object.keys(stats[m]!)
                  .sort()
                  .map((name) => (
                    <tr key={name}>
                      <th scope="row" title={`${m}.${name}`}>
                        {statLabel(m, name)}
                      </th>
                      <td className="num mono">{formatNumber(stats[m]![name])}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          ))}
        </div>
      )}
    </section>
  );
}
