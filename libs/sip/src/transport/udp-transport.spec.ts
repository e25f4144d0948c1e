import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { once } from 'node:events';
import { SipTransportLayer } from './sip-transport-layer.js';
import { Condition, ipv6Available, RecordingHandler } from './spec-support.js';
import type { TransportError } from './transport-error.js';
import type { Peer } from './types.js';

/** A plain dgram client that records what it receives. */
async function client(type: 'udp4' | 'udp6', host: string): Promise<{
  socket: DgramSocket;
  got: Buffer[];
  changed: Condition;
}> {
  const socket = createSocket(type);
  const got: Buffer[] = [];
  const changed = new Condition();
  socket.on('message', (m) => {
    got.push(m);
    changed.poke();
  });
  socket.bind(0, host);
  await once(socket, 'listening');
  return { socket, got, changed };
}

describe('UDP transport (RFC 3261 §18)', () => {
  const handler = new RecordingHandler();
  const layer = new SipTransportLayer({
    listen: [{ transport: 'udp', host: '127.0.0.1', port: 0 }],
    limits: { maxMessageSize: 4096 },
    idleTimeoutMs: 0,
    handler,
  });
  let port = 0;

  before(async () => {
    await layer.start();
    port = layer.listeners()[0]!.boundPort;
  });
  after(() => layer.stop());

  test('listeners() reports the OS-picked port', () => {
    const [l] = layer.listeners();
    assert.equal(l!.transport, 'udp');
    assert.equal(l!.port, 0);
    assert.ok(l!.boundPort > 0);
  });

  test('round trip: a datagram is one message, and answering to the source Peer reaches the client', async () => {
    const c = await client('udp4', '127.0.0.1');
    handler.onEach = (data, source) => {
      if (source.port === c.socket.address().port) layer.send(Buffer.from(`echo ${data.length}`), source);
    };
    const msg = Buffer.from('OPTIONS sip:x SIP/2.0\r\nCall-ID: u1\r\n\r\n'); // no Content-Length needed on UDP
    c.socket.send(msg, port, '127.0.0.1');
    await c.changed.until(() => c.got.length === 1, 'the echo');
    assert.equal(c.got[0]!.toString(), `echo ${msg.length}`);
    const m = handler.messages.at(-1)!;
    assert.deepEqual(m.data, msg);
    assert.deepEqual(m.source, {
      transport: 'udp',
      address: '127.0.0.1',
      port: c.socket.address().port,
      connectionId: 0,
      localAddress: '127.0.0.1',
      localPort: port,
    } satisfies Peer);
    handler.onEach = undefined;
    c.socket.close();
  });

  test('CRLF datagrams are keep-alives (ignored); STUN goes to onDatagramOther; oversize is refused', async () => {
    const c = await client('udp4', '127.0.0.1');
    const before = layer.stats();
    const messagesBefore = handler.messages.length;
    const stun = Buffer.from('000100002112a442b7e7a701bc34d686fa87dfae', 'hex');
    c.socket.send(Buffer.from('\r\n\r\n'), port, '127.0.0.1');
    c.socket.send(stun, port, '127.0.0.1');
    c.socket.send(Buffer.from(`OPTIONS sip:x SIP/2.0\r\nX-Pad: ${'p'.repeat(5000)}\r\n\r\n`), port, '127.0.0.1');
    c.socket.send(Buffer.from('\r\nOPTIONS sip:last SIP/2.0\r\n\r\n'), port, '127.0.0.1');
    await handler.until(
      () => layer.stats().udpKeepAlives > before.udpKeepAlives && handler.other.length > 0 && handler.framing.length > 0 &&
        handler.messages.length > messagesBefore,
      'all four datagrams',
    );
    assert.deepEqual(handler.other.at(-1)!.data, stun);
    assert.match(handler.framing.at(-1)!.reason, /exceeds 4096/);
    assert.equal(handler.messages.length, messagesBefore + 1, 'only the SIP message is a message');
    assert.equal(handler.messages.at(-1)!.data.toString(), 'OPTIONS sip:last SIP/2.0\r\n\r\n', 'leading CRLF stripped');
    c.socket.close();
  });

  test('send with a callback reports the path taken; an IPv6 target without a udp6 socket fails at once', async () => {
    const c = await client('udp4', '127.0.0.1');
    const via = await layer.sendAsync(Buffer.from('hi'), { transport: 'udp', address: '127.0.0.1', port: c.socket.address().port });
    assert.equal(via.localPort, port);
    assert.equal(via.connectionId, 0);
    await c.changed.until(() => c.got.length === 1, 'the datagram');

    let error: TransportError | null = null;
    let calledBeforeReturn = false;
    let returned = false;
    const ok = layer.send(Buffer.from('x'), { transport: 'udp', address: '::1', port: 9 }, (err) => {
      error = err;
      calledBeforeReturn = !returned;
    });
    returned = true;
    assert.equal(ok, false);
    await new Promise((r) => setImmediate(r));
    assert.equal(calledBeforeReturn, false, 'the callback never runs before send returns');
    assert.equal((error as TransportError | null)?.code, 'no_listener');
    c.socket.close();
  });

  test('sending after stop() fails with "stopped" and never throws', async () => {
    const l = new SipTransportLayer({
      listen: [{ transport: 'udp', host: '127.0.0.1', port: 0 }],
      limits: { maxMessageSize: 4096 },
      idleTimeoutMs: 0,
      handler: new RecordingHandler(),
    });
    await l.start();
    await l.stop();
    await assert.rejects(l.sendAsync(Buffer.from('x'), { transport: 'udp', address: '127.0.0.1', port: 9 }), {
      code: 'stopped',
    });
  });

  test('start() rejects naming the spec when the port is taken', async () => {
    const l = new SipTransportLayer({
      listen: [{ transport: 'udp', host: '127.0.0.1', port }],
      limits: { maxMessageSize: 4096 },
      idleTimeoutMs: 0,
      handler: new RecordingHandler(),
    });
    await assert.rejects(l.start(), new RegExp(`udp:127.0.0.1:${port}.*EADDRINUSE`));
    await l.stop();
  });
});

describe('UDP over IPv6 (::1)', async () => {
  const v6 = await ipv6Available();
  test('round trip on ::1 with the peer address unbracketed', { skip: v6 ? false : 'no IPv6 loopback here' }, async () => {
    const handler = new RecordingHandler();
    const layer = new SipTransportLayer({
      listen: [
        { transport: 'udp', host: '127.0.0.1', port: 0 },
        { transport: 'udp', host: '::1', port: 0 },
      ],
      limits: { maxMessageSize: 4096 },
      idleTimeoutMs: 0,
      handler,
    });
    await layer.start();
    try {
      const port6 = layer.listeners()[1]!.boundPort;
      const c = await client('udp6', '::1');
      handler.onEach = (data, source) => layer.send(data, source);
      c.socket.send(Buffer.from('OPTIONS sip:v6 SIP/2.0\r\n\r\n'), port6, '::1');
      await c.changed.until(() => c.got.length === 1, 'the echo over IPv6');
      const src = handler.messages[0]!.source;
      assert.equal(src.address, '::1');
      assert.equal(src.localAddress, '::1');
      assert.equal(src.localPort, port6);
      // A bracketed target picks the IPv6 socket too.
      await layer.sendAsync(Buffer.from('b'), { transport: 'udp', address: '[::1]', port: c.socket.address().port });
      await c.changed.until(() => c.got.length === 2, 'the bracketed send');
      c.socket.close();
    } finally {
      await layer.stop();
    }
  });

  test('a dual-stack "::" socket serves IPv4 peers: plain IPv4 in the Peer, replies through the mapped address', { skip: v6 ? false : 'no IPv6 here' }, async () => {
    const handler = new RecordingHandler();
    const layer = new SipTransportLayer({
      listen: [{ transport: 'udp', host: '::', port: 0 }],
      limits: { maxMessageSize: 4096 },
      idleTimeoutMs: 0,
      handler,
    });
    await layer.start();
    try {
      const port = layer.listeners()[0]!.boundPort;
      const c = await client('udp4', '127.0.0.1');
      handler.onEach = (data, source) => layer.send(data, source);
      c.socket.send(Buffer.from('OPTIONS sip:dual SIP/2.0\r\n\r\n'), port, '127.0.0.1');
      await c.changed.until(() => c.got.length === 1, 'the echo');
      assert.equal(handler.messages[0]!.source.address, '127.0.0.1');
      // With no IPv4 socket, an IPv4 target goes out of the dual-stack one.
      const via = await layer.sendAsync(Buffer.from('v4'), { transport: 'udp', address: '127.0.0.1', port: c.socket.address().port });
      assert.equal(via.address, '127.0.0.1');
      await c.changed.until(() => c.got.length === 2, 'the IPv4 send');
      c.socket.close();
    } finally {
      await layer.stop();
    }
  });
});
