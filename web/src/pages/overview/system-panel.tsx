import { useEffect, useState } from 'react';
import type { SystemInfo } from '../../api/types';
import { formatDateTime, formatDuration } from '../../components/format';

const BACKENDS: Record<string, string> = {
  pglite: 'Embedded PostgreSQL (PGlite)',
  postgres: 'PostgreSQL server',
};

/** What this appliance is and where it listens. */
export function SystemPanel({ system }: { system: SystemInfo }) {
  const uptime = useUptime(system);
  return (
    <section className="card system-panel" aria-labelledby="system-title">
      <h2 id="system-title" className="card-title">
        System
      </h2>
      <dl className="props">
        <dt>Version</dt>
        <dd>
          {system.name} {system.version}
          {system.role ? <span className="muted"> · {system.role}</span> : null}
        </dd>
        <dt>Uptime</dt>
        <dd title={`Started ${formatDateTime(system.startedAt)}`}>{formatDuration(uptime)}</dd>
        <dt>Database</dt>
        <dd>
          {BACKENDS[system.database.backend] ?? system.database.backend}
          <div className="muted small mono break">{system.database.location}</div>
        </dd>
        <dt>SIP authentication</dt>
        <dd>
          {system.auth ? (
            <span className="pill pill-ok">On · digest</span>
          ) : (
            <span className="pill pill-warn">Off · open lab mode</span>
          )}
        </dd>
        <dt>Domains</dt>
        <dd>
          {system.domains.length === 0 ? (
            <span className="muted">Every domain is local (SIP_DOMAINS not set)</span>
          ) : (
            <ul className="inline-list">
              {system.domains.map((d) => (
                <li key={d} className="mono">
                  {d}
                </li>
              ))}
            </ul>
          )}
        </dd>
      </dl>

      <h3 className="subhead">Listeners</h3>
      {system.listeners.length === 0 ? (
        <p className="text-error">No listener is open: the appliance cannot receive traffic.</p>
      ) : (
        <table className="simple-table" aria-label="Listeners">
          <thead>
            <tr>
              <th scope="col">Protocol</th>
              <th scope="col">Transport</th>
              <th scope="col">Address</th>
              <th scope="col" className="num">
                Port
              </th>
            </tr>
          </thead>
          <tbody>
            {system.listeners.map((l) => (
              <tr key={`${l.protocol}-${l.transport}-${l.address}-${l.port}`}>
                <td>{l.protocol.toUpperCase()}</td>
                <td>{l.transport.toUpperCase()}</td>
                <td className="mono">{l.address}</td>
                <td className="mono num">{l.port}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Seconds since start, ticking locally between fetches. */
function useUptime(system: SystemInfo): number {
  const started = Date.parse(system.startedAt);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(t);
  }, []);
  return Number.isNaN(started) ? system.uptimeSec : (now - started) / 1000;
}
