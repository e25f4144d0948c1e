import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import WebSocket from 'ws';
import { createResponse, parseMessage, type SipMessage, type SipRequest, type SipResponse } from '@pbx/sip';

export type ClientTransport = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

/**
 * A minimal SIP user agent for wire tests: sends raw text to the server
 * over a real socket and hands back what comes in, parsed with our parser
 * (raw bytes are kept too, for tests that look at the exact octets).
 */
export class SipTestClient {
  private readonly inbox: Array<{ msg: SipMessage; raw: Buffer }> = [];
  private waiters: Array<{ match: (m: SipMessage) => boolean; resolve: (v: { msg: SipMessage; raw: Buffer }) => void }> = [];
  private streamBuf = Buffer.alloc(0);
  /** Every datagram / framed message received, in order (including ones already taken). */
  readonly received: Buffer[] = [];
  localPort = 0;
  readonly localAddress = '127.0.0.1';
  private udp?: UdpSocket;
  private stream?: Socket;
  private ws?: WebSocket;

  private constructor(readonly transport: ClientTransport, readonly server: { address: string; port: number }) {}

  static async open(transport: ClientTransport, server: { address: string; port: number }): Promise<SipTestClient> {
    const c = new SipTestClient(transport, server);
    await c.connect();
    return c;
  }

  private async connect(): Promise<void> {
    const { address, port } = this.server;
    if (this.transport === 'udp') {
      const s = createSocket('udp4');
      this.udp = s;
      s.on('message', (m) => this.deliver(Buffer.from(m)));
      await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
      this.localPort = s.address().port;
      return;
    }
    if (this.transport === 'ws' || this.transport === 'wss') {
      const ws = new WebSocket(`${this.transport}://${address}:${port}/`, 'sip', { rejectUnauthorized: false });
      this.ws = ws;
      ws.on('message', (d: Buffer) => this.deliver(Buffer.from(d)));
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      this.localPort = (ws as unknown as { _socket: Socket })._socket.localPort ?? 0;
      return;
    }
    const s =
      this.transport === 'tls'
        ? tlsConnect({ host: address, port, rejectUnauthorized: false })
        : tcpConnect({ host: address, port });
    this.stream = s;
    s.on('data', (d: Buffer) => this.onStream(d));
    await new Promise<void>((resolve, reject) => {
      s.once(this.transport === 'tls' ? 'secureConnect' : 'connect', () => resolve());
      s.once('error', reject);
    });
    this.localPort = s.localPort ?? 0;
  }

  /** Stream framing by Content-Length (RFC 3261 §18.3); bare CRLFs are keep-alive pongs and kept as such. */
  private onStream(d: Buffer): void {
    this.streamBuf = Buffer.concat([this.streamBuf, d]);
    for (;;) {
      while (this.streamBuf.length >= 2 && this.streamBuf[0] === 13 && this.streamBuf[1] === 10) {
        this.received.push(Buffer.from('\r\n'));
        this.streamBuf = this.streamBuf.subarray(2);
        this.pong();
      }
      const end = this.streamBuf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.streamBuf.subarray(0, end).toString('latin1');
      const m = /\r\n(?:content-length|l)[ \t]*:[ \t]*(\d+)/i.exec(head);
      const len = m ? Number(m[1]) : 0;
      if (this.streamBuf.length < end + 4 + len) return;
      const one = Buffer.from(this.streamBuf.subarray(0, end + 4 + len));
      this.streamBuf = this.streamBuf.subarray(end + 4 + len);
      this.deliver(one);
    }
  }

  private pongWaiters: Array<() => void> = [];
  private pong(): void {
    const w = this.pongWaiters.shift();
    w?.();
  }

  /** Resolves at the next single-CRLF pong (RFC 5626 §4.4.1). */
  nextPong(timeoutMs = 3000): Promise<void> {
    return withTimeout(new Promise<void>((r) => this.pongWaiters.push(r)), timeoutMs, 'no CRLF pong');
  }

  private deliver(raw: Buffer): void {
    this.received.push(raw);
    if (raw.length === 2 && raw[0] === 13) return this.pong();
    const r = parseMessage(raw);
    if (!r.ok) return;
    const item = { msg: r.message, raw };
    const i = this.waiters.findIndex((w) => w.match(item.msg));
    if (i >= 0) {
      const [w] = this.waiters.splice(i, 1);
      w!.resolve(item);
    } else this.inbox.push(item);
  }

  send(text: string | Buffer): void {
    const data = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
    if (this.udp) this.udp.send(data, this.server.port, this.server.address);
    else if (this.ws) this.ws.send(data.toString('latin1'));
    else this.stream!.write(data);
  }

  /** The next received message that `match`es (default: any), waiting up to `timeoutMs`. */
  async receive(match: (m: SipMessage) => boolean = () => true, timeoutMs = 5000): Promise<SipMessage> {
    return (await this.receiveRaw(match, timeoutMs)).msg;
  }

  receiveRaw(match: (m: SipMessage) => boolean = () => true, timeoutMs = 5000): Promise<{ msg: SipMessage; raw: Buffer }> {
    const i = this.inbox.findIndex((x) => match(x.msg));
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]!);
    return withTimeout(
      new Promise((resolve) => this.waiters.push({ match, resolve })),
      timeoutMs,
      `no matching SIP message within ${timeoutMs} ms on ${this.transport}`,
    );
  }

  /** The response to the request with this Call-ID and CSeq method (provisional ones skipped unless asked for). */
  async response(callId: string, opts: { method?: string; provisional?: boolean; timeoutMs?: number } = {}): Promise<SipResponse> {
    const m = await this.receive(
      (x) =>
        x.kind === 'response' &&
        x.callId() === callId &&
        (opts.method === undefined || x.cseq().method === opts.method) &&
        (opts.provisional === true || x.status >= 200),
      opts.timeoutMs,
    );
    return m as SipResponse;
  }

  /** The next request with this method (e.g. what the server forwards to us as a UAS). */
  async incoming(method: string, timeoutMs = 5000): Promise<SipRequest> {
    return (await this.receive((m) => m.kind === 'request' && m.method === method, timeoutMs)) as SipRequest;
  }

  /** Answers a received request as a UAS would (To tag added for non-100). */
  answer(req: SipRequest, status: number, opts: { headers?: Array<[string, string]>; body?: string; contentType?: string; toTag?: string } = {}): void {
    // RFC 3261 §12.1.1: a UAS copies Record-Route into responses that establish a dialog.
    const rr: Array<[string, string]> = status > 100 && status < 300 ? req.getAll('Record-Route').map((v): [string, string] => ['Record-Route', v]) : [];
    const res = createResponse(req, status, undefined, {
      toTag: status === 100 ? undefined : (opts.toTag ?? `uas${this.localPort}`),
      headers: [...rr, ...(opts.headers ?? [])],
      body: opts.body,
      contentType: opts.contentType,
    });
    this.send(res.serialize());
  }

  /** Messages received and not yet taken. */
  pending(): SipMessage[] {
    return this.inbox.map((x) => x.msg);
  }

  /** Via sent-by and transport token for requests built by `request()`. */
  get viaTransport(): string {
    return this.transport.toUpperCase();
  }

  /**
   * A request with fresh branch, Call-ID and tags unless given; `headers`
   * are added after the standard ones. Content-Length is computed.
   */
  request(o: RequestSpec): { text: string; callId: string; branch: string; fromTag: string } {
    const branch = o.branch ?? `z9hG4bK${rand()}`;
    const callId = o.callId ?? `${rand()}@test`;
    const fromTag = o.fromTag ?? rand();
    const from = o.from ?? 'sip:tester@example.com';
    const to = o.to ?? o.uri;
    const body = o.body ?? '';
    const lines = [
      `${o.method} ${o.uri} SIP/2.0`,
      `Via: SIP/2.0/${this.viaTransport} ${this.localAddress}:${this.localPort};branch=${branch}${o.rport === false ? '' : ';rport'}`,
      ...(o.maxForwards === null ? [] : [`Max-Forwards: ${o.maxForwards ?? 70}`]),
      `From: <${from}>;tag=${fromTag}`,
      `To: <${to}>${o.toTag ? `;tag=${o.toTag}` : ''}`,
      `Call-ID: ${callId}`,
      `CSeq: ${o.cseq ?? 1} ${o.cseqMethod ?? o.method}`,
      ...(o.contact ? [`Contact: ${o.contact}`] : []),
      ...(o.headers ?? []),
      ...(o.contentType ? [`Content-Type: ${o.contentType}`] : []),
      `Content-Length: ${Buffer.byteLength(body, 'latin1')}`,
      '',
      body,
    ];
    return { text: lines.join('\r\n'), callId, branch, fromTag };
  }

  /** Sends `request(o)` and waits for its final response. */
  async call(o: RequestSpec, timeoutMs?: number): Promise<SipResponse> {
    const r = this.request(o);
    this.send(r.text);
    return this.response(r.callId, { method: o.cseqMethod ?? o.method, timeoutMs });
  }

  close(): void {
    this.udp?.close();
    this.stream?.destroy();
    this.ws?.terminate();
    for (const w of this.waiters) w.resolve = () => {};
    this.waiters = [];
  }
}

export interface RequestSpec {
  method: string;
  uri: string;
  from?: string;
  to?: string;
  toTag?: string;
  callId?: string;
  fromTag?: string;
  branch?: string;
  cseq?: number;
  cseqMethod?: string;
  contact?: string;
  maxForwards?: number | null;
  rport?: boolean;
  headers?: string[];
  body?: string;
  contentType?: string;
}

export function rand(): string {
  return randomBytes(6).toString('hex');
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]);
}
