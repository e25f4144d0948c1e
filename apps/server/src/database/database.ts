import { DataSource } from 'typeorm';
import { migrations } from '@pbx/migrations';
import { releaseInitdbMemory, startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';
import { entities } from './entities.js';

export type DatabaseBackend = 'pglite' | 'postgres';

export interface Database {
  readonly dataSource: DataSource;
  readonly backend: DatabaseBackend;
  /** Where the data lives: the PGlite directory or the server URL without password. */
  readonly location: string;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** `postgres://…` for a PostgreSQL server; unset = embedded PGlite in dataDir. */
  databaseUrl?: string;
  dataDir: string;
  /** Run pending migrations before returning (the server always does). */
  migrate?: boolean;
}

/** Opens the configured backend and, by default, brings its schema up to date. */
export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let dataSource: DataSource;
  if (opts.databaseUrl) {
    dataSource = new DataSource({
      type: 'postgres',
      url: opts.databaseUrl,
      entities,
      migrations,
      extra: { max: 10 },
    });
  } else {
    embedded = await startEmbeddedPostgres(opts.dataDir);
    dataSource = new DataSource({
      type: 'postgres',
      ...embedded.connection,
      entities,
      migrations,
      // PGlite is one session: one connection, or transactions would interleave.
      extra: { max: 1 },
    });
  }
  try {
    await dataSource.initialize();
    if (opts.migrate !== false) await dataSource.runMigrations({ transaction: 'each' });
    if (embedded?.fresh) await releaseInitdbMemory();
  } catch (err) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
    throw err;
  }
  return {
    dataSource,
    backend: embedded ? 'pglite' : 'postgres',
    location: embedded ? embedded.location : redactUrl(opts.databaseUrl!),
    async close() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
    },
  };
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres';
  }
}
