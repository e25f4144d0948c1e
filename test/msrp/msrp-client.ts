import { randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { WebSocket } from 'ws';
import { FrameHead, MsrpFramer, type ContinuationFlag } from '@pbx/msrp';
import { DigestClient } from '@pbx/sip';

/** A whole frame as a test client sees it. */
export interface Frame {
  head: FrameHead;
  body: Buffer;
  flag: ContinuationFlag;
}

export interface ClientOptions {
  host: string;
  port: number;
  transport?: 'tcp' | 'tls' | 'ws';
  /** Session part of the client's own URI (random by default). */
  session?: string;
}

const DEFAULT_WAIT_MS = 10_000;

export function tid(): string {
  return 't' + randomBytes(8).toString('hex');
}

/**
 * An MSRP endpoint for wire tests: a real TCP, TLS or WebSocket connection,
 * frames collected whole, waits bounded by a timeout.
 */
export class MsrpTestClient {
  readonly frames: Frame[] = [];
  readonly uri: string;
  closed = false;
  private waiters: Array<() => void> = [];
  private current: { head: FrameHead; body: Buffer[] } | null = null;
  private readonly framer: MsrpFramer;

  private constructor(
    private readonly socket: Socket | null,
    private readonly ws: WebSocket | null,
    readonly opts: ClientOptions,
    localPort: number,
  ) {
    const scheme = opts.transport === 'tls' ? 'msrps' : 'msrp';
    const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
    this.uri = `${scheme}://${host}:${localPort}/${opts.session ?? randomBytes(6).toString('hex')};${opts.transport === 'ws' ? 'ws' : 'tcp'}`;
    this.framer = new MsrpFramer({
      head: (h) => {
        this.current = { head: h, body: [] };
      },
      body: (c) => this.current!.body.push(Buffer.from(c)),
      end: (flag) => {
        const c = this.current!;
        this.current = null;
        this.frames.push({ head: c.head, body: Buffer.concat(c.body), flag });
        this.wake();
      },
      lost: (reason) => {
        throw new Error('test client lost framing: ' + reason);
      },
    });
  }

  static async connect(opts: ClientOptions): Promise<MsrpTestClient> {
    if (opts.transport === 'ws') {
      const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
      const ws = new WebSocket(`ws://${host}:${opts.port}/`, 'msrp');
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      const raw = (ws as unknown as { _socket: Socket })._socket;
      const c = new MsrpTestClient(null, ws, opts, raw.localPort ?? 0);
      ws.on('message', (d: Buffer) => c.framer.push(d));
      ws.on('close', () => c.onClose());
      return c;
    }
    const socket: Socket = await new Promise((resolve, reject) => {
      const s =
        opts.transport === 'tls'
          ? tlsConnect({ host: opts.host, port: opts.port, rejectUnauthorized: false }, () => resolve(s))
          : netConnect({ host: opts.host, port: opts.port }, () => resolve(s));
      s.once('error', reject);
    });
    const c = new MsrpTestClient(socket, null, opts, socket.localPort ?? 0);
    socket.on('data', (d: Buffer) => c.framer.push(d));
    socket.on('close', () => c.onClose());
    socket.on('error', () => {});
    return c;
  }

  get relayUri(): string {
    const host = this.opts.host.includes(':') ? `[${this.opts.host}]` : this.opts.host;
    const scheme = this.opts.transport === 'tls' ? 'msrps' : 'msrp';
    return `${scheme}://${host}:${this.opts.port};${this.opts.transport === 'ws' ? 'ws' : 'tcp'}`;
  }

  write(data: string | Buffer): void {
    if (this.ws) this.ws.send(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
    else this.socket!.write(data);
  }

  /** Waits for (and removes) the first frame matching `pred`. */
  async next(pred: (f: Frame) => boolean = () => true, timeoutMs = DEFAULT_WAIT_MS): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex(pred);
      if (i >= 0) return this.frames.splice(i, 1)[0]!;
      if (this.closed) throw new Error('connection closed while waiting for a frame');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${timeoutMs} ms; have: ${this.frames.map((f) => f.head.method ?? f.head.status).join(',')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  response(t: string, timeoutMs?: number): Promise<Frame> {
    return this.next((f) => f.head.tid === t && !f.head.isRequest, timeoutMs);
  }

  /** Resolves when the relay closes the connection. */
  async waitClosed(timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('connection still open');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** One AUTH request (RFC 4976 §5); `extra` are header lines. */
  authRequest(extra: string[] = [], to = this.relayUri): string {
    const t = tid();
    this.write(`MSRP ${t} AUTH\r\nTo-Path: ${to}\r\nFrom-Path: ${this.uri}\r\n${extra.map((l) => l + '\r\n').join('')}-------${t}$\r\n`);
    return t;
  }

  /**
   * The whole AUTH exchange: 401 then the digest answer; resolves the final
   * response. With `password` null, no challenge is expected (SIP_AUTH=off).
   */
  async auth(user: string, password: string | null, extra: string[] = [], to = this.relayUri): Promise<Frame> {
    const first = await this.response(this.authRequest(extra, to));
    if (first.head.status !== 401 || password === null) return first;
    const digest = new DigestClient({ username: user, password });
    // RFC 4976 §5.1: the digest-uri is the URI of the relay being authenticated to (the last of To-Path).
    const authz = digest.authorize(first.head.getAll('WWW-Authenticate'), 'AUTH', to.split(' ').pop()!);
    return this.response(this.authRequest([...extra, `Authorization: ${authz}`], to));
  }

  /** AUTH that must succeed; returns the Use-Path. */
  async login(user: string, password: string | null): Promise<string> {
    const r = await this.auth(user, password);
    if (r.head.status !== 200) throw new Error(`AUTH failed: ${r.head.status} ${r.head.comment}`);
    return r.head.get('Use-Path')!;
  }

  /** A SEND frame as text (head + body + end-line). */
  static sendFrame(t: string, toPath: string[], fromPath: string[], body: Buffer | string, o: { messageId?: string; byteRange?: string; flag?: ContinuationFlag; failureReport?: string; contentType?: string } = {}): Buffer {
    const b = typeof body === 'string' ? Buffer.from(body) : body;
    const head =
      `MSRP ${t} SEND\r\nTo-Path: ${toPath.join(' ')}\r\nFrom-Path: ${fromPath.join(' ')}\r\n` +
      `Message-ID: ${o.messageId ?? 'm' + t}\r\n` +
      (o.byteRange ? `Byte-Range: ${o.byteRange}\r\n` : `Byte-Range: 1-${b.length}/${b.length}\r\n`) +
      (o.failureReport ? `Failure-Report: ${o.failureReport}\r\n` : '') +
      `Content-Type: ${o.contentType ?? 'text/plain'}\r\n\r\n`;
    return Buffer.concat([Buffer.from(head, 'latin1'), b, Buffer.from(`\r\n-------${t}${o.flag ?? '$'}\r\n`, 'latin1')]);
  }

  /** Sends one SEND; returns its tid. */
  send(toPath: string[], body: Buffer | string, o: Parameters<typeof MsrpTestClient.sendFrame>[4] = {}): string {
    const t = tid();
    this.write(MsrpTestClient.sendFrame(t, toPath, [this.uri], body, o));
    return t;
  }

  /** A transaction response to a received request (RFC 4975 §7.2). */
  respond(f: Frame, status: number, comment: string): void {
    this.write(`MSRP ${f.head.tid} ${status} ${comment}\r\nTo-Path: ${f.head.fromPath[0]}\r\nFrom-Path: ${this.uri}\r\n-------${f.head.tid}$\r\n`);
  }

  close(): void {
    this.ws?.close();
    this.socket?.destroy();
  }

  private onClose(): void {
    this.closed = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
