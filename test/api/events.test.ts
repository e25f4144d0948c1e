import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import { startServer, type TestServer } from '../support/index.js';

describe('socket.io event gateway', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer();
  });
  after(() => srv.destroy());

  test('a client without a token is refused with "unauthorized"', async () => {
    for (const auth of [{}, { token: 'v1.bad.token' }]) {
      const socket = io(srv.httpUrl, { auth, transports: ['websocket'], reconnection: false });
      const err = await new Promise<Error>((resolve, reject) => {
        socket.once('connect_error', resolve);
        socket.once('connect', () => reject(new Error('connected without a valid token')));
      });
      socket.close();
      assert.equal(err.message, 'unauthorized');
    }
  });

  test('an authenticated client receives subscriber.changed after a create', async () => {
    const token = await srv.login();
    const socket = io(srv.httpUrl, { auth: { token }, transports: ['websocket'], reconnection: false });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      const event = new Promise<{ action: string; username: string }>((resolve) => socket.once('subscriber.changed', resolve));
      const r = await srv.api('/api/subscribers', { method: 'POST', token, body: { username: 'frank', domain: 'example.com', password: 'frank-secret-1' } });
      assert.equal(r.status, 201);
      assert.deepEqual(await event, { action: 'created', id: r.body.id, username: 'frank', domain: 'example.com' });
    } finally {
      socket.close();
    }
  });
});
