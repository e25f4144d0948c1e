import { useSystem } from '../../api/system';
import { formatTime } from '../../components/format';
import { ErrorState, Loading } from '../../components/states';
import { AllStats } from './all-stats';
import { CounterCards } from './counter-cards';
import { StatsCharts } from './stats-charts';
import { SystemPanel } from './system-panel';
import { useLiveStats } from './use-live-stats';

export default function OverviewPage() {
  const system = useSystem();
  const { stats, history, lastTick } = useLiveStats();
  const updatedAt = lastTick ?? (stats.dataUpdatedAt || null);

  return (
    <div className="page">
      <header className="page-header">
        <h1>Overview</h1>
        {updatedAt && (
          <p className="muted small" data-testid="stats-updated" data-at={updatedAt}>
            Figures as of {formatTime(updatedAt)}
          </p>
        )}
      </header>

      {stats.isError ? (
        <ErrorState title="Could not load the statistics" error={stats.error} onRetry={() => void stats.refetch()} />
      ) : (
        <CounterCards stats={stats.data} />
      )}

      <div className="overview-grid">
        <div className="overview-main">
          <h2 className="section-title">Last hour</h2>
          {history.isPending ? (
            <Loading label="Loading the last hour…" />
          ) : history.isError ? (
            <ErrorState title="Could not load the history" error={history.error} onRetry={() => void history.refetch()} />
          ) : (
            <StatsCharts history={history.data} latest={stats.data} />
          )}
          {stats.data && <AllStats stats={stats.data} />}
        </div>
        <aside className="overview-side">
          {system.isPending ? (
            <Loading label="Loading system information…" />
          ) : system.isError ? (
            <ErrorState title="Could not load system information" error={system.error} onRetry={() => void system.refetch()} />
          ) : (
            <SystemPanel system={system.data} />
          )}
        </aside>
      </div>
    </div>
  );
}
