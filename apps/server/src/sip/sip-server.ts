import type { Logger } from 'pino';
import {
  SipTransportLayer,
  createResponse,
  ensureTlsCertificate,
  parseMessage,
  type BoundListener,
  type CoreConfig,
  type ListenSpec,
  type ParseOptions,
  type Peer,
  type SipRequest,
  type SipResponse,
} from '@pbx/sip';
import type { StatsRegistry } from '@pbx/core';
import { countReply, registerSipStats, type SipStats } from './sip-stats.js';
import { stampReceived } from './received.js';
import { statelessToTag } from './stateless-tag.js';
import type { ReplyExtra, RequestContext } from '../routing/route-context.js';
import type { SipTracer } from '../trace/sip-tracer.js';

export interface SipServerOptions {
  listen: ListenSpec[];
  core: CoreConfig;
  dataDir: string;
  stats: StatsRegistry;
  logger: Logger;
  /** The request route: every parsed request that is not a retransmission ends up here. */
  onRequest(ctx: RequestContext): void;
  /** A TCP/TLS/WS connection closed (bindings and flows over it are gone). */
  onConnectionClosed?(connectionId: number): void;
  /** Operator captures; checked once per packet. */
  tracer?: SipTracer;
  /** Responses from downstream (the proxy's business); unmatched ones are counted and dropped. */
  onResponse?(res: SipResponse, source: Peer): void;
}

/**
 * Sockets ─▶ parser ─▶ request route. Unparsable requests are answered 400
 * with the parser's reason whenever a response can be built (RFC 4475 §3),
 * else dropped and counted; nothing a peer sends can throw out of here.
 */
export class SipServer {
  readonly transport: SipTransportLayer;
  readonly stats: SipStats;
  private readonly datagramLimits: ParseOptions;
  private readonly streamLimits: ParseOptions;

  private constructor(private readonly o: SipServerOptions, tls: { cert: string | Buffer; key: string | Buffer } | undefined) {
    this.stats = registerSipStats(o.stats);
    const limits = { maxMessageSize: o.core.max_message_size, maxHeaders: o.core.max_headers, maxLineLength: o.core.max_line_length };
    this.datagramLimits = { ...limits, stream: false };
    this.streamLimits = { ...limits, stream: true };
    this.transport = new SipTransportLayer({
      listen: o.listen,
      tls,
      limits: { maxMessageSize: o.core.max_message_size },
      idleTimeoutMs: o.core.tcp_idle_timeout * 1000,
      logger: o.logger,
      handler: {
        onMessage: (data, source) => this.onMessage(data, source),
        onConnectionClosed: (info) => o.onConnectionClosed?.(info.id),
        onFramingError: (source, reason) => {
          this.stats.badMessages.inc();
          o.logger.debug({ peer: `${source.transport}:${source.address}:${source.port}`, reason }, 'framing error');
        },
      },
    });
  }

  static async create(o: SipServerOptions): Promise<SipServer> {
    let tls: { cert: string | Buffer; key: string | Buffer } | undefined;
    if (o.listen.some((l) => l.transport === 'tls' || l.transport === 'wss')) {
      const { readFile } = await import('node:fs/promises');
      if (o.core.tls_certificate && o.core.tls_private_key) {
        tls = { cert: await readFile(o.core.tls_certificate), key: await readFile(o.core.tls_private_key) };
      } else {
        const generated = await ensureTlsCertificate(o.dataDir);
        tls = { cert: generated.cert, key: generated.key };
      }
    }
    return new SipServer(o, tls);
  }

  async start(): Promise<BoundListener[]> {
    await this.transport.start();
    return this.transport.listeners();
  }

  stop(): Promise<void> {
    return this.transport.stop();
  }

  private onMessage(data: Buffer, source: Peer): void {
    const r = parseMessage(data, source.transport === 'udp' ? this.datagramLimits : this.streamLimits);
    if (this.o.tracer?.active) this.o.tracer.record('in', r.ok ? r.message : (r.error.message ?? null), data, source);
    if (!r.ok) {
      this.stats.badMessages.inc();
      const bad = r.error.message;
      if (r.error.canRespond && bad?.kind === 'request' && bad.method !== 'ACK') {
        this.stats.errRequests.inc();
        this.send(createResponse(bad, 400, r.error.reason), source);
      } else {
        if (bad?.kind === 'response') this.stats.dropReplies.inc();
        else this.stats.dropRequests.inc();
      }
      return;
    }
    const msg = r.message;
    if (msg.kind === 'response') {
      this.stats.rcvReplies.inc();
      if (this.o.onResponse) this.o.onResponse(msg, source);
      else this.stats.dropReplies.inc();
      return;
    }
    this.stats.rcvRequests.inc();
    try {
      stampReceived(msg, source);
      this.o.onRequest(this.statelessContext(msg, source));
    } catch (err) {
      // A header the route needed turned out malformed (typed accessors throw SipHeaderError with a reason).
      const reason = (err as { reason?: unknown }).reason;
      if (typeof reason === 'string') {
        this.stats.errRequests.inc();
        if (msg.method !== 'ACK') this.send(createResponse(msg, 400, reason), source);
        return;
      }
      this.o.logger.error({ err, callId: safeCallId(msg) }, 'request route failed');
      if (msg.method !== 'ACK') this.send(createResponse(msg, 500, 'Server Internal Error'), source);
    }
  }

  private statelessContext(req: SipRequest, source: Peer): RequestContext {
    return {
      req,
      source,
      reply: (status: number, reason?: string, extra?: ReplyExtra) => {
        const res = createResponse(req, status, reason, {
          toTag: statelessToTag(req),
          headers: extra?.headers,
          body: extra?.body,
          contentType: extra?.contentType,
        });
        countReply(this.stats, status);
        this.send(res, source);
      },
      respond: (res: SipResponse) => {
        countReply(this.stats, res.status);
        this.send(res, source);
      },
    };
  }

  /** Responses go back the way the request came (RFC 3261 §18.2.2, RFC 3581 rport: the source port). */
  send(msg: SipRequest | SipResponse, target: Peer): void {
    const data = msg.serialize();
    if (this.o.tracer?.active) this.o.tracer.record('out', msg, data, target);
    this.transport.send(data, target);
  }
}

function safeCallId(req: SipRequest): string | undefined {
  try {
    return req.callId();
  } catch {
    return undefined;
  }
}
