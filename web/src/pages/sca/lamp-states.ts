import type { AppearanceState, UpdatableState } from './types';

/** The lamp states in the order a line goes through them (BroadWorks SIP Access Side Extensions §2, `appearance-state`). */
export const LAMP_STATES: readonly AppearanceState[] = ['idle', 'seized', 'ringing', 'progressing', 'active', 'held', 'held-private'];

/** What an admin may set a line in use to (idle is Release). */
export const UPDATABLE: readonly UpdatableState[] = ['seized', 'ringing', 'progressing', 'active', 'held', 'held-private'];

export const STATE_LABELS: Record<AppearanceState, string> = {
  idle: 'Idle',
  seized: 'Seized',
  ringing: 'Ringing',
  progressing: 'Progressing',
  active: 'Active',
  held: 'Held',
  'held-private': 'Held (private)',
};

export const STATE_HINTS: Record<AppearanceState, string> = {
  idle: 'Free: any phone of the group may seize it',
  seized: 'Reserved by a phone (line-seize) that is about to dial',
  ringing: 'The far end is ringing (180)',
  progressing: 'Early media or progress (183)',
  active: 'In a call (answered)',
  held: 'On hold: another phone of the group may pick it up',
  'held-private': 'On hold, marked private by the phone that held it',
};

export function isLampState(s: string): s is AppearanceState {
  return (LAMP_STATES as readonly string[]).includes(s);
}
