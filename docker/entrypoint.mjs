#!/usr/bin/env node
// Entrypoint of the appliance image. Node is PID 1 and nothing sits in
// between: the server is loaded into this very process, so SIGTERM from
// `docker stop` reaches its handler and it shuts down gracefully (engines
// flushed, exit 0).
//
//   (no argument) | serve   run the appliance
//   migrate                 apply pending database migrations and exit
//   healthcheck             exit 0 when GET /api/health answers 200 (HEALTHCHECK)
import { accessSync, constants, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { effectiveConfigFile } from './env-config.mjs';

const SERVER = new URL('../apps/server/dist/main.js', import.meta.url);
const MIGRATE = new URL('../apps/server/dist/migrate.js', import.meta.url);
const HEALTH_TIMEOUT_MS = 3_000;

const [command = 'serve', ...rest] = process.argv.slice(2);

function fail(message, code) {
  process.stderr.write(`pbx-lite: ${message}\n`);
  process.exit(code);
}

/** DATA_DIR must be writable by the image's user; say how to fix a volume that is not. */
function checkDataDir() {
  const dir = resolve(process.env.DATA_DIR || './data');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.W_OK);
  } catch {
    const who = typeof process.getuid === 'function' ? `uid ${process.getuid()}` : 'this user';
    fail(`DATA_DIR ${dir} is not writable by ${who}: give the volume to that user (chown -R ${process.getuid?.() ?? ''}:${process.getgid?.() ?? ''} on the host)`, 1);
  }
}

function prepareConfig() {
  try {
    const file = effectiveConfigFile(process.env);
    if (file !== undefined) process.env.PBX_CONFIG = file;
  } catch (err) {
    // Exit code 2 and one line, like every other configuration error.
    fail(`config error: ${err instanceof Error ? err.message : String(err)}`, 2);
  }
}

async function healthcheck() {
  const port = process.env.HTTP_PORT || '8080';
  const host = !process.env.HTTP_HOST || process.env.HTTP_HOST === '0.0.0.0' || process.env.HTTP_HOST === '::' ? '127.0.0.1' : process.env.HTTP_HOST;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/api/health`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    process.exit(res.status === 200 ? 0 : 1);
  } catch {
    process.exit(1);
  }
}

switch (command) {
  case 'serve':
    checkDataDir();
    prepareConfig();
    await import(SERVER.href);
    break;
  case 'migrate':
    checkDataDir();
    prepareConfig();
    await import(MIGRATE.href);
    break;
  case 'healthcheck':
    await healthcheck();
    break;
  default:
    fail(`unknown command ${JSON.stringify([command, ...rest].join(' '))}: expected serve, migrate or healthcheck`, 64);
}
