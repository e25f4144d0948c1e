import type { Appearance } from './appearance.js';

/** Quotes a value for a generic-param quoted-string (RFC 3261 §25.1: backslash-escape `"` and `\`). */
function quoted(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * `appearance-uri`: the remote party as a name-addr in a quoted string,
 * e.g. `appearance-uri="\"Bob\" <sip:bob@example.com>"` (BroadWorks §2.2).
 * Kamailio writes the same parameter from the dialog's remote URI.
 */
function appearanceUri(a: Appearance): string | undefined {
  if (!a.remote) return undefined;
  const display = a.display ? `${quoted(a.display)} ` : '';
  return quoted(`${display}<${a.remote}>`);
}

/** One Call-Info value for an appearance: `<sip:aor>;appearance-index=N;appearance-state=S[;appearance-uri="…"]`. */
export function appearanceCallInfo(a: Appearance): string {
  let v = `<${a.aor}>;appearance-index=${a.index};appearance-state=${a.state}`;
  const uri = a.state === 'seized' ? undefined : appearanceUri(a);
  if (uri) v += `;appearance-uri=${uri}`;
  return v;
}

/**
 * The Call-Info of a call-info NOTIFY: the full state of the AoR (RFC 6665
 * §4.2.2 full-state notifications): each appearance in use, then
 * `appearance-index=*;appearance-state=idle` for every other line
 * (BroadWorks §2.2). `released` lists indexes that just went idle, shown
 * explicitly so a phone need not diff against its last view.
 */
export function callInfoValue(aor: string, appearances: readonly Appearance[], released: readonly number[] = []): string {
  const parts: string[] = [];
  for (const a of appearances) parts.push(appearanceCallInfo(a));
  for (const i of released) parts.push(`<${aor}>;appearance-index=${i};appearance-state=idle`);
  parts.push(`<${aor}>;appearance-index=*;appearance-state=idle`);
  return parts.join(', ');
}

/** The Call-Info of a line-seize NOTIFY: the index reserved for the subscriber (BroadWorks §3.2). */
export function lineSeizeCallInfo(aor: string, index: number): string {
  return `<${aor}>;appearance-index=${index};appearance-state=seized`;
}
