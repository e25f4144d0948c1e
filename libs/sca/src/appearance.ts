import type { AppearanceState } from './appearance-state.js';

/** The call an appearance is in: the SIP dialog as seen by the proxy. */
export interface AppearanceDialog {
  callId: string;
  /** The tag of the group member's side of the dialog. */
  ownerTag: string;
  /** The remote party's tag, known once a response carries it. */
  remoteTag?: string;
}

/**
 * One appearance (line) of a shared AoR. An idle appearance is not stored:
 * indexes come and go as lines are seized and released (Kamailio
 * sca_appearance; BroadWorks §3: indexes start at 1).
 */
export interface Appearance {
  readonly aor: string;
  readonly index: number;
  state: AppearanceState;
  /** The group member holding it: its Contact URI. */
  owner: string;
  /** The remote party of the call (URI), shown as appearance-uri. */
  remote?: string;
  /** Display info: the remote party's display name, or what update_appearance set. */
  display?: string;
  dialog?: AppearanceDialog;
  /** When the state last changed, ms since the epoch. */
  since: number;
  /** During a retrieval by another member: what to restore if the retrieving INVITE fails. */
  previous?: { owner: string; dialog?: AppearanceDialog; state: AppearanceState };
}

/** What the admin API, events and dashboard show of an appearance (sca.all_appearances). */
export interface AppearanceView {
  aor: string;
  index: number;
  state: AppearanceState;
  owner: string;
  remote: string | null;
  display: string | null;
  callId: string | null;
  since: number;
}

export function appearanceView(a: Appearance): AppearanceView {
  return {
    aor: a.aor,
    index: a.index,
    state: a.state,
    owner: a.owner,
    remote: a.remote ?? null,
    display: a.display ?? null,
    callId: a.dialog?.callId ?? null,
    since: a.since,
  };
}
