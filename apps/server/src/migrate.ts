import { ConfigError, loadConfig } from './config/index.js';
import { lockDataDir } from './database/data-dir-lock.js';
import { openDatabase } from './database/database.js';

/** `npm run migrate`: brings the configured database's schema up to date and exits. */
async function main(): Promise<void> {
  const { env } = loadConfig(process.env);
  const unlock = env.databaseUrl ? () => {} : lockDataDir(env.dataDir);
  try {
    const db = await openDatabase({ databaseUrl: env.databaseUrl, dataDir: env.dataDir, migrate: false });
    const applied = await db.dataSource.runMigrations({ transaction: 'each' });
    process.stdout.write(
      applied.length ? `applied ${applied.map((m) => m.name).join(', ')}\n` : `schema is up to date (${db.backend})\n`,
    );
    await db.close();
  } finally {
    unlock();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : `migrate failed: ${String(err)}`}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
