import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import pino, { type Logger } from 'pino';
import { EventBus, StatsRegistry } from '@pbx/core';
import type { AppEventMap } from './app-events.js';
import { ensureAdminAccount } from '../auth/admin-account.js';
import type { AppConfig } from '../config/index.js';
import { lockDataDir } from '../database/data-dir-lock.js';
import { openDatabase } from '../database/database.js';
import { CredentialCache, loadCredentials } from '../subscribers/credential-cache.js';
import { AppContext } from './app-context.js';
import { appModule } from './app.module.js';
import { loadSecrets } from './secrets.js';
import { SipService } from '../sip/sip-service.js';
import { RegistrarEngine } from '../registrar/registrar-engine.js';
import { MsiloEngine } from '../msilo/msilo-engine.js';
import { ScaService } from '../sca/sca-service.js';
import { MsrpEngine } from '../msrp/msrp-engine.js';
import { proxyHooks } from '../routing/proxy-hooks.js';
import { EdgeEngine } from '../edge/edge-engine.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const WEB_DIST = `${ROOT}web/dist`;
const SHUTDOWN_GRACE_MS = 8_000;

export interface RunningAppliance {
  readonly ctx: AppContext;
  readonly httpUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the appliance: database (migrations before anything listens),
 * admin account, secrets, credentials cache, engines, then the HTTP admin
 * API, socket.io and the dashboard on one port.
 */
export async function startAppliance(config: AppConfig): Promise<RunningAppliance> {
  const env = config.env;
  const logger = pino({ level: env.logLevel, base: { svc: 'pbx-lite' } });
  const unlock = lockDataDir(env.dataDir);
  const db = await openDatabase({ databaseUrl: env.databaseUrl, dataDir: env.dataDir }).catch((err) => {
    unlock();
    throw err;
  });
  logger.info({ backend: db.backend, location: db.location }, 'database ready, migrations applied');

  const { generatedPassword } = await ensureAdminAccount(db.dataSource, env.adminPassword);
  const secrets = loadSecrets(env.dataDir, {
    digestNonce: config.pbx.core.auth_secret,
    flowToken: config.pbx.outbound.flow_token_secret,
  });
  const credentials = new CredentialCache(config.pbx.core.realm);
  await loadCredentials(db.dataSource, credentials);
  const bus = new EventBus<AppEventMap>((err, name) => logger.error({ err, event: name }, 'event listener failed'));
  const stats = new StatsRegistry();
  const ctx = new AppContext(config, db, bus, stats, secrets, credentials, logger, readVersion());
  const sip = new SipService(ctx);
  ctx.sip = sip;
  ctx.registrar = new RegistrarEngine(ctx);
  ctx.msilo = new MsiloEngine(ctx);
  ctx.sca = new ScaService(ctx);
  sip.hooks.sca = (c) => ctx.sca.route(c);
  sip.hooks.observeForward = (c) => ctx.sca.observe(c);
  ctx.msrp = new MsrpEngine(ctx);
  Object.assign(sip.hooks, proxyHooks(ctx, ctx.msilo));
  // role: edge — the edge's route takes the SIP traffic; the registrar engines stay idle so the admin API still answers.
  if (config.pbx.role === 'edge') sip.edge = ctx.edge = new EdgeEngine(ctx);
  try {
    // Bindings are loaded before the first REGISTER can arrive.
    await ctx.registrar.start();
    await ctx.msilo.start();
    // Subscriptions are restored before the first NOTIFY-worthy request can arrive; stop() flushes them.
    await ctx.sca.start();
    await sip.start();
    await ctx.msrp.start();
    await ctx.edge?.start();
  } catch (err) {
    await db.close();
    unlock();
    throw err;
  }

  const app = await NestFactory.create<NestExpressApplication>(appModule(ctx), { bufferLogs: true });
  app.useLogger(app.get(NestPinoLogger));
  app.setGlobalPrefix('api', { exclude: ['metrics'] });
  const openapi = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('PBX-lite admin API')
      .setDescription('Administration of the PBX-lite appliance. Log in with POST /api/auth/login and send the token as `Authorization: Bearer …`.')
      .setVersion(ctx.version)
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, openapi, { jsonDocumentUrl: 'api/docs/openapi.json' });
  serveDashboard(app);

  await app.listen(env.httpPort, env.httpHost);
  const addr = app.getHttpServer().address() as AddressInfo;
  ctx.listeners.push({ protocol: 'http', transport: 'http', address: env.httpHost, port: addr.port });
  const shownHost = env.httpHost === '0.0.0.0' || env.httpHost === '::' ? 'localhost' : env.httpHost;
  const httpUrl = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${addr.port}`;
  logger.info({ httpUrl, listeners: ctx.listeners, version: ctx.version }, 'ready');
  printBanner(httpUrl, generatedPassword);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down');
      // Stop taking SIP traffic first, so the engines' final flushes see no new work.
      await sip.stop();
      await app.close();
      for (const hook of ctx.shutdownHooks) {
        try {
          await hook();
        } catch (err) {
          logger.error({ err }, 'shutdown hook failed');
        }
      }
      await db.close();
      unlock();
      logger.info('stopped');
    })());
  return { ctx, httpUrl, stop };
}

/** The built dashboard at `/`, with client-side routes falling back to index.html. */
function serveDashboard(app: NestExpressApplication): void {
  if (!existsSync(`${WEB_DIST}/index.html`)) return;
  const server = app.getHttpAdapter().getInstance() as express.Express;
  server.use(express.static(WEB_DIST, { index: false, maxAge: '1h' }));
  server.get(/^\/(?!api(?:\/|$)|metrics$|socket\.io\/).*/, (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(`${WEB_DIST}/index.html`);
  });
}

function printBanner(httpUrl: string, generatedPassword: string | undefined): void {
  const lines = ['', 'PBX-lite is running.', `  Dashboard and API: ${httpUrl}/  (OpenAPI: ${httpUrl}/api/docs)`];
  if (generatedPassword) {
    lines.push(`  Admin login: admin / ${generatedPassword}`, '  (generated on first start and shown only this once: keep it safe)');
  }
  process.stdout.write(lines.join('\n') + '\n\n');
}

function readVersion(): string {
  try {
    return (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** Exits 0 after a graceful stop on SIGTERM/SIGINT; a stuck stop is cut short. */
export function stopOnSignals(appliance: RunningAppliance, logger: Logger): void {
  const onSignal = (sig: NodeJS.Signals) => {
    logger.info({ signal: sig }, 'signal received');
    const force = setTimeout(() => {
      logger.error('graceful shutdown took too long, exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    appliance.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
