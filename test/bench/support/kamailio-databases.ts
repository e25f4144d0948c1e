import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createTestDatabase } from '../../support/postgres.js';
import { KAMAILIO_MODULES } from './kamailio.js';

/** Debian's kamailio packages ship each database module's schema here (what kamdbctl runs). */
export const KAMAILIO_SQL = '/usr/share/kamailio';

export interface ThrowawayDatabase {
  /** The URL as Kamailio's db_url takes it (`postgres://user@host:port/db`, `sqlite:///path`). */
  readonly url: string;
  drop(): Promise<void>;
}

/** Whether a Kamailio module (e.g. `db_sqlite`) is installed. */
export function hasKamailioModule(name: string): boolean {
  return existsSync(join(KAMAILIO_MODULES, `${name}.so`));
}

/**
 * A fresh PostgreSQL database on the test server (TEST_DATABASE_URL, user
 * postgres with trust auth on 127.0.0.1) holding Kamailio's own schema for
 * usrloc — `standard-create.sql` (the `version` table) and
 * `usrloc-create.sql` from kamailio-postgres-modules, as `kamdbctl create`
 * would load them — for `-A WITH_PGUL`.
 */
export async function kamailioLocationDatabase(): Promise<ThrowawayDatabase> {
  const db = await createTestDatabase();
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    for (const f of ['standard-create.sql', 'usrloc-create.sql']) await c.query(readFileSync(join(KAMAILIO_SQL, 'postgres', f), 'utf8'));
  } catch (err) {
    await c.end().catch(() => {});
    await db.drop();
    throw err;
  }
  await c.end();
  return { url: db.url, drop: db.drop };
}

/**
 * An SQLite file for auth_db (`-A WITH_AUTH`, kamailio-sqlite-modules'
 * `standard-create.sql` + `auth_db-create.sql`) holding `count`
 * subscribers `${prefix}1` … `${prefix}${count}` of `domain`, each with the
 * clear-text `password` (the reference cfg has auth_db compute HA1 from it:
 * `calculate_ha1 1`, `password_column "password"`).
 */
export function kamailioAuthDatabase(opts: { prefix: string; count: number; domain: string; password: string }): ThrowawayDatabase {
  if (!/^[A-Za-z0-9_.-]+$/.test(opts.prefix + opts.domain + opts.password)) throw new Error('prefix, domain and password must be plain tokens');
  const dir = mkdtempSync(join(tmpdir(), 'pbx-kamauth-'));
  const file = join(dir, 'auth.sqlite');
  const sql = [
    readFileSync(join(KAMAILIO_SQL, 'db_sqlite', 'standard-create.sql'), 'utf8'),
    readFileSync(join(KAMAILIO_SQL, 'db_sqlite', 'auth_db-create.sql'), 'utf8'),
    'BEGIN;',
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${Math.trunc(opts.count)})
     INSERT INTO subscriber (username, domain, password) SELECT '${opts.prefix}' || i, '${opts.domain}', '${opts.password}' FROM n;`,
    'COMMIT;',
  ].join('\n');
  const r = spawnSync('sqlite3', [file], { input: sql, encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`sqlite3 could not build ${file}: ${r.error?.message ?? r.stderr}`);
  }
  return { url: `sqlite://${file}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}
