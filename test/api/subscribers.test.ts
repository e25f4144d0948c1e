import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { BACKENDS, startServer, type TestServer } from '../support/index.js';

for (const backend of BACKENDS) {
  describe(`subscribers API (${backend})`, () => {
    let srv: TestServer;
    let token: string;
    before(async () => {
      srv = await startServer({ backend });
      token = await srv.login();
    });
    after(() => srv.destroy());

    const create = (body: unknown) => srv.api('/api/subscribers', { method: 'POST', body, token });

    test('create, read, change password, delete', async () => {
      const c = await create({ username: 'alice', domain: 'Example.COM', password: 'alice-secret-1' });
      assert.equal(c.status, 201);
      assert.equal(c.body.username, 'alice');
      assert.equal(c.body.domain, 'example.com', 'domains are stored lower-case');
      assert.equal(c.body.password, undefined, 'no password in the answer');
      const id = c.body.id;
      assert.equal((await srv.api(`/api/subscribers/${id}`, { token })).body.username, 'alice');
      const p = await srv.api(`/api/subscribers/${id}`, { method: 'PATCH', body: { password: 'alice-secret-2' }, token });
      assert.equal(p.status, 200);
      assert.equal((await srv.api(`/api/subscribers/${id}`, { method: 'DELETE', token })).status, 204);
      assert.equal((await srv.api(`/api/subscribers/${id}`, { token })).status, 404);
    });

    test('validation errors are 400 with a body naming each field', async () => {
      const r = await create({ username: 'bad user', domain: 'exa mple', password: 'short' });
      assert.equal(r.status, 400);
      const fields = r.body.errors.map((e: { field: string }) => e.field).sort();
      assert.deepEqual(fields, ['domain', 'password', 'username']);
      const missing = await create({});
      assert.equal(missing.status, 400);
      assert.equal(missing.body.errors.length, 3);
      const extra = await create({ username: 'bob', domain: 'example.com', password: 'bob-secret-1', admin: true });
      assert.equal(extra.status, 400, 'unknown fields are refused');
      const weak = await srv.api('/api/subscribers/1', { method: 'PATCH', body: { password: 'x' }, token });
      assert.equal(weak.status, 400);
      assert.equal(weak.body.errors[0].field, 'password');
      assert.equal((await srv.api('/api/subscribers?limit=100000', { token })).status, 400);
      assert.equal((await srv.api('/api/subscribers/abc', { token })).status, 400);
    });

    test('a duplicate username in the same domain is 409 naming the field', async () => {
      assert.equal((await create({ username: 'carol', domain: 'example.com', password: 'carol-secret-1' })).status, 201);
      const dup = await create({ username: 'carol', domain: 'example.com', password: 'carol-secret-2' });
      assert.equal(dup.status, 409);
      assert.equal(dup.body.errors[0].field, 'username');
      assert.equal((await create({ username: 'carol', domain: 'other.example', password: 'carol-secret-3' })).status, 201);
    });

    test('list with search, sort and paging', async () => {
      for (let i = 0; i < 25; i++) {
        const r = await create({ username: `user${String(i).padStart(2, '0')}`, domain: 'paging.example', password: 'paging-secret' });
        assert.equal(r.status, 201);
      }
      const page1 = await srv.api('/api/subscribers?search=paging.example&limit=10&offset=0&sort=username&order=asc', { token });
      assert.equal(page1.body.total, 25);
      assert.deepEqual(page1.body.items.map((s: { username: string }) => s.username), Array.from({ length: 10 }, (_, i) => `user${String(i).padStart(2, '0')}`));
      const page3 = await srv.api('/api/subscribers?search=paging.example&limit=10&offset=20&sort=username&order=desc', { token });
      assert.deepEqual(page3.body.items.map((s: { username: string }) => s.username), ['user04', 'user03', 'user02', 'user01', 'user00']);
      const one = await srv.api('/api/subscribers?search=user17', { token });
      assert.equal(one.body.total, 1);
      const none = await srv.api('/api/subscribers?search=%25', { token });
      assert.equal(none.body.total, 0, 'LIKE wildcards in the search are literal');
    });

    if (backend === 'postgres') {
      test('only digests are stored: ha1, ha1b and ha1_sha256, never the password', async () => {
        await create({ username: 'dave', domain: 'example.com', password: 'dave-secret-1' });
        const c = new pg.Client({ connectionString: srv.databaseUrl });
        await c.connect();
        const { rows } = await c.query("SELECT * FROM subscriber WHERE username = 'dave'");
        await c.end();
        const md5 = (s: string) => createHash('md5').update(s).digest('hex');
        assert.equal(rows[0].password, '');
        assert.equal(rows[0].ha1, md5('dave:example.com:dave-secret-1'));
        assert.equal(rows[0].ha1b, md5('dave@example.com:example.com:dave-secret-1'));
        assert.equal(rows[0].ha1_sha256, createHash('sha256').update('dave:example.com:dave-secret-1').digest('hex'));
        assert.ok(!JSON.stringify(rows).includes('dave-secret-1'));
      });
    }
  });
}
