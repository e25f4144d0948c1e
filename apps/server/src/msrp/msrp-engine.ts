import { readFile } from 'node:fs/promises';
import { MsrpRelay, MsrpTransportLayer, registerMsrpStats, type MsrpEventMap, type MsrpSessionView } from '@pbx/msrp';
import { ensureTlsCertificate } from '@pbx/sip';
import type { AppContext } from '../app/app-context.js';
import { digestAuthenticator } from '../app/digest.js';

/** How often the dashboard hears the sessions' traffic counters. */
const TRAFFIC_INTERVAL_MS = 2_000;
/** Forwarded transactions are checked for their 30 s timeout this often. */
const TRANSACTION_SWEEP_MS = 1_000;

/**
 * The MSRP relay in the appliance: listeners from MSRP_LISTEN (tcp, tls as
 * msrps, ws/wss per RFC 7977) with the SIP side's certificate, AUTH
 * checked against the subscribers' cached digests (never the database on the
 * per-frame path), the `msrp` config section, events on the bus and the
 * timer_interval cleaning.
 */
export class MsrpEngine {
  readonly relay: MsrpRelay;
  private transport!: MsrpTransportLayer;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly ctx: AppContext) {
    const { pbx } = ctx.config;
    const cfg = pbx.msrp;
    // RFC 4976 §5.1: the digest-uri is the AUTH's To-Path URI, which a client may spell as it likes.
    const auth = digestAuthenticator(ctx, { checkUri: false });
    const log = ctx.logger.child({ module: 'msrp' });
    this.relay = new MsrpRelay({
      config: cfg,
      auth,
      realm: this.realm(),
      clock: { now: () => Date.now() },
      stats: registerMsrpStats(ctx.stats, () => this.relay.cmap.size),
      events: { emit: (name, payload) => ctx.bus.emit(name, payload as never) },
      connect: (uri) => this.transport.connect(uri),
      log: { debug: (o, m) => log.debug(o, m), warn: (o, m) => log.warn(o, m) },
    });
  }

  /** RFC 4976 §5.1 realm: msrp.auth_realm, else core.realm, else the first served SIP domain, else the relay's host. */
  private realm(): string {
    const { env, pbx } = this.ctx.config;
    const host = pbx.msrp.use_path_addr?.replace(/^msrps?:\/\//i, '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    return pbx.msrp.auth_realm ?? pbx.core.realm ?? env.sipDomains[0] ?? host ?? env.msrpListen[0]?.host ?? 'localhost';
  }

  async start(): Promise<void> {
    const { env, pbx } = this.ctx.config;
    const specs = env.msrpListen;
    if (specs.length === 0) return;
    let tls: { cert: string | Buffer; key: string | Buffer } | undefined;
    if (specs.some((l) => l.transport === 'tls' || l.transport === 'wss')) {
      tls =
        pbx.core.tls_certificate && pbx.core.tls_private_key
          ? { cert: await readFile(pbx.core.tls_certificate), key: await readFile(pbx.core.tls_private_key) }
          : await ensureTlsCertificate(env.dataDir);
    }
    const log = this.ctx.logger.child({ module: 'msrp' });
    this.transport = new MsrpTransportLayer({
      listen: specs,
      tls: tls && { cert: tls.cert, key: tls.key },
      idleTimeoutMs: pbx.msrp.auth_max_expires * 1000 + 60_000,
      log: { warn: (o, m) => log.warn(o, m) },
    });
    const bound = await this.transport.start(this.relay);
    for (const l of bound) this.ctx.listeners.push({ protocol: 'msrp', transport: l.transport, address: l.host, port: l.port });
    this.every(pbx.msrp.timer_interval * 1000, () => this.relay.sweep());
    this.every(TRANSACTION_SWEEP_MS, () => this.relay.sweepTransactions());
    this.every(TRAFFIC_INTERVAL_MS, () => this.traffic());
    this.ctx.shutdownHooks.push(() => this.stop());
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
    await this.transport?.stop();
  }

  sessions(): MsrpSessionView[] {
    return this.relay.sessions();
  }

  closeSession(id: string): boolean {
    return this.relay.closeSession(id);
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.push(t);
  }

  /** The periodic traffic counters, only while someone listens and there are sessions. */
  private traffic(): void {
    if (!this.ctx.bus.hasListeners('msrp.traffic') || this.relay.cmap.size === 0) return;
    const sessions = this.relay.sessions().map((s) => ({ id: s.id, framesIn: s.framesIn, bytesIn: s.bytesIn, framesOut: s.framesOut, bytesOut: s.bytesOut }));
    this.ctx.bus.emit('msrp.traffic', { at: Date.now(), sessions });
  }
}

/** The engine's events as the appliance's event map carries them. */
export type MsrpAppEventMap = MsrpEventMap & {
  /** Every 2 s while sessions exist: each session's frames/bytes relayed each way. */
  'msrp.traffic': { at: number; sessions: Array<Pick<MsrpSessionView, 'id' | 'framesIn' | 'bytesIn' | 'framesOut' | 'bytesOut'>> };
};
