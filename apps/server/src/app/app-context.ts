import type { Logger } from 'pino';
import type { EventBus, StatsRegistry } from '@pbx/core';
import type { AppEventMap } from './app-events.js';
import type { AppConfig } from '../config/index.js';
import type { Database } from '../database/database.js';
import type { CredentialCache } from '../subscribers/credential-cache.js';
import type { Secrets } from './secrets.js';
import type { SipService } from '../sip/sip-service.js';
import type { RegistrarEngine } from '../registrar/registrar-engine.js';
import type { MsiloEngine } from '../msilo/msilo-engine.js';
import type { ScaService } from '../sca/sca-service.js';
import type { MsrpEngine } from '../msrp/msrp-engine.js';
import type { EdgeEngine } from '../edge/edge-engine.js';

/** A socket the appliance listens on, as `GET /api/system` and health report it. */
export interface ListenerInfo {
  protocol: 'sip' | 'msrp' | 'http';
  transport: 'udp' | 'tcp' | 'tls' | 'ws' | 'wss' | 'http';
  address: string;
  port: number;
}

/**
 * What the process is made of, built before Nest starts and handed to it as
 * one provider: Nest wires the admin API around the engines, it does not own
 * them.
 */
export class AppContext {
  readonly startedAt = new Date();
  readonly listeners: ListenerInfo[] = [];
  /** Work to finish before exit (engines' write-back flushes), run in order. */
  readonly shutdownHooks: Array<() => Promise<void>> = [];
  /** The SIP listeners, request route and the hooks the engines fill; set once at start. */
  sip!: SipService;
  /** The location service and registrar; set once at start. */
  registrar!: RegistrarEngine;
  /** The offline message store; set once at start. */
  msilo!: MsiloEngine;
  /** Shared call appearances; set once at start. */
  sca!: ScaService;
  /** The MSRP relay; set once at start. */
  msrp!: MsrpEngine;
  /** The RFC 5626 edge proxy; set at start when `role: edge`, else undefined. */
  edge?: EdgeEngine;

  constructor(
    readonly config: AppConfig,
    readonly db: Database,
    readonly bus: EventBus<AppEventMap>,
    readonly stats: StatsRegistry,
    readonly secrets: Secrets,
    readonly credentials: CredentialCache,
    readonly logger: Logger,
    readonly version: string,
  ) {}
}
