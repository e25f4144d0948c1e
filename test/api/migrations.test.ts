import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { createTestDatabase } from '../support/index.js';

const run = promisify(execFile);
const MIGRATE = fileURLToPath(new URL('../../../apps/server/dist/migrate.js', import.meta.url));
const TABLES = ['admin_user', 'location', 'sca_subscriptions', 'silo', 'subscriber', 'version'];

async function migrate(env: Record<string, string>) {
  return run(process.execPath, [MIGRATE], { env: { PATH: process.env.PATH ?? '', ...env } });
}

describe('migrations (npm run migrate)', () => {
  test('on the embedded PGlite database: applied once, then up to date', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pbx-migrate-'));
    try {
      const first = await migrate({ DATA_DIR: dataDir });
      assert.match(first.stdout, /applied InitialSchema/);
      const second = await migrate({ DATA_DIR: dataDir });
      assert.match(second.stdout, /schema is up to date \(pglite\)/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('on the running PostgreSQL: Kamailio-shaped tables and versions', async () => {
    const db = await createTestDatabase();
    try {
      const first = await migrate({ DATABASE_URL: db.url, DATA_DIR: tmpdir() });
      assert.match(first.stdout, /applied InitialSchema/);
      assert.match((await migrate({ DATABASE_URL: db.url, DATA_DIR: tmpdir() })).stdout, /up to date \(postgres\)/);
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        const t = await c.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations' ORDER BY 1");
        assert.deepEqual(t.rows.map((r) => r.table_name), TABLES);
        const loc = await c.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'location'");
        for (const col of ['ruid', 'username', 'domain', 'contact', 'received', 'path', 'expires', 'q', 'callid', 'cseq', 'flags', 'cflags', 'user_agent', 'socket', 'methods', 'instance', 'reg_id', 'server_id', 'connection_id', 'keepalive', 'partition']) {
          assert.ok(loc.rows.some((r) => r.column_name === col), `location.${col}`);
        }
        const v = await c.query('SELECT table_name, table_version FROM version ORDER BY 1');
        assert.deepEqual(v.rows, [
          { table_name: 'location', table_version: 9 },
          { table_name: 'sca_subscriptions', table_version: 2 },
          { table_name: 'silo', table_version: 8 },
          { table_name: 'subscriber', table_version: 7 },
        ]);
      } finally {
        await c.end();
      }
    } finally {
      await db.drop();
    }
  });
});
