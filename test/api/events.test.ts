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

  // The gateway listens to the bus only while a dashboard is connected: the last one leaving and a new one
  // arriving must not lose events, nor leave one dashboard with each event twice.
  test('a dashboard connecting after the others left gets every event once', async () => {
    const token = await srv.login();
    const connect = async () => {
      const socket = io(srv.httpUrl, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      return socket;
    };
    const first = await connect();
    const second = await connect();
    // Their disconnect packets go out before the next handshake starts (either order must hold anyway).
    second.close();
    first.close();
    const third = await connect();
    try {
      const seen: string[] = [];
      third.on('subscriber.changed', (e: { username: string }) => seen.push(e.username));
      for (const username of ['gina', 'hank']) {
        const r = await srv.api('/api/subscribers', { method: 'POST', token, body: { username, domain: 'example.com', password: `${username}-secret-1` } });
        assert.equal(r.status, 201);
      }
      await waitFor(async () => seen.length >= 2);
      // One more round trip on the same socket: a duplicate would have arrived by then.
      const r = await srv.api('/api/subscribers', { method: 'POST', token, body: { username: 'ivan', domain: 'example.com', password: 'ivan-secret-1' } });
      assert.equal(r.status, 201);
      await waitFor(async () => seen.includes('ivan'));
      assert.deepEqual(seen, ['gina', 'hank', 'ivan']);
    } finally {
      third.close();
    }
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
