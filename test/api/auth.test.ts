import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/index.js';

describe('admin login and the API shell', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer();
  });
  after(() => srv.destroy());

  test('POST /api/auth/login with the admin password answers {token}', async () => {
    const r = await srv.api('/api/auth/login', { method: 'POST', body: { username: 'admin', password: srv.adminPassword } });
    assert.equal(r.status, 200);
    assert.match(r.body.token, /^v1\./);
    assert.ok(Date.parse(r.body.expiresAt) > Date.now());
  });

  test('a wrong password or unknown user is 401 with the same message', async () => {
    const a = await srv.api('/api/auth/login', { method: 'POST', body: { username: 'admin', password: 'nope' } });
    const b = await srv.api('/api/auth/login', { method: 'POST', body: { username: 'root', password: 'nope' } });
    assert.equal(a.status, 401);
    assert.equal(b.status, 401);
    assert.equal(a.body.message, b.body.message);
  });

  test('a login body without a password is a 400 naming the field', async () => {
    const r = await srv.api('/api/auth/login', { method: 'POST', body: { username: 'admin' } });
    assert.equal(r.status, 400);
    assert.deepEqual(r.body.errors.map((e: { field: string }) => e.field), ['password']);
  });

  test('every /api route but login and health answers 401 without a valid token', async () => {
    for (const path of ['/api/subscribers', '/api/stats', '/api/system', '/api/config', '/api/stats/history', '/metrics']) {
      assert.equal((await srv.api(path)).status, 401, `${path} without a token`);
      assert.equal((await srv.api(path, { token: 'v1.forged.token' })).status, 401, `${path} with a forged token`);
    }
    const health = await srv.api('/api/health');
    assert.equal(health.status, 200);
    assert.equal(health.body.database, 'ok');
  });

  test('logout revokes the token it was sent with', async () => {
    const token = await srv.login();
    assert.equal((await srv.api('/api/system', { token })).status, 200);
    assert.equal((await srv.api('/api/auth/logout', { method: 'POST', token })).status, 204);
    assert.equal((await srv.api('/api/system', { token })).status, 401);
  });

  test('the OpenAPI description lists the routes', async () => {
    const r = await srv.api('/api/docs/openapi.json');
    assert.equal(r.status, 200);
    for (const p of ['/api/auth/login', '/api/subscribers', '/api/subscribers/{id}', '/api/health', '/api/stats', '/metrics', '/api/config']) {
      assert.ok(r.body.paths[p], `${p} documented`);
    }
  });

  test('GET /api/config shows the effective configuration with secrets redacted', async () => {
    const token = await srv.login();
    const r = await srv.api('/api/config', { token });
    assert.equal(r.status, 200);
    assert.equal(r.body.pbx.registrar.default_expires, 3600); // seed default (kamailio-registrar default_expires)
    assert.equal(r.body.env.adminPassword, '[redacted]');
    assert.ok(!JSON.stringify(r.body).includes(srv.adminPassword));
  });

  test('GET /api/stats and /metrics expose the statistics registry', async () => {
    const token = await srv.login();
    const stats = await srv.api('/api/stats', { token });
    assert.equal(stats.status, 200);
    assert.equal(typeof stats.body, 'object');
    const metrics = await srv.api('/metrics', { token });
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get('content-type') ?? '', /text\/plain/);
    assert.match(metrics.body, /pbx_process_resident_memory_bytes/);
  });

  // Runs last: it locks this client out of logging in.
  test('repeated failed logins are throttled with 429', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) {
      codes.push((await srv.api('/api/auth/login', { method: 'POST', body: { username: 'admin', password: `bad-${i}` } })).status);
    }
    assert.ok(codes.includes(429), `codes ${codes}`);
    const locked = await srv.api('/api/auth/login', { method: 'POST', body: { username: 'admin', password: srv.adminPassword } });
    assert.equal(locked.status, 429, 'even the right password waits out the lockout');
    assert.ok(locked.body.retryAfterSec > 0);
  });
});
