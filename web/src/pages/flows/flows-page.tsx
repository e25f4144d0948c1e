import { useQueryClient } from '@tanstack/react-query';
import { useSystem } from '../../api/system';
import { formatBytes } from '../../components/format';
import { createTrailingThrottle, useLiveEvent } from '../registrations/use-live-event';
import { flowsKey, useCloseFlow, useFlows, type FlowRow } from './flows-api';
import { useEffect, useMemo } from 'react';

const FLOW_EVENTS = ['flow.opened', 'flow.silent', 'flow.closed'] as const;

function age(sec: number): string {
  if (sec < 60) return `${sec}s`;
  if (sec < 3600) return `${Math.floor(sec / 60)}m ${sec % 60}s`;
  return `${Math.floor(sec / 3600)}h ${Math.floor((sec % 3600) / 60)}m`;
}

/**
 * The edge's flows (role: edge, RFC 5626 §5): who registered over each
 * connection or UDP 5-tuple, its keep-alives and traffic, live from the
 * flow.* events, with a control to close one.
 */
export default function FlowsPage() {
  const role = useSystem().data?.role;
  const flows = useFlows();
  const close = useCloseFlow();
  const qc = useQueryClient();
  const refresh = useMemo(() => createTrailingThrottle(250, () => void qc.invalidateQueries({ queryKey: flowsKey })), [qc]);
  useEffect(() => () => refresh.cancel(), [refresh]);
  useLiveEvent(FLOW_EVENTS[0], () => refresh.schedule());
  useLiveEvent(FLOW_EVENTS[1], () => refresh.schedule());
  useLiveEvent(FLOW_EVENTS[2], () => refresh.schedule());
  const rows: FlowRow[] = flows.data ?? [];

  return (
    <div className="page">
      <header className="page-header">
        <h1>Flows</h1>
      </header>
      {role !== undefined && role !== 'edge' && (
        <p className="banner">This appliance runs as a {role}; flows are kept by an appliance with role: edge.</p>
      )}
      {flows.isError && <p className="banner banner-error">Could not load flows.</p>}
      <table className="simple-table" aria-label="Flows">
        <thead>
          <tr>
            <th>AoR</th>
            <th>Instance</th>
            <th>reg-id</th>
            <th>Transport</th>
            <th>Peer</th>
            <th>Age</th>
            <th>Last keep-alive</th>
            <th>Keep-alives</th>
            <th>Requests in/out</th>
            <th>Bytes in/out</th>
            <th>State</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={12}>{flows.isLoading ? 'Loading…' : 'No flows'}</td>
            </tr>
          )}
          {rows.map((f) => (
            <tr key={f.id} data-flow-id={f.id}>
              <td>{f.aor ?? '—'}</td>
              <td className="mono">{f.instance ?? '—'}</td>
              <td>{f.regId ?? '—'}</td>
              <td>{f.transport.toUpperCase()}</td>
              <td className="mono">{f.peer}</td>
              <td>{age(f.ageSec)}</td>
              <td>{f.lastKeepAliveAt ? new Date(f.lastKeepAliveAt).toLocaleTimeString() : '—'}</td>
              <td>{f.keepAlives}</td>
              <td>
                {f.requestsIn} / {f.requestsOut}
              </td>
              <td>
                {formatBytes(f.bytesIn)} / {formatBytes(f.bytesOut)}
              </td>
              <td>{f.silent ? 'silent' : 'active'}</td>
              <td>
                <button
                  type="button"
                  className="btn btn-danger"
                  aria-label={`Close flow ${f.id}`}
                  disabled={close.isPending}
                  onClick={() => close.mutate(f.id)}
                >
                  Close
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
