import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createTestDatabase } from '../../support/postgres.js';
import { SERVER_MAIN } from '../../support/server.js';
import type { ThrowawayDatabase } from './kamailio-databases.js';

/** `npm run migrate` of the built server, beside its main. */
const MIGRATE_MAIN = SERVER_MAIN.replace(/main\.js$/, 'migrate.js');

export interface SubscriberSet {
  readonly prefix: string;
  readonly count: number;
  readonly domain: string;
  readonly password: string;
}

/**
 * A fresh PostgreSQL database with our schema (the server's own
 * migrations) and `count` subscribers `${prefix}1` … `${prefix}${count}`,
 * written straight into the `subscriber` table — 100k through the admin API
 * would take minutes. The server loads every credential at start, so this
 * comes before `startServer({ backend: 'postgres', databaseUrl })`.
 *
 * The digests are those of apps/server/src/subscribers/digest-ha1.ts, realm
 * = domain (no `core.realm`): ha1 = MD5(user:realm:pw), ha1b =
 * MD5(user@domain:realm:pw), ha1_sha256 = SHA-256(user:realm:pw), computed
 * by PostgreSQL in one INSERT … SELECT; the first row is checked against
 * the same formula computed here.
 */
export async function pbxDatabaseWithSubscribers(set: SubscriberSet): Promise<ThrowawayDatabase> {
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'pbx-bench-migrate-'));
  try {
    const r = spawnSync(process.execPath, [MIGRATE_MAIN], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATABASE_URL: db.url, DATA_DIR: dataDir },
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (r.error || r.status !== 0) throw new Error(`migrate failed: ${r.error?.message ?? r.stderr}`);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      await c.query(
        `INSERT INTO subscriber (username, domain, ha1, ha1b, ha1_sha256)
         SELECT u, $2::text, md5(u || ':' || $2 || ':' || $3),
                md5(u || '@' || $2 || ':' || $2 || ':' || $3),
                encode(sha256(convert_to(u || ':' || $2 || ':' || $3, 'UTF8')), 'hex')
         FROM (SELECT $1::text || i AS u FROM generate_series(1, $4::int) AS i) AS s`,
        [set.prefix, set.domain, set.password, set.count],
      );
      const first = `${set.prefix}1`;
      const row = (await c.query('SELECT ha1, ha1_sha256 FROM subscriber WHERE username = $1', [first])).rows[0] as { ha1: string; ha1_sha256: string };
      const h = (alg: string, s: string) => createHash(alg).update(s, 'utf8').digest('hex');
      if (row?.ha1 !== h('md5', `${first}:${set.domain}:${set.password}`) || row.ha1_sha256 !== h('sha256', `${first}:${set.domain}:${set.password}`)) {
        throw new Error(`subscriber digests written for ${first} do not match digest-ha1.ts's formula`);
      }
    } finally {
      await c.end();
    }
  } catch (err) {
    await db.drop();
    throw err;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { url: db.url, drop: db.drop };
}
