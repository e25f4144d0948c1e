import type { AppearanceState, AppearanceView, AppearancesResponse, ScaSubscriptionView, SubscriptionsResponse } from './types';

/** One lamp: a line of a shared AoR, idle when no appearance is in use on it. */
export interface Line {
  aor: string;
  index: number;
  state: AppearanceState;
  appearance: AppearanceView | undefined;
}

/** One shared AoR as the board shows it: its row of lamps and its subscribers. */
export interface AorBoard {
  aor: string;
  lines: Line[];
  /** Lines not idle. */
  inUse: number;
  subscribers: ScaSubscriptionView[];
  /** The lowest idle line (the one a seize takes), 0 when all are in use. */
  nextFree: number;
}

/**
 * The board from the two lists: every AoR with subscribers or a line in
 * use (the server's sharedAors), each with lines 1..max_appearances (more
 * if a line beyond it is still in use after the limit was lowered).
 * Before the subscribers have loaded, the AoRs the appearances answer named
 * stand in for them.
 */
export function buildBoard(apps: AppearancesResponse | undefined, subs: SubscriptionsResponse | undefined): AorBoard[] {
  if (!apps) return [];
  const aors = new Set<string>(subs ? subs.items.map((s) => s.aor) : apps.aors);
  for (const a of apps.items) aors.add(a.aor);
  const byAor = new Map<string, AppearanceView[]>();
  for (const a of apps.items) {
    const list = byAor.get(a.aor);
    if (list) list.push(a);
    else byAor.set(a.aor, [a]);
  }
  const subsByAor = new Map<string, ScaSubscriptionView[]>();
  for (const s of subs?.items ?? []) {
    const list = subsByAor.get(s.aor);
    if (list) list.push(s);
    else subsByAor.set(s.aor, [s]);
  }
  return [...aors].sort().map((aor) => {
    const used = byAor.get(aor) ?? [];
    const count = Math.max(apps.maxAppearances, ...used.map((a) => a.index));
    const lines: Line[] = [];
    for (let index = 1; index <= count; index++) {
      const appearance = used.find((a) => a.index === index);
      lines.push({ aor, index, state: appearance?.state ?? 'idle', appearance });
    }
    const free = lines.find((l) => !l.appearance);
    return { aor, lines, inUse: used.length, subscribers: subsByAor.get(aor) ?? [], nextFree: free && free.index <= apps.maxAppearances ? free.index : 0 };
  });
}

/** A SIP URI shortened for a lamp: no scheme, no parameters (`sip:alice@10.0.0.5:5060;transport=tcp` → `alice@10.0.0.5:5060`). */
export function shortUri(uri: string | null | undefined): string {
  if (!uri) return '';
  return uri.replace(/^<|>$/g, '').replace(/^sips?:/i, '').replace(/[;?].*$/, '');
}

/** Who is on the other end, as a lamp names it: the display info, else the remote URI. */
export function remoteParty(a: AppearanceView | undefined): string {
  if (!a) return '';
  return a.display || shortUri(a.remote);
}
