import { networkInterfaces } from 'node:os';
import type { Logger } from 'pino';
import {
  ProxyCore,
  SipTransportLayer,
  TransactionLayer,
  applyReceived,
  createResponse,
  createStatelessResponse,
  statelessToTag,
  ensureTlsCertificate,
  parseMessage,
  responseTarget,
  transactionTimers,
  type BoundListener,
  type CoreConfig,
  type HostPort,
  type ListenSpec,
  type MessageSender,
  type ParseOptions,
  type Peer,
  type SendCallback,
  type SendTarget,
  type ServerTransaction,
  type SipRequest,
  type SipResponse,
  type TransportName,
} from '@pbx/sip';
import type { StatsRegistry } from '@pbx/core';
import { countReply, registerSipStats, type SipStats } from './sip-stats.js';
import type { ReplyExtra, RequestContext } from '../routing/route-context.js';
import type { SipTracer } from '../trace/sip-tracer.js';

export interface SipServerOptions {
  listen: ListenSpec[];
  core: CoreConfig;
  dataDir: string;
  stats: StatsRegistry;
  logger: Logger;
  /** The request route: every new request (not a retransmission, not a matched CANCEL) ends up here. */
  onRequest(ctx: RequestContext): void;
  /** True for an OPTIONS the server answers itself: handled without a transaction, like Kamailio's options_reply(). */
  isOptionsToSelf(req: SipRequest): boolean;
  /** A TCP/TLS/WS connection closed (bindings and flows over it are gone). */
  onConnectionClosed?(connectionId: number): void;
  /** Operator captures; checked once per packet. */
  tracer?: SipTracer;
  /** A non-SIP datagram on a SIP UDP port (the outbound edge answers STUN Binding requests, RFC 5626 §4.4.2). */
  onDatagramOther?(data: Buffer, source: Peer): void;
  /** A double-CRLF keep-alive answered on a stream connection (RFC 5626 §4.4.1). */
  onKeepAlive?(source: Peer): void;
}

/**
 * Sockets ─▶ parser ─▶ transaction layer ─▶ request route, and the proxy
 * core the route forwards with. Unparsable requests are answered 400 with
 * the parser's reason whenever a response can be built (RFC 4475 §3), else
 * dropped and counted; nothing a peer sends can throw out of here.
 */
export class SipServer {
  readonly transport: SipTransportLayer;
  readonly layer: TransactionLayer;
  readonly proxy: ProxyCore;
  readonly stats: SipStats;
  private readonly datagramLimits: ParseOptions;
  private readonly streamLimits: ParseOptions;
  private readonly advertised = new Map<TransportName, HostPort>();

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
        ...(o.onDatagramOther ? { onDatagramOther: o.onDatagramOther } : {}),
        ...(o.onKeepAlive ? { onKeepAlive: o.onKeepAlive } : {}),
        onFramingError: (source, reason) => {
          this.stats.badMessages.inc();
          o.logger.debug({ peer: `${source.transport}:${source.address}:${source.port}`, reason }, 'framing error');
        },
      },
    });
    // Everything the layer and the proxy send passes here, so traces see retransmissions and forwarded copies.
    const sender: MessageSender = {
      send: (data: Buffer, target: SendTarget, cb?: SendCallback) => {
        if (o.tracer?.active) this.traceOut(data, target);
        return this.transport.send(data, target, cb);
      },
    };
    const log = { warn: (obj: object, msg: string) => o.logger.warn(obj, msg) };
    this.layer = new TransactionLayer({
      timers: transactionTimers({ t1: o.core.t1_ms, t2: o.core.t2_ms, t4: o.core.t4_ms }),
      transport: sender,
      logger: log,
      core: {
        onRequest: (req, source, tx) => this.route(req, source, tx),
        onCancel: (cancel, _source, inviteTx, cancelTx) => this.proxy.handleCancel(cancel, inviteTx, cancelTx),
        onStrayResponse: (res) => {
          // A 2xx retransmission of a forwarded INVITE after its transaction ended (§16.7 step 10).
          this.proxy.forwardResponse(res);
        },
      },
    });
    this.proxy = new ProxyCore({ layer: this.layer, localAddress: (t) => this.advertised.get(t), logger: log });
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
    const bound = this.transport.listeners();
    for (const l of bound) {
      if (this.advertised.has(l.transport)) continue;
      this.advertised.set(l.transport, { address: advertisedHost(l.host), port: l.boundPort });
    }
    return bound;
  }

  /** The address and port this server puts in Via and Record-Route for a transport. */
  addressFor(transport: TransportName): HostPort | undefined {
    return this.advertised.get(transport);
  }

  async stop(): Promise<void> {
    this.proxy.stop();
    this.layer.stop();
    await this.transport.stop();
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
      } else if (bad?.kind === 'response') this.stats.dropReplies.inc();
      else this.stats.dropRequests.inc();
      return;
    }
    const msg = r.message;
    try {
      if (msg.kind === 'response') {
        this.stats.rcvReplies.inc();
        this.layer.receive(msg, source);
        return;
      }
      this.stats.rcvRequests.inc();
      if (this.o.isOptionsToSelf(msg)) {
        // Keep-alive pings and monitoring: answered statelessly, no transaction state.
        applyReceived(msg, source);
        this.route(msg, source, null);
        return;
      }
      this.layer.receive(msg, source);
    } catch (err) {
      this.failed(msg, source, err);
    }
  }

  private route(req: SipRequest, source: Peer, tx: ServerTransaction | null): void {
    try {
      this.o.onRequest(this.context(req, source, tx));
    } catch (err) {
      this.failed(req, source, err, tx);
    }
  }

  /** A header the route needed was malformed (typed accessors throw SipHeaderError with a reason), or a bug. */
  private failed(msg: SipRequest | SipResponse, source: Peer, err: unknown, tx: ServerTransaction | null = null): void {
    if (msg.kind === 'response') {
      this.stats.dropReplies.inc();
      return;
    }
    const reason = (err as { reason?: unknown }).reason;
    let status = 400;
    if (typeof reason === 'string') this.stats.errRequests.inc();
    else {
      status = 500;
      this.o.logger.error({ err, method: msg.method }, 'request route failed');
    }
    if (msg.method === 'ACK') return;
    const res = createResponse(msg, status, typeof reason === 'string' ? reason : 'Server Internal Error', { toTag: safeTag(msg) });
    try {
      // respond() refuses a second final response; a provisional one may have gone out.
      if (tx) tx.respond(res);
      else this.send(res, statelessTarget(msg, source));
    } catch {
      /* the transaction already ended */
    }
  }

  private context(req: SipRequest, source: Peer, tx: ServerTransaction | null): RequestContext {
    // A REGISTER without credentials is answered as Kamailio's registrar and auth modules
    // answer it, statelessly: its transaction ends with the final reply (a challenge, or a
    // save in lab mode), and a retransmission that comes later is processed again, which the
    // registrar answers as one (usrloc.cseq_delay). One with credentials keeps its
    // transaction for Timer J, so a retransmission is absorbed rather than refused as a
    // nonce-count replay (RFC 7616 §3.4).
    const endAtFinal = tx !== null && tx.kind === 'non-invite' && req.method === 'REGISTER' && !req.has('Authorization');
    const respond = (res: SipResponse) => {
      countReply(this.stats, res.status);
      if (endAtFinal) tx.respondAndEnd(res);
      else if (tx) tx.respond(res);
      else this.send(res, statelessTarget(req, source));
    };
    return {
      req,
      source,
      tx,
      reply: (status: number, reason?: string, extra?: ReplyExtra) =>
        respond(createStatelessResponse(req, status, reason, { headers: extra?.headers, body: extra?.body, contentType: extra?.contentType })),
      respond,
    };
  }

  /** Sends a message as it is, outside any transaction (stateless replies). */
  send(msg: SipRequest | SipResponse, target: SendTarget): void {
    const data = msg.serialize();
    if (this.o.tracer?.active) this.o.tracer.record('out', msg, data, target);
    this.transport.send(data, target);
  }

  private traceOut(data: Buffer, target: SendTarget): void {
    const r = parseMessage(data);
    this.o.tracer!.record('out', r.ok ? r.message : null, data, target);
  }
}

function safeTag(req: SipRequest): string | undefined {
  try {
    return statelessToTag(req);
  } catch {
    return undefined;
  }
}

/** A wildcard listener advertises the first non-internal IPv4 address (or loopback when there is none). */
function advertisedHost(host: string): string {
  if (host !== '0.0.0.0' && host !== '::') return host;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/** Where a stateless reply goes: where a transaction's would (RFC 3261 §18.2.2, RFC 3581 §4), the source when the Via is unusable. */
function statelessTarget(req: SipRequest, source: Peer): SendTarget {
  try {
    const via = req.topVia();
    return via ? responseTarget(via, source) : source;
  } catch {
    return source;
  }
}
