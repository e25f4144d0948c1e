import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * The embedded default database: PGlite (the PostgreSQL engine compiled to
 * WASM, in-process) kept in `DATA_DIR/pgdata`, served over the PostgreSQL
 * wire protocol by pglite-socket so that TypeORM's `pg` driver is the one
 * code path for both backends: same driver, same SQL, same migrations.
 *
 * PGlite is a single session, so the server takes one connection and the
 * pool must be of size 1 (several sockets would interleave transactions).
 * It listens on a Unix socket inside DATA_DIR (not a TCP port) so no other
 * local user can reach it; a path too long for a socket falls back to a
 * loopback TCP port.
 */
export interface EmbeddedPostgres {
  /** node-postgres connection settings reaching the embedded server. */
  readonly connection: { host: string; port: number; username: string; database: string };
  readonly location: string;
  /** True when this start created the database (initdb ran). */
  readonly fresh: boolean;
  stop(): Promise<void>;
}

const SOCKET_PORT = 5432;
/**
 * PGlite's buffer pool lives in the process's own memory. The engines keep
 * their working state in memory and the database serves writes and admin
 * reads (its files stay in the kernel's page cache besides), so PostgreSQL's
 * default 128 MB pool would be that much more resident memory for little
 * gain: with 16 MB the appliance starts on an existing data directory at
 * ~260 MB resident instead of ~390 MB (measured; a first start, which also
 * runs initdb, holds more until V8 collects initdb's memory).
 */
const EMBEDDED_SETTINGS = ['shared_buffers = 16MB'];
const MAX_UNIX_PATH = 100;

/**
 * A first start runs initdb in a WASM instance of its own, whose memory
 * (~400 MB) is garbage once the database is up but stays resident until
 * V8's next full collection — which an idle appliance may not run for a
 * long time. The start commands (`npm start`, the image's entrypoint) run
 * Node with --expose-gc so that a first start hands it back at once
 * (measured after a first start: 350–870 MB resident without, depending on
 * whether V8 happened to collect yet; 360–395 MB with).
 * Called once the database is open and migrated, a turn later: until then
 * PGlite's start-up still holds the instance.
 */
export async function releaseInitdbMemory(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return;
  await new Promise((r) => setImmediate(r));
  gc();
}

export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const pgdata = join(dataDir, 'pgdata');
  const runDir = join(dataDir, 'run');
  mkdirSync(pgdata, { recursive: true, mode: 0o700 });
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  const fresh = !existsSync(join(pgdata, 'PG_VERSION'));
  const db = await PGlite.create(pgdata, { postgresqlconf: EMBEDDED_SETTINGS });

  const socketPath = join(runDir, `.s.PGSQL.${SOCKET_PORT}`);
  const useUnix = socketPath.length <= MAX_UNIX_PATH;
  // A socket file left by a killed process would make listen() fail; the
  // data-dir lock (data-dir-lock.ts) guarantees no live owner uses it.
  if (useUnix) rmSync(socketPath, { force: true });
  const server = useUnix
    ? new PGLiteSocketServer({ db, path: socketPath, maxConnections: 1 })
    : new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  const conn = server.getServerConn();
  const port = useUnix ? SOCKET_PORT : Number(conn.slice(conn.lastIndexOf(':') + 1));

  return {
    connection: { host: useUnix ? runDir : '127.0.0.1', port, username: 'postgres', database: 'postgres' },
    location: pgdata,
    fresh,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
