import type { SipRequest, SipResponse } from '@pbx/sip';
import { rand, SipTestClient } from '../support/index.js';

export const DOMAIN = 'example.com';
export const AOR = `sip:shared@${DOMAIN}`;

/** The lamps a call-info NOTIFY shows: index → state (`*` for the rest). */
export function lampsOf(n: SipRequest): Map<string, string> {
  const out = new Map<string, string>();
  for (const ci of n.callInfo()) {
    const i = ci.params.get('appearance-index');
    const s = ci.params.get('appearance-state');
    if (i && s) out.set(i, s);
  }
  return out;
}

/**
 * A BroadWorks-style SCA handset for wire tests: one UDP socket, a
 * call-info subscription to the shared AoR, and every NOTIFY answered at
 * once (200 unless told otherwise) and queued for the test to look at.
 */
export class Handset {
  private queue: SipRequest[] = [];
  private waiters: Array<{ match: (n: SipRequest) => boolean; resolve: (n: SipRequest) => void }> = [];
  private closed = false;
  /** Status the handset answers NOTIFYs with; null: no answer. */
  notifyAnswer: number | null = 200;
  /** call-info subscription dialog. */
  dialog?: { callId: string; fromTag: string; toTag: string; cseq: number };

  private constructor(readonly ua: SipTestClient, readonly name: string) {}

  static async open(server: { address: string; port: number }, name: string): Promise<Handset> {
    const h = new Handset(await SipTestClient.open('udp', server), name);
    // Each datagram: take the NOTIFYs the client queued (no waiter of ours is left pending between datagrams).
    (h.ua as unknown as { udp: { on(e: 'message', l: () => void): void } }).udp.on('message', () => setImmediate(() => void h.drain()));
    return h;
  }

  get contact(): string {
    return `sip:shared@127.0.0.1:${this.ua.localPort}`;
  }

  private async drain(): Promise<void> {
    const isNotify = (m: { kind: string; method?: string }) => m.kind === 'request' && m.method === 'NOTIFY';
    for (let i = 0; i < 100 && !this.closed && this.ua.pending().some((m) => isNotify(m as never)); i++) {
      const n = (await this.ua.receive((m) => isNotify(m as never), 0)) as SipRequest;
      if (this.notifyAnswer !== null) this.ua.answer(n, this.notifyAnswer);
      const w = this.waiters.findIndex((x) => x.match(n));
      if (w >= 0) this.waiters.splice(w, 1)[0]!.resolve(n);
      else this.queue.push(n);
    }
  }

  /** The next NOTIFY (already received or still to come) that `match`es. */
  notify(match: (n: SipRequest) => boolean, timeoutMs = 5000): Promise<SipRequest> {
    const i = this.queue.findIndex(match);
    if (i >= 0) return Promise.resolve(this.queue.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const w = { match, resolve: (n: SipRequest) => (clearTimeout(t), resolve(n)) };
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`${this.name}: no matching NOTIFY within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /** The next call-info NOTIFY showing appearance `index` in `state`. */
  lamp(index: number, state: string, timeoutMs = 5000): Promise<SipRequest> {
    return this.notify((n) => n.get('Event') === 'call-info' && lampsOf(n).get(String(index)) === state, timeoutMs);
  }

  /** Drops the NOTIFYs queued so far (a later wait then sees only newer ones). */
  forget(): void {
    this.queue = [];
  }

  async subscribe(event: 'call-info' | 'line-seize', o: { expires?: number; index?: number; inDialog?: boolean } = {}): Promise<SipResponse> {
    const d = o.inDialog ? this.dialog : undefined;
    const r = this.ua.request({
      method: 'SUBSCRIBE',
      uri: AOR,
      from: AOR,
      to: AOR,
      toTag: d?.toTag,
      callId: d?.callId,
      fromTag: d?.fromTag,
      cseq: d ? ++d.cseq : 1,
      contact: `<${this.contact}>`,
      headers: [`Event: ${event}`, ...(o.expires !== undefined ? [`Expires: ${o.expires}`] : []), ...(o.index ? [`Call-Info: <${AOR}>;appearance-index=${o.index}`] : [])],
    });
    this.ua.send(r.text);
    const res = await this.ua.response(r.callId, { method: 'SUBSCRIBE' });
    if (event === 'call-info' && res.status === 200 && !d) this.dialog = { callId: r.callId, fromTag: r.fromTag, toTag: res.to().tag!, cseq: 1 };
    return res;
  }

  /** Sends an INVITE from the shared AoR to `to`, naming an appearance; returns the request's identifiers. */
  invite(to: string, o: { index?: number; replaces?: string } = {}): { callId: string; fromTag: string } {
    const r = this.ua.request({
      method: 'INVITE',
      uri: to,
      from: AOR,
      to,
      contact: `<${this.contact}>`,
      headers: [...(o.index ? [`Call-Info: <${AOR}>;appearance-index=${o.index}`] : []), ...(o.replaces ? [`Replaces: ${o.replaces}`] : [])],
      body: sdp('sendrecv'),
      contentType: 'application/sdp',
    });
    this.ua.send(r.text);
    return { callId: r.callId, fromTag: r.fromTag };
  }

  /**
   * Points the handset at a restarted server. A real UAS answers a NOTIFY to
   * the address in its Via (RFC 3261 §18.2.2); the test client sends
   * everything to one fixed address, so it is told the new listener.
   */
  rehome(server: { address: string; port: number }): void {
    (this.ua as unknown as { server: { address: string; port: number } }).server = server;
  }

  close(): void {
    this.closed = true;
    this.ua.close();
  }
}

export function sdp(direction: 'sendrecv' | 'sendonly'): string {
  return `v=0\r\no=- 1 ${rand().length} IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\na=${direction}\r\n`;
}
