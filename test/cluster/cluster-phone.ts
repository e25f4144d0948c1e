import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { createResponse, parseMessage, type SipRequest, type SipResponse } from '@pbx/sip';

/**
 * A UDP phone for the scale-out tests. Unlike SipTestClient, which talks to
 * one server, it answers each request where its top Via says (RFC 3261
 * §18.2.2: `received` / `rport`, else sent-by): with two nodes a request
 * may come from the node the phone did not register at, and the answer must
 * go back to that one. Every MESSAGE is answered 200 and kept (once per
 * transaction: a retransmission repeats the branch).
 */
export class ClusterPhone {
  private readonly socket: Socket;
  private readonly responses = new Map<string, (r: SipResponse) => void>();
  /** MESSAGE transactions received, by Via branch. */
  readonly messages = new Map<string, SipRequest>();
  port = 0;

  private constructor() {
    this.socket = createSocket('udp4');
    this.socket.on('message', (data) => this.onDatagram(Buffer.from(data)));
  }

  static async open(): Promise<ClusterPhone> {
    const p = new ClusterPhone();
    await new Promise<void>((resolve) => p.socket.bind(0, '127.0.0.1', () => resolve()));
    p.port = p.socket.address().port;
    return p;
  }

  /** REGISTERs `user@domain` at `node` with this phone's Contact (Allow lists MESSAGE); resolves the final status. */
  register(node: { address: string; port: number }, user: string, domain: string, expires = 300, timeoutMs = 5_000): Promise<number> {
    const callId = `${randomBytes(6).toString('hex')}@cluster-phone`;
    const text = [
      `REGISTER sip:${domain} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${this.port};branch=z9hG4bK${randomBytes(6).toString('hex')};rport`,
      'Max-Forwards: 70',
      `From: <sip:${user}@${domain}>;tag=${randomBytes(4).toString('hex')}`,
      `To: <sip:${user}@${domain}>`,
      `Call-ID: ${callId}`,
      'CSeq: 1 REGISTER',
      `Contact: <sip:${user}@127.0.0.1:${this.port}>`,
      `Expires: ${expires}`,
      'Allow: INVITE, ACK, BYE, CANCEL, MESSAGE, OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.responses.delete(callId);
        reject(new Error(`no answer to REGISTER of ${user} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.responses.set(callId, (r) => {
        clearTimeout(timer);
        this.responses.delete(callId);
        resolve(r.status);
      });
      this.socket.send(text, node.port, node.address);
    });
  }

  close(): void {
    this.socket.close();
  }

  private onDatagram(data: Buffer): void {
    const r = parseMessage(data);
    if (!r.ok) return;
    const m = r.message;
    if (m.kind === 'response') {
      if (m.status >= 200) this.responses.get(m.callId())?.(m);
      return;
    }
    if (m.method !== 'MESSAGE') return;
    const via = m.vias()[0];
    if (!via) return;
    if (!this.messages.has(via.branch ?? '')) this.messages.set(via.branch ?? String(this.messages.size), m);
    const host = via.received ?? via.host;
    const port = typeof via.rport === 'number' ? via.rport : (via.port ?? 5060);
    this.socket.send(createResponse(m, 200, undefined, { toTag: `p${this.port}` }).serialize(), port, host);
  }
}
