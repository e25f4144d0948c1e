import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lines } from './lines.js';
import { createTestDatabase } from './postgres.js';

export type Backend = 'pglite' | 'postgres';
/** Every database backend the suite runs against. */
export const BACKENDS: Backend[] = ['pglite', 'postgres'];

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const SERVER_MAIN = join(ROOT, 'apps/server/dist/main.js');
/** The Node options of package.json's `start` (`node <options> apps/server/dist/main.js`), as the image's entrypoint: tests run the server as it ships. */
export const NODE_START_ARGS: readonly string[] = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start
  .split(/\s+/)
  .filter((a) => a.startsWith('--'));
const READY_TIMEOUT_MS = 60_000;

export interface ServerOptions {
  backend?: Backend;
  /** Reuse the data of an earlier server (restart tests). */
  dataDir?: string;
  databaseUrl?: string;
  env?: Record<string, string>;
  /** The YAML of PBX_CONFIG: written to a temporary file that destroy() removes. */
  config?: string;
  /** Node options before the script, besides the start command's own (e.g. `--cpu-prof` for a benchmark's profile). */
  nodeArgs?: readonly string[];
}

/** A socket the server listens on, from its `ready` log line. */
export interface Listener {
  protocol: 'sip' | 'msrp' | 'http';
  transport: 'udp' | 'tcp' | 'tls' | 'ws' | 'wss' | 'http';
  address: string;
  port: number;
}

export interface TestServer {
  readonly httpUrl: string;
  readonly listeners: Listener[];
  /** The SIP listener of a transport (throws when the server does not listen on it). */
  sip(transport: Listener['transport']): Listener;
  readonly adminPassword: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly backend: Backend;
  readonly proc: ChildProcess;
  /** Every line the process wrote, stdout and stderr. */
  readonly output: string[];
  login(): Promise<string>;
  api(path: string, init?: { method?: string; body?: unknown; token?: string | null; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  /** SIGTERM (graceful) and wait; resolves the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Stop and remove the data (database and directory). */
  destroy(): Promise<void>;
}

/**
 * Starts the real built appliance (`node apps/server/dist/main.js`) on
 * loopback with free ports, and resolves once it logs `ready`.
 */
export async function startServer(opts: ServerOptions = {}): Promise<TestServer> {
  const backend = opts.backend ?? 'pglite';
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'pbx-test-'));
  let databaseUrl = opts.databaseUrl;
  let dropDb: (() => Promise<void>) | undefined;
  if (backend === 'postgres' && !databaseUrl) {
    const db = await createTestDatabase();
    databaseUrl = db.url;
    dropDb = db.drop;
  }
  let configDir: string | undefined;
  if (opts.config !== undefined) {
    configDir = mkdtempSync(join(tmpdir(), 'pbx-cfg-'));
    writeFileSync(join(configDir, 'pbx.yaml'), opts.config);
  }
  const removeConfig = () => configDir && rmSync(configDir, { recursive: true, force: true });
  const adminPassword = opts.env?.ADMIN_PASSWORD ?? 'test-admin-password';
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    SIP_LISTEN: 'udp:127.0.0.1:0,tcp:127.0.0.1:0',
    MSRP_LISTEN: 'tcp:127.0.0.1:0',
    ADMIN_PASSWORD: adminPassword,
    LOG_LEVEL: 'info',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(configDir ? { PBX_CONFIG: join(configDir, 'pbx.yaml') } : {}),
    ...opts.env,
  };
  const proc = spawn(process.execPath, [...NODE_START_ARGS, ...(opts.nodeArgs ?? []), SERVER_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  let listeners: Listener[] = [];
  const httpUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server not ready in ${READY_TIMEOUT_MS} ms:\n${output.join('\n')}`)), READY_TIMEOUT_MS);
    const onLine = (line: string) => {
      output.push(line);
      if (!line.startsWith('{')) return;
      try {
        const rec = JSON.parse(line) as { msg?: string; httpUrl?: string; listeners?: Listener[] };
        if (rec.msg === 'ready' && rec.httpUrl) {
          clearTimeout(timer);
          listeners = rec.listeners ?? [];
          resolve(rec.httpUrl);
        }
      } catch {
        /* not a log record */
      }
    };
    lines(proc.stdout!, onLine);
    lines(proc.stderr!, onLine);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before ready:\n${output.join('\n')}`));
    });
  }).catch(async (err: unknown) => {
    // A server that never got ready is not left running, nor its temporary files.
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    removeConfig();
    await dropDb?.();
    throw err;
  });

  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const server: TestServer = {
    httpUrl,
    listeners,
    sip(transport) {
      const l = listeners.find((x) => x.protocol === 'sip' && x.transport === transport);
      if (!l) throw new Error(`the server has no SIP ${transport} listener`);
      return l;
    },
    adminPassword,
    dataDir,
    databaseUrl,
    backend,
    proc,
    output,
    async login() {
      const r = await server.api('/api/auth/login', { method: 'POST', body: { username: 'admin', password: adminPassword }, token: null });
      if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.token as string;
    },
    async api(path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      if (init.body !== undefined) headers['content-type'] = 'application/json';
      if (init.token) headers.authorization = `Bearer ${init.token}`;
      const res = await fetch(httpUrl + path, {
        method: init.method ?? 'GET',
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        /* plain text */
      }
      return { status: res.status, body, headers: res.headers };
    },
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
    async destroy() {
      await server.stop();
      await dropDb?.();
      removeConfig();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

