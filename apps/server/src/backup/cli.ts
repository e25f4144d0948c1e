import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/index.js';
import { lockDataDir } from '../database/data-dir-lock.js';
import { openDatabase, type Database } from '../database/database.js';
import { BackupError } from './backup-errors.js';
import { countsOf, type BackupCounts } from './backup-format.js';
import { BackupService } from './backup-service.js';
import { tableBindings } from './binding-store.js';

const USAGE = `Backup and restore with the appliance stopped: opens its database directly.

  npm run backup [-- --out FILE]         write a backup file (default: pbx-lite-backup-<time>.json; - = stdout)
  npm run restore -- FILE [--replace]    restore FILE into an empty database (--replace: replace what it holds)

The database is the appliance's: DATABASE_URL, else the embedded one in DATA_DIR
(PBX_CONFIG is read for usrloc settings). The embedded database is locked while
the appliance runs; back up a running appliance from the dashboard's Settings
page or GET /api/backup instead.
Exit codes: 0 done, 1 failed, 2 bad configuration or not a valid backup file,
3 the database already holds data (restore without --replace).`;

/**
 * `npm run backup` / `npm run restore`: the offline form of the dashboard's
 * Settings page. It opens the database itself rather than calling a running
 * appliance's API, so it needs no password and works on a stopped
 * appliance (before an upgrade, on a copied data volume). Bindings come
 * from the `location` table: with usrloc.db_mode 2 that is what the last
 * graceful stop flushed; db_mode 0 keeps none there.
 */
async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { out: { type: 'string', short: 'o' }, replace: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, file] = positionals;
  if (values.help || (command !== 'backup' && command !== 'restore') || (command === 'restore' && !file)) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const config = loadConfig(process.env);
  const { env, pbx } = config;
  const unlock = env.databaseUrl ? () => {} : lockStopped(env.dataDir);
  let db: Database | undefined;
  try {
    // A restore may be the first thing a new data volume sees: bring its schema up first.
    db = await openDatabase({ databaseUrl: env.databaseUrl, dataDir: env.dataDir, migrate: command === 'restore' });
    const ds = db.dataSource;
    const query = (sql: string, params?: unknown[]) => ds.query(sql, params);
    const service = new BackupService({
      query,
      transaction: (fn) => ds.transaction((em) => fn((sql, params) => em.query(sql, params))),
      bindings: tableBindings(query, pbx.usrloc.use_domain === 1),
      source: { appliance: readVersion(), backend: db.backend, dbMode: pbx.usrloc.db_mode },
    });
    if (command === 'backup') {
      const backup = await service.export();
      const text = JSON.stringify(backup, null, 2) + '\n';
      const out = values.out ?? `pbx-lite-backup-${backup.createdAt!.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.json`;
      if (out === '-') process.stdout.write(text);
      else writeFileSync(out, text, { mode: 0o600 });
      say(out === '-', `backup written${out === '-' ? '' : ` to ${out}`}: ${describe(countsOf(backup))} (${db.backend})`);
      if (pbx.usrloc.db_mode === 0) say(out === '-', 'note: usrloc.db_mode 0 keeps bindings in memory only; GET /api/backup on the running appliance includes them');
    } else {
      const r = await service.restore(readFileSync(file!, 'utf8'), { replace: values.replace });
      say(false, `restored ${describe(r.restored)}${r.expiredBindings ? ` (${r.expiredBindings} expired binding(s) skipped)` : ''} into ${db.location}`);
    }
    return 0;
  } finally {
    await db?.close();
    unlock();
  }
}

/** The embedded database is one process's: refuse clearly while the appliance holds it. */
function lockStopped(dataDir: string): () => void {
  try {
    return lockDataDir(dataDir);
  } catch (err) {
    throw new Error(`${(err as Error).message}: stop the appliance first, or use the dashboard's Settings page (GET /api/backup, POST /api/backup/restore) while it runs`);
  }
}

function describe(c: BackupCounts): string {
  return `${c.subscribers} subscriber(s), ${c.bindings} binding(s), ${c.messages} stored message(s), ${c.scaSubscriptions} SCA subscription(s)`;
}

/** Progress goes to stderr when stdout carries the backup itself. */
function say(toStderr: boolean, line: string): void {
  (toStderr ? process.stderr : process.stdout).write(`${line}\n`);
}

function readVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    if (err instanceof BackupError) {
      process.stderr.write(`${err.message}\n${err.errors.length > 1 ? err.errors.map((e) => `  ${e.field}: ${e.message}\n`).join('') : ''}`);
      process.exit(err.exitCode);
    }
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
