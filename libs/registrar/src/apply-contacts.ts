import { detach, parseUri, uriEquals } from '@pbx/sip';
import { Binding, FL_MEM } from './binding.js';
import { RegistrarError } from './errors.js';
import type { BindingChanges } from './location.js';
import type { ContactSpec, RegisterRequest } from './register-request.js';

export interface ApplyContext {
  now: number;
  /** usrloc.matching_mode: 0 contact, 1 contact + Call-ID, 2 contact + Path, 3 Call-ID only. */
  matchingMode: number;
  /** usrloc.cseq_delay in ms: how long a binding's own Call-ID and CSeq mark a retransmission. */
  cseqDelayMs: number;
  serverId: number;
  nextRuid: () => string;
}

/** The AoR's bindings after the REGISTER, and what changed. */
export interface Plan extends BindingChanges {
  readonly next: Binding[];
}

/**
 * RFC 3261 §10.3 steps 6–7 on a snapshot of an AoR's unexpired bindings.
 * Pure: it builds new Binding objects and returns the plan, or throws the
 * RegistrarError that aborts the whole REGISTER (out of order, too many
 * contacts) without touching anything — the caller commits the plan only
 * when this returns.
 */
export function applyContacts(current: readonly Binding[], reg: RegisterRequest, ctx: ApplyContext): Plan {
  if (reg.star) {
    // §10.3 step 6: "*" removes every binding, but one with the same Call-ID
    // is removed only when the CSeq is higher; otherwise the request fails.
    for (const b of current) if (b.callId === reg.callId && reg.cseq <= b.cseq) throw new RegistrarError('out_of_order');
    return { next: [], added: [], refreshed: [], removed: [...current] };
  }
  // An AoR holds a handful of bindings and a REGISTER names one or two
  // Contacts: plain arrays searched by ruid beat Maps and Sets here, and this
  // runs for every REGISTER.
  let working: Binding[] = current.slice();
  const made: Binding[] = [];
  const added: Binding[] = [];
  const refreshed: Binding[] = [];
  const removed: Binding[] = [];
  let first: Binding | null = null;

  for (const spec of reg.contacts) {
    const i = findMatch(working, spec, reg, ctx.matchingMode);
    if (i < 0) {
      if (spec.expires === 0) continue; // removing what is not there is not an error
      const nb = bindingOf(spec, reg, ctx, ctx.nextRuid());
      working.push(nb);
      made.push(nb);
      added.push(nb);
      first ??= nb;
      continue;
    }
    const b = working[i]!;
    if (!made.includes(b) && b.callId === reg.callId && reg.cseq <= b.cseq) {
      // A REGISTER without credentials ends its transaction with the reply (as Kamailio's
      // sl does), so its retransmission comes here: the same Call-ID and CSeq shortly after
      // the binding was saved leave it as it is (Kamailio usrloc's cseq_delay).
      if (reg.cseq === b.cseq && ctx.now - b.lastModified < ctx.cseqDelayMs) continue;
      // §10.3 step 7: same Call-ID and a CSeq not higher: "the update MUST be
      // aborted and the request fails". A binding this same REGISTER just made
      // (a Contact listed twice) is not out of order.
      throw new RegistrarError('out_of_order');
    }
    if (spec.expires === 0) {
      working.splice(i, 1);
      drop(b, current, added, refreshed, removed);
      continue;
    }
    const nb = bindingOf(spec, reg, ctx, b.ruid, b);
    working[i] = nb;
    made.push(nb);
    if (!replaceByRuid(added, nb) && !replaceByRuid(refreshed, nb)) refreshed.push(nb);
    first ??= nb;
  }

  // save() flag 0x04 (registrar.single_contact): the AoR keeps only the binding this REGISTER made first.
  if (reg.singleContact && first !== null) {
    for (const b of working) if (b !== first) drop(b, current, added, refreshed, removed);
    working = [first];
  }

  // max_contacts (seed §3.13): refused when the REGISTER adds bindings and
  // the AoR would hold more than the limit. Refreshes and removals never
  // raise the count, so they pass even after the limit was lowered.
  if (reg.maxContacts > 0 && added.length > 0 && working.length > reg.maxContacts) throw new RegistrarError('too_many_contacts');

  return { next: working, added, refreshed, removed };
}

/** Puts `nb` in place of the entry with its ruid; false when there is none. */
function replaceByRuid(list: Binding[], nb: Binding): boolean {
  for (let i = 0; i < list.length; i++) {
    if (list[i]!.ruid === nb.ruid) {
      list[i] = nb;
      return true;
    }
  }
  return false;
}

/** Removes `b` from the plan: a binding this REGISTER added is simply not added; a stored one is removed (as it was stored). */
function drop(b: Binding, current: readonly Binding[], added: Binding[], refreshed: Binding[], removed: Binding[]): void {
  const a = added.findIndex((x) => x.ruid === b.ruid);
  if (a >= 0) {
    added.splice(a, 1);
    return;
  }
  const r = refreshed.findIndex((x) => x.ruid === b.ruid);
  if (r >= 0) refreshed.splice(r, 1);
  removed.push(current.find((x) => x.ruid === b.ruid)!);
}

/**
 * The stored binding a Contact refers to. With `+sip.instance` the binding
 * is the instance's (and reg-id's) whatever its URI (RFC 5627 §5.1, RFC
 * 5626 §6); otherwise usrloc.matching_mode decides, the URI compared by the
 * rules of RFC 3261 §19.1.4 (§10.3 step 7).
 */
function findMatch(list: readonly Binding[], spec: ContactSpec, reg: RegisterRequest, mode: number): number {
  if (spec.instance !== null) {
    for (let i = 0; i < list.length; i++) {
      const b = list[i]!;
      if (b.instance === spec.instance && b.regId === spec.regId) return i;
    }
    return -1;
  }
  for (let i = 0; i < list.length; i++) {
    const b = list[i]!;
    switch (mode) {
      case 1:
        if (b.callId === reg.callId && sameContact(b, spec)) return i;
        break;
      case 2:
        if (b.path === reg.path && sameContact(b, spec)) return i;
        break;
      case 3:
        if (b.callId === reg.callId) return i;
        break;
      default:
        if (sameContact(b, spec)) return i;
    }
  }
  return -1;
}

function sameContact(b: Binding, spec: ContactSpec): boolean {
  if (b.contact === spec.text) return true;
  const r = parseUri(b.contact);
  return r.ok && uriEquals(r.uri, spec.uri);
}

/**
 * A binding for a Contact: new, or the refresh of `old`. Strings equal to
 * the old binding's are reused and others copied out of the REGISTER
 * (detach), so a refresh allocates no strings and a binding never keeps
 * the message it came from alive.
 */
function bindingOf(spec: ContactSpec, reg: RegisterRequest, ctx: ApplyContext, ruid: string, old?: Binding): Binding {
  const f = reg.flow;
  return new Binding({
    ruid,
    aor: reg.aor.key,
    contact: old && old.contact === spec.text ? old.contact : detach(spec.text),
    received: spec.received === null ? null : old && old.received === spec.received ? old.received : detach(spec.received),
    path: reg.path,
    expires: ctx.now + spec.expires * 1000,
    q: spec.q,
    callId: old && old.callId === reg.callId ? old.callId : detach(reg.callId),
    cseq: reg.cseq,
    flags: reg.memoryOnly ? FL_MEM : 0,
    cflags: spec.received !== null ? reg.natFlag : 0,
    userAgent: reg.userAgent,
    methods: spec.methods,
    instance: spec.instance === null ? null : old && old.instance === spec.instance ? old.instance : detach(spec.instance),
    regId: spec.regId,
    serverId: ctx.serverId,
    connectionId: f.connectionId,
    keepalive: 0,
    lastModified: ctx.now,
    transport: f.transport,
    sourceAddress: old && old.sourceAddress === f.sourceAddress ? old.sourceAddress : f.sourceAddress,
    sourcePort: f.sourcePort,
    localAddress: f.localAddress,
    localPort: f.localPort,
  });
}
