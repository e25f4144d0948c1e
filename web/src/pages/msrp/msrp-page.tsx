import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { formatBytes } from '../../components/format';
import { createTrailingThrottle, useLiveEvent } from '../registrations/use-live-event';
import { msrpSessionsKey, useCloseMsrpSession, useMsrpSessions, type MsrpSessionRow, type MsrpTraffic } from './msrp-api';

function time(sec: number): string {
  return new Date(sec * 1000).toLocaleTimeString();
}

/**
 * The MSRP relay's sessions (the connection map): who authenticated, from
 * where, until when, and the traffic relayed each way, kept live by the
 * msrp.session.* events and the periodic msrp.traffic counters; each row
 * can be closed, which disconnects that client.
 */
export default function MsrpPage() {
  const sessions = useMsrpSessions();
  const close = useCloseMsrpSession();
  const qc = useQueryClient();
  const refresh = useMemo(() => createTrailingThrottle(250, () => void qc.invalidateQueries({ queryKey: msrpSessionsKey })), [qc]);
  useEffect(() => () => refresh.cancel(), [refresh]);
  useLiveEvent('msrp.session.opened', () => refresh.schedule());
  useLiveEvent('msrp.session.closed', () => refresh.schedule());
  useLiveEvent('msrp.session.expired', () => refresh.schedule());
  useLiveEvent<MsrpTraffic>('msrp.traffic', (t) => {
    const byId = new Map(t.sessions.map((s) => [s.id, s]));
    qc.setQueryData<MsrpSessionRow[]>(msrpSessionsKey, (rows) => rows?.map((r) => ({ ...r, ...byId.get(r.id) })));
  });
  const rows = sessions.data ?? [];
  const totals = rows.reduce((a, r) => ({ frames: a.frames + r.framesIn + r.framesOut, bytes: a.bytes + r.bytesIn + r.bytesOut }), { frames: 0, bytes: 0 });

  return (
    <div className="page">
      <header className="page-header">
        <h1>MSRP sessions</h1>
      </header>
      <p aria-label="MSRP traffic">
        {rows.length} session{rows.length === 1 ? '' : 's'} · <span data-testid="msrp-total-frames">{totals.frames}</span> frames ·{' '}
        {formatBytes(totals.bytes)} relayed
      </p>
      {sessions.isError && <p className="banner banner-error">Could not load MSRP sessions.</p>}
      <table className="simple-table" aria-label="MSRP sessions">
        <thead>
          <tr>
            <th>Session</th>
            <th>User</th>
            <th>Peer</th>
            <th>Transport</th>
            <th>Created</th>
            <th>Expires</th>
            <th>Frames in/out</th>
            <th>Bytes in/out</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={9}>{sessions.isLoading ? 'Loading…' : 'No sessions'}</td>
            </tr>
          )}
          {rows.map((s) => (
            <tr key={s.id} data-session-id={s.id}>
              <td className="mono" title={s.uri}>
                {s.id}
              </td>
              <td>{s.user ?? '—'}</td>
              <td className="mono">{s.peer}</td>
              <td>{s.transport.toUpperCase()}</td>
              <td>{time(s.createdAt)}</td>
              <td>{time(s.expiresAt)}</td>
              <td data-testid="frames">
                {s.framesIn} / {s.framesOut}
              </td>
              <td>
                {formatBytes(s.bytesIn)} / {formatBytes(s.bytesOut)}
              </td>
              <td>
                <button
                  type="button"
                  className="btn btn-danger"
                  aria-label={`Close session ${s.id}`}
                  disabled={close.isPending}
                  onClick={() => close.mutate(s.id)}
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
