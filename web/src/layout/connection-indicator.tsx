import { useConnection } from '../socket/socket-context';
import type { ConnectionState } from '../socket/events';

const LABELS: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  connected: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

const HINTS: Record<ConnectionState, string> = {
  connecting: 'Opening the live event connection',
  connected: 'Live updates are flowing from the appliance',
  reconnecting: 'The live connection dropped; retrying. Figures may be stale.',
  offline: 'No live connection; figures update only on reload.',
};

/** The socket.io link state, so an operator knows whether the numbers are live. */
export function ConnectionIndicator() {
  const { state, lastError } = useConnection();
  const title = lastError && state !== 'connected' ? `${HINTS[state]} (${lastError})` : HINTS[state];
  return (
    <span className={`conn conn-${state}`} data-state={state} title={title} role="status" aria-live="polite">
      <span className="conn-dot" aria-hidden="true" />
      <span className="conn-label">{LABELS[state]}</span>
    </span>
  );
}
