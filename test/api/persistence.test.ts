import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, startServer } from '../support/index.js';

for (const backend of BACKENDS) {
  describe(`data survives a restart (${backend})`, () => {
    test('subscribers and the admin password are kept; SIGTERM exits 0 promptly', async () => {
      const first = await startServer({ backend });
      try {
        const token = await first.login();
        const c = await first.api('/api/subscribers', { method: 'POST', token, body: { username: 'erin', domain: 'example.com', password: 'erin-secret-1' } });
        assert.equal(c.status, 201);
        const t0 = Date.now();
        assert.equal(await first.stop('SIGTERM'), 0, 'graceful shutdown exits 0');
        assert.ok(Date.now() - t0 < 8000, 'within a few seconds');

        const second = await startServer({ backend, dataDir: first.dataDir, databaseUrl: first.databaseUrl });
        try {
          // The token was signed with a secret kept in DATA_DIR: still valid.
          const list = await second.api('/api/subscribers?search=erin', { token });
          assert.equal(list.status, 200);
          assert.equal(list.body.total, 1);
          assert.equal(await second.login().then((t) => typeof t), 'string');
        } finally {
          await second.stop();
        }
      } finally {
        await first.destroy();
      }
    });
  });
}

describe('generated admin password', () => {
  test('printed once on first start, kept hashed, not printed again', async () => {
    const env = { ADMIN_PASSWORD: '' };
    const first = await startServer({ env });
    try {
      const line = first.output.find((l) => l.includes('Admin login: admin / '));
      assert.ok(line, 'the banner shows the generated password');
      const password = line!.split('Admin login: admin / ')[1]!.trim();
      assert.ok(password.length >= 20, 'a strong password');
      const ok = await first.api('/api/auth/login', { method: 'POST', body: { username: 'admin', password } });
      assert.equal(ok.status, 200);
      await first.stop();
      const second = await startServer({ env, dataDir: first.dataDir });
      try {
        assert.ok(!second.output.some((l) => l.includes('Admin login:')), 'not shown again');
        const again = await second.api('/api/auth/login', { method: 'POST', body: { username: 'admin', password } });
        assert.equal(again.status, 200);
      } finally {
        await second.stop();
      }
    } finally {
      await first.destroy();
    }
  });
});
