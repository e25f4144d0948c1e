import type { Appearance, AppearanceDialog } from './appearance.js';
import type { AppearanceState } from './appearance-state.js';

/**
 * The appearances of every shared AoR, and an index of them by Call-ID so a
 * BYE or a response finds its appearance in one lookup (Kamailio keeps them
 * in its hash table by AoR and walks the list by dialog).
 */
export class AppearanceTable {
  private readonly byAor = new Map<string, Map<number, Appearance>>();
  /** Key: Call-ID + LF + AoR. */
  private readonly byCallId = new Map<string, Appearance>();

  constructor(private readonly maxAppearances: number) {}

  get(aor: string, index: number): Appearance | undefined {
    return this.byAor.get(aor)?.get(index);
  }

  /** The appearances of an AoR in index order. */
  list(aor: string): Appearance[] {
    const m = this.byAor.get(aor);
    if (!m) return [];
    return [...m.values()].sort((a, b) => a.index - b.index);
  }

  all(): Appearance[] {
    const out: Appearance[] = [];
    for (const aor of [...this.byAor.keys()].sort()) out.push(...this.list(aor));
    return out;
  }

  get size(): number {
    let n = 0;
    for (const m of this.byAor.values()) n += m.size;
    return n;
  }

  /** The lowest free index (BroadWorks §3: the AS assigns the next available appearance), or 0 when every line is in use. */
  nextFree(aor: string): number {
    const m = this.byAor.get(aor);
    for (let i = 1; i <= this.maxAppearances; i++) if (!m?.has(i)) return i;
    return 0;
  }

  /** Creates an appearance at a free index; the caller checked it is free. */
  add(aor: string, index: number, owner: string, state: AppearanceState, now: number): Appearance {
    const a: Appearance = { aor, index, owner, state, since: now };
    let m = this.byAor.get(aor);
    if (!m) this.byAor.set(aor, (m = new Map()));
    m.set(index, a);
    return a;
  }

  /** The appearance a seized-but-not-yet-calling member holds (its line-seize), if any. */
  seizedBy(aor: string, owner: string): Appearance | undefined {
    for (const a of this.list(aor)) if (a.owner === owner && a.state === 'seized' && a.dialog === undefined) return a;
    return undefined;
  }

  /** The appearance of `aor` in the call with this Call-ID (both ends of a call may be shared AoRs). */
  byDialog(callId: string, aor: string): Appearance | undefined {
    return this.byCallId.get(`${callId}\n${aor}`);
  }

  /** Binds (or rebinds, on retrieval) an appearance to a dialog. */
  bind(a: Appearance, dialog: AppearanceDialog | undefined): void {
    if (a.dialog && this.byCallId.get(`${a.dialog.callId}\n${a.aor}`) === a) this.byCallId.delete(`${a.dialog.callId}\n${a.aor}`);
    a.dialog = dialog;
    if (dialog) this.byCallId.set(`${dialog.callId}\n${a.aor}`, a);
  }

  remove(a: Appearance): void {
    const m = this.byAor.get(a.aor);
    if (m?.get(a.index) === a) {
      m.delete(a.index);
      if (m.size === 0) this.byAor.delete(a.aor);
    }
    if (a.dialog && this.byCallId.get(`${a.dialog.callId}\n${a.aor}`) === a) this.byCallId.delete(`${a.dialog.callId}\n${a.aor}`);
  }
}
