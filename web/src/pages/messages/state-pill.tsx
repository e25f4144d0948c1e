import type { MessageState } from './types';

const LABELS: Record<MessageState, string> = {
  stored: 'Stored',
  scheduled: 'Scheduled',
  delivering: 'Delivering',
  delivered: 'Delivered',
  failed: 'Failed',
  expired: 'Expired',
};

const HINTS: Record<MessageState, string> = {
  stored: 'Waiting for the recipient to register',
  scheduled: 'A reminder, waiting for its send time',
  delivering: 'Sent to the recipient’s phone; waiting for its answer',
  delivered: 'The recipient’s phone accepted it',
  failed: 'The last delivery attempt was refused; it is retried at the next registration',
  expired: 'Discarded: it was not delivered before msilo.expire_time',
};

/** A message's state; re-keyed on change so the new state briefly stands out. */
export function StatePill({ state }: { state: MessageState }) {
  return (
    <span key={state} className={`pill msg-state msg-state-${state}`} data-state={state} title={HINTS[state] ?? state}>
      {LABELS[state] ?? state}
    </span>
  );
}
