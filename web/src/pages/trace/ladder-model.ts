import type { TracedMessage } from './trace-types';

/** A column of the ladder: the appliance, or one far end (`ip:port`). */
export interface Party {
  key: string;
  kind: 'server' | 'remote';
  label: string;
  /** Under the label: the server's local addresses, or the transports a far end used. */
  detail: string;
}

/** How an arrow is coloured: by request, or by the response's class (RFC 3261 §7.2). */
export type Tone = 'request' | 'provisional' | 'success' | 'redirect' | 'failure' | 'other';

export interface LadderRow {
  message: TracedMessage;
  /** Column indexes into `parties`. */
  from: number;
  to: number;
  /** The method, or "200 OK". */
  label: string;
  /** The Request-URI of a request. */
  target: string | null;
  tone: Tone;
  /** Since the previous message of the capture. */
  deltaMs: number;
  /** Which dialog (Call-ID) of the capture: 0, 1, 2…, or -1 without one. */
  call: number;
}

export interface Ladder {
  parties: Party[];
  rows: LadderRow[];
  calls: number;
}

export const SERVER_KEY = 'server';

const RESPONSE = /^SIP\/2\.0\s+(\d{3})\s*(.*)$/i;
const REQUEST = /^([A-Za-z!%*_+`'~.-]+)\s+(\S+)\s+SIP\/2\.0$/;

/** The arrow label for a start line (RFC 3261 §7.1 Request-Line, §7.2 Status-Line). */
export function labelFor(summary: string, text: string): Pick<LadderRow, 'label' | 'target' | 'tone'> {
  const res = RESPONSE.exec(summary);
  if (res) {
    const code = Number(res[1]);
    const tone: Tone = code < 200 ? 'provisional' : code < 300 ? 'success' : code < 400 ? 'redirect' : 'failure';
    return { label: `${res[1]} ${res[2]}`.trim(), target: null, tone };
  }
  const req = REQUEST.exec(summary);
  if (req) return { label: req[1]!.toUpperCase(), target: req[2]!, tone: 'request' };
  // RFC 5626 §3.5.1 keep-alives (CRLF) and anything the parser refused.
  if (text.trim() === '') return { label: 'keep-alive', target: null, tone: 'other' };
  return { label: summary.length > 40 ? `${summary.slice(0, 40)}…` : summary || '(unparsed)', target: null, tone: 'other' };
}

/**
 * Columns and arrows for a capture, in capture order. The far end of the
 * first message received sits left of the appliance and every other far
 * end to its right, so a proxied call reads caller → PBX → callee.
 */
export function buildLadder(messages: readonly TracedMessage[]): Ladder {
  const remotes: string[] = [];
  const remoteTransports = new Map<string, Set<string>>();
  const locals = new Set<string>();
  const first = messages[0];
  for (const m of messages) {
    let t = remoteTransports.get(m.remote);
    if (!t) {
      remoteTransports.set(m.remote, (t = new Set()));
      remotes.push(m.remote);
    }
    t.add(m.transport.toUpperCase());
    if (m.local) locals.add(m.local);
  }

  const server: Party = { key: SERVER_KEY, kind: 'server', label: 'PBX-lite', detail: [...locals].join(', ') || 'this appliance' };
  const remoteParty = (r: string): Party => ({ key: r, kind: 'remote', label: r, detail: [...remoteTransports.get(r)!].join(', ') });
  const parties: Party[] =
    first && first.direction === 'in'
      ? [remoteParty(first.remote), server, ...remotes.slice(1).map(remoteParty)]
      : [server, ...remotes.map(remoteParty)];
  const column = new Map(parties.map((p, i) => [p.key, i]));
  const serverCol = column.get(SERVER_KEY)!;

  const calls = new Map<string, number>();
  const rows: LadderRow[] = messages.map((m, i) => {
    const far = column.get(m.remote)!;
    let call = -1;
    if (m.callId !== null) {
      call = calls.get(m.callId) ?? calls.size;
      calls.set(m.callId, call);
    }
    return {
      message: m,
      from: m.direction === 'in' ? far : serverCol,
      to: m.direction === 'in' ? serverCol : far,
      ...labelFor(m.summary, m.text),
      deltaMs: i === 0 ? 0 : m.at - messages[i - 1]!.at,
      call,
    };
  });
  return { parties, rows, calls: calls.size };
}
