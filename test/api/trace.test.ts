import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import { SipTestClient, startServer, type TestServer } from '../support/index.js';

describe('SIP trace captures (POST/GET/DELETE /api/trace)', () => {
  let srv: TestServer;
  let token: string;
  before(async () => {
    srv = await startServer();
    token = await srv.login();
  });
  after(() => srv?.destroy());

  test('a capture for a Call-ID gets the request and the reply, live and by GET', async () => {
    const socket = io(srv.httpUrl, { auth: { token }, transports: ['websocket'], reconnection: false });
    const c = await SipTestClient.open('udp', srv.sip('udp'));
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      const r = c.request({ method: 'OPTIONS', uri: `sip:127.0.0.1:${c.server.port}` });
      const start = await srv.api('/api/trace', { method: 'POST', token, body: { callId: r.callId } });
      assert.equal(start.status, 201);
      const id = start.body.id as string;
      const live: Array<{ captureId: string; message: { direction: string; summary: string } }> = [];
      const two = new Promise<void>((resolve) =>
        socket.on('trace.message', (e) => {
          live.push(e);
          if (live.length === 2) resolve();
        }),
      );
      // An unrelated message is not captured.
      await c.call({ method: 'OPTIONS', uri: `sip:127.0.0.1:${c.server.port}` });
      c.send(r.text);
      await c.response(r.callId);
      await two;
      assert.deepEqual(live.map((e) => [e.captureId, e.message.direction]), [[id, 'in'], [id, 'out']]);
      assert.match(live[1]!.message.summary, /^SIP\/2\.0 200 OK$/);
      const got = await srv.api(`/api/trace/${id}`, { token });
      assert.equal(got.status, 200);
      assert.equal(got.body.messages.length, 2);
      assert.match(got.body.messages[0].text, /^OPTIONS sip:/);
      assert.equal(got.body.messages[0].remote, `127.0.0.1:${c.localPort}`);
      assert.equal((await srv.api(`/api/trace/${id}`, { method: 'DELETE', token })).status, 204);
      assert.equal((await srv.api(`/api/trace/${id}`, { token })).status, 404);
    } finally {
      socket.close();
      c.close();
    }
  });

  test('a capture stops by itself at maxMessages', async () => {
    const c = await SipTestClient.open('udp', srv.sip('udp'));
    try {
      const start = await srv.api('/api/trace', { method: 'POST', token, body: { source: '127.0.0.1', maxMessages: 3 } });
      assert.equal(start.status, 201);
      for (let i = 0; i < 3; i++) await c.call({ method: 'OPTIONS', uri: `sip:127.0.0.1:${c.server.port}` });
      const got = await srv.api(`/api/trace/${start.body.id}`, { token });
      assert.equal(got.body.messages.length, 3);
      assert.equal(got.body.stopReason, 'limit');
    } finally {
      c.close();
    }
  });

  test('bad input is a 400 naming the field', async () => {
    const none = await srv.api('/api/trace', { method: 'POST', token, body: {} });
    assert.equal(none.status, 400);
    assert.equal(none.body.errors[0].field, 'aor');
    const big = await srv.api('/api/trace', { method: 'POST', token, body: { callId: 'x', maxMinutes: 100000 } });
    assert.equal(big.status, 400);
    assert.equal(big.body.errors[0].field, 'maxMinutes');
    const bad = await srv.api('/api/trace', { method: 'POST', token, body: { source: 'not an address' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].field, 'source');
  });
});
