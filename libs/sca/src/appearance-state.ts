/**
 * Appearance states, as the BroadWorks SIP Access Side Extensions document
 * names them on the wire (`appearance-state=` of Call-Info, §3) and as
 * Kamailio's sca_appearance.h enumerates them. `idle` is the absence of an
 * appearance: an idle index is simply not in the table.
 */
export const APPEARANCE_STATES = ['idle', 'seized', 'ringing', 'progressing', 'active', 'held', 'held-private'] as const;

export type AppearanceState = (typeof APPEARANCE_STATES)[number];

const KNOWN = new Set<string>(APPEARANCE_STATES);

export function isAppearanceState(s: string): s is AppearanceState {
  return KNOWN.has(s);
}

/** The states an admin may set with update_appearance (seed §5.4: not idle; idle is release). */
export const UPDATABLE_STATES: readonly AppearanceState[] = ['seized', 'ringing', 'progressing', 'active', 'held', 'held-private'];

/** A held appearance can be seized by another group member to retrieve the call (BroadWorks §3, bridged line retrieval). */
export function isHeld(s: AppearanceState): boolean {
  return s === 'held' || s === 'held-private';
}
