import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { SipTransportLayer } from './sip-transport-layer.js';
import { cleanup, Collector, ipv6Available, RecordingHandler, sipRequest, track } from './spec-support.js';
import type { TransportError } from './transport-error.js';
import type { SipTransportOptions } from './types.js';

afterEach(cleanup);

/** A layer stopped after each test by `cleanup` (the shared one of the first suite is not). */
function tcpLayer(handler: RecordingHandler, extra: Partial<SipTransportOptions> = {}): SipTransportLayer {
  return track(sharedTcpLayer(handler, extra));
}

function sharedTcpLayer(handler: RecordingHandler, extra: Partial<SipTransportOptions> = {}): SipTransportLayer {
  return (new SipTransportLayer({
    listen: [{ transport: 'tcp', host: '127.0.0.1', port: 0 }],
    limits: { maxMessageSize: 8192, maxHeaderSize: 2048 },
    idleTimeoutMs: 30_000,
    handler,
    ...extra,
  }));
}

async function dial(port: number, host = '127.0.0.1'): Promise<Collector> {
  const socket = connect(port, host);
  socket.setNoDelay(true);
  await once(socket, 'connect');
  return new Collector(socket);
}

function write(socket: Socket, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => socket.write(data, (err) => (err ? reject(err) : resolve())));
}

describe('TCP transport: framing (RFC 3261 §18.3)', () => {
  const handler = new RecordingHandler();
  const layer = sharedTcpLayer(handler);
  let port = 0;
  before(async () => {
    await layer.start();
    port = layer.listeners()[0]!.boundPort;
  });
  after(() => layer.stop());

  test('a message written one byte at a time arrives whole, once', async () => {
    const c = await dial(port);
    const msg = sipRequest('bytewise', 'body bytes');
    const before = handler.messages.length;
    for (const byte of Buffer.from(msg)) await write(c.socket, Buffer.from([byte]));
    await handler.until(() => handler.messages.length === before + 1, 'the reassembled message');
    assert.equal(handler.messages.at(-1)!.data.toString(), msg);
    c.socket.destroy();
  });

  test('several messages merged in one write arrive separately and in order, with the connection id', async () => {
    const c = await dial(port);
    const msgs = [sipRequest('a', 'one'), sipRequest('b'), sipRequest('c', 'three')];
    const before = handler.messages.length;
    await write(c.socket, msgs.join(''));
    await handler.until(() => handler.messages.length === before + 3, 'three messages');
    const got = handler.messages.slice(before);
    assert.deepEqual(
      got.map((m) => m.data.toString()),
      msgs,
    );
    const id = got[0]!.source.connectionId;
    assert.ok(id > 0);
    assert.ok(got.every((m) => m.source.connectionId === id && m.source.transport === 'tcp'));
    assert.equal(got[0]!.source.localPort, port);
    assert.equal(got[0]!.source.port, c.socket.localPort);
    c.socket.destroy();
  });

  test('a missing Content-Length is a framing error and the connection is closed', async () => {
    const c = await dial(port);
    const framingBefore = handler.framing.length;
    await write(c.socket, 'OPTIONS sip:x SIP/2.0\r\nCall-ID: nocl\r\n\r\n');
    await c.untilClosed();
    await handler.until(() => handler.framing.length > framingBefore, 'the framing error');
    assert.match(handler.framing.at(-1)!.reason, /missing Content-Length/);
    const id = handler.framing.at(-1)!.source.connectionId;
    await handler.until(() => handler.closed.some((x) => x.info.id === id), 'the close callback');
    assert.match(handler.closed.find((x) => x.info.id === id)!.reason, /^framing error: missing Content-Length/);
  });

  test('a message over maxMessageSize closes the connection', async () => {
    const c = await dial(port);
    const framingBefore = handler.framing.length;
    await write(c.socket, sipRequest('big', 'x'.repeat(9000)));
    await c.untilClosed();
    await handler.until(() => handler.framing.length > framingBefore, 'the framing error');
    assert.match(handler.framing.at(-1)!.reason, /exceeds 8192/);
  });

  test('a header section over maxHeaderSize closes the connection', async () => {
    const c = await dial(port);
    const framingBefore = handler.framing.length;
    c.socket.write(`MESSAGE sip:x SIP/2.0\r\nX-Pad: ${'p'.repeat(3000)}`);
    await c.untilClosed();
    await handler.until(() => handler.framing.length > framingBefore, 'the framing error');
    assert.match(handler.framing.at(-1)!.reason, /header section exceeds 2048/);
  });

  test('RFC 5626 §4.4.1: a double CRLF is answered with exactly one CRLF; a lone CRLF is not answered', async () => {
    const c = await dial(port);
    const before = handler.messages.length;
    await write(c.socket, '\r\n\r\n');
    await c.until(() => c.data.length >= 2, 'the pong');
    assert.equal(c.text(), '\r\n');
    // A lone CRLF then a message: the only thing coming back is the echo we ask for below.
    handler.onEach = (data, source) => layer.send(Buffer.from(`ECHO ${data.length}`), source);
    await write(c.socket, `\r\n${sipRequest('after-pong')}`);
    await c.until(() => c.text().includes('ECHO'), 'the echo');
    assert.equal(c.text(), `\r\nECHO ${Buffer.byteLength(sipRequest('after-pong'))}`);
    handler.onEach = undefined;
    assert.equal(handler.messages.length, before + 1, 'keep-alives are not messages');
    const info = layer.connection(handler.messages.at(-1)!.source.connectionId)!;
    assert.equal(info.keepAlivesIn, 1);
    c.socket.destroy();
  });

  test('a storm of garbage bytes does not crash the process and the listener still serves', async () => {
    const c = await dial(port);
    let seed = 7;
    const garbage = Buffer.alloc(256 * 1024);
    for (let i = 0; i < garbage.length; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      garbage[i] = seed & 0xff;
    }
    c.socket.write(garbage);
    c.socket.write(garbage);
    await c.untilClosed();
    const fresh = await dial(port);
    const before = handler.messages.length;
    await write(fresh.socket, sipRequest('after-storm'));
    await handler.until(() => handler.messages.length === before + 1, 'a message on a new connection');
    fresh.socket.destroy();
  });

  test('a handler that throws is logged, not fatal', async () => {
    const warnings: string[] = [];
    const h = new RecordingHandler();
    const l = tcpLayer(h, { logger: { warn: (_o, msg) => warnings.push(msg) } });
    await l.start();
    h.onEach = () => {
      throw new Error('boom');
    };
    const c = await dial(l.listeners()[0]!.boundPort);
    await write(c.socket, sipRequest(1) + sipRequest(2));
    await h.until(() => h.messages.length === 2, 'both messages despite the throw');
    assert.equal(warnings.filter((w) => /onMessage threw/.test(w)).length, 2);
    c.socket.destroy();
    await l.stop();
  });
});

describe('TCP transport: connections and sending', () => {
  test('open/close callbacks carry increasing ids; send by connectionId reaches exactly that connection', async () => {
    const handler = new RecordingHandler();
    const layer = tcpLayer(handler);
    await layer.start();
    const port = layer.listeners()[0]!.boundPort;
    const a = await dial(port);
    const b = await dial(port);
    await handler.until(() => handler.opened.length === 2, 'two opened callbacks');
    const [ia, ib] = handler.opened;
    assert.ok(ib!.id > ia!.id, 'ids increase');
    assert.equal(ia!.transport, 'tcp');
    assert.equal(ia!.direction, 'inbound');
    assert.equal(ia!.remote.port, a.socket.localPort);
    assert.equal(ia!.local.port, port);
    assert.equal(layer.connections().length, 2);

    const msg = Buffer.from(sipRequest('to-b'));
    const via = await layer.sendAsync(msg, { transport: 'tcp', address: '127.0.0.1', port: 1, connectionId: ib!.id });
    assert.equal(via.connectionId, ib!.id);
    await b.until(() => b.data.length === msg.length, 'b receives');
    assert.equal(a.data.length, 0, 'a receives nothing');

    // Without an id, address:port finds the existing connection.
    assert.equal(layer.send(msg, { transport: 'tcp', address: '127.0.0.1', port: a.socket.localPort! }), true);
    await a.until(() => a.data.length === msg.length, 'a receives by address');
    const infoA = layer.connection(ia!.id)!;
    assert.equal(infoA.messagesOut, 1);
    assert.equal(infoA.bytesOut, msg.length);

    a.socket.end();
    await handler.until(() => handler.closed.length === 1, 'the close callback');
    assert.equal(handler.closed[0]!.info.id, ia!.id);
    assert.equal(handler.closed[0]!.reason, 'closed by peer');
    b.socket.destroy();
    await layer.stop();
  });

  test('send to a closed connection fails (430 material) and never throws', async () => {
    const handler = new RecordingHandler();
    const layer = tcpLayer(handler);
    await layer.start();
    const c = await dial(layer.listeners()[0]!.boundPort);
    await handler.until(() => handler.opened.length === 1, 'opened');
    const id = handler.opened[0]!.id;
    c.socket.destroy();
    await handler.until(() => handler.closed.length === 1, 'closed');
    let err: TransportError | null = null;
    const ok = layer.send(Buffer.from('x'), { transport: 'tcp', address: '127.0.0.1', port: 1, connectionId: id }, (e) => {
      err = e;
    });
    assert.equal(ok, false);
    await assert.rejects(
      layer.sendAsync(Buffer.from('x'), { transport: 'tcp', address: '127.0.0.1', port: 1, connectionId: id }),
      (e: TransportError) => e.code === 'connection_gone' && e.sipStatus === 430,
    );
    assert.equal((err as TransportError | null)?.code, 'connection_gone');
    assert.equal(layer.connection(id), undefined);
    assert.equal(layer.closeConnection(id), false);
    await layer.stop();
  });

  test('without a connection, send opens a client connection; the answer comes back over it', async () => {
    const hA = new RecordingHandler();
    const hB = new RecordingHandler();
    const a = tcpLayer(hA);
    const b = tcpLayer(hB);
    await Promise.all([a.start(), b.start()]);
    hB.onEach = (data, source) => b.send(Buffer.from(sipRequest('reply', data.toString().slice(0, 7))), source);
    const portB = b.listeners()[0]!.boundPort;
    const target = { transport: 'tcp' as const, address: '127.0.0.1', port: portB };
    // Two sends racing the connect share one connection.
    const p1 = a.sendAsync(Buffer.from(sipRequest('r1')), target);
    const p2 = a.sendAsync(Buffer.from(sipRequest('r2')), target);
    const [v1, v2] = await Promise.all([p1, p2]);
    assert.equal(v1.connectionId, v2.connectionId);
    assert.ok(v1.localPort > 0);
    await hA.until(() => hA.messages.length === 2, 'both replies on A');
    assert.ok(hA.messages.every((m) => m.source.connectionId === v1.connectionId));
    const info = a.connection(v1.connectionId)!;
    assert.equal(info.direction, 'outbound');
    assert.equal(info.state, 'open');
    assert.equal(info.messagesOut, 2);
    assert.equal(info.messagesIn, 2);
    assert.equal(hA.opened.length, 1);
    await Promise.all([a.stop(), b.stop()]);
    assert.equal(hA.closed[0]!.reason, 'transport stopped');
  });

  test('a refused client connection is reported as connect_failed (503)', async () => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const handler = new RecordingHandler();
    const layer = tcpLayer(handler);
    await layer.start();
    await assert.rejects(
      layer.sendAsync(Buffer.from(sipRequest(1)), { transport: 'tcp', address: '127.0.0.1', port }),
      (e: TransportError) => e.code === 'connect_failed' && e.sipStatus === 503 && /ECONNREFUSED/.test(e.message),
    );
    assert.equal(handler.opened.length, 0, 'a connection that never opened is not reported');
    assert.equal(handler.closed.length, 0);
    assert.equal(layer.connections().length, 0);
    assert.equal(layer.stats().connectFailures, 1);
    // A bad port is refused synchronously, not thrown.
    assert.equal(layer.send(Buffer.from('x'), { transport: 'tcp', address: '127.0.0.1', port: 70000 }), false);
    await layer.stop();
  });

  test('idle timeout closes a silent connection', async () => {
    const handler = new RecordingHandler();
    const layer = tcpLayer(handler, { idleTimeoutMs: 150 });
    await layer.start();
    const c = await dial(layer.listeners()[0]!.boundPort);
    await c.untilClosed();
    await handler.until(() => handler.closed.length === 1, 'the close callback');
    assert.equal(handler.closed[0]!.reason, 'idle timeout');
  });

  test('traffic re-arms the idle timer: keep-alives every 50 ms hold a 400 ms idle timeout open past 600 ms', async () => {
    const handler = new RecordingHandler();
    const layer = tcpLayer(handler, { idleTimeoutMs: 400 });
    await layer.start();
    const c = await dial(layer.listeners()[0]!.boundPort);
    const started = Date.now();
    // The timer here is the client's keep-alive schedule (the traffic under test), not a wait for an event.
    for (let i = 1; i <= 12; i++) {
      await new Promise((r) => setTimeout(r, 50));
      c.socket.write('\r\n\r\n');
      await c.until(() => c.data.length >= 2 * i, `pong ${i}`);
    }
    assert.ok(Date.now() - started >= 600);
    assert.equal(c.closed, false);
    assert.equal(handler.closed.length, 0);
    await c.untilClosed(); // and once silent, it does time out
    await handler.until(() => handler.closed.length === 1, 'the close callback');
    assert.equal(handler.closed[0]!.reason, 'idle timeout');
  });

  test('setConnectionLifetime overrides the idle timeout of one connection', async () => {
    const handler = new RecordingHandler();
    const layer = tcpLayer(handler, { idleTimeoutMs: 60_000 });
    await layer.start();
    const port = layer.listeners()[0]!.boundPort;
    const short = await dial(port);
    const long = await dial(port);
    await handler.until(() => handler.opened.length === 2, 'both open');
    const shortId = handler.opened.find((o) => o.remote.port === short.socket.localPort)!.id;
    assert.equal(layer.setConnectionLifetime(shortId, 100), true);
    assert.equal(layer.connection(shortId)!.idleTimeoutMs, 100);
    await short.untilClosed();
    await handler.until(() => handler.closed.length === 1, 'the short one closed');
    assert.equal(handler.closed[0]!.info.id, shortId);
    assert.equal(handler.closed[0]!.reason, 'idle timeout');
    assert.equal(long.closed, false);
    assert.equal(layer.setConnectionLifetime(shortId, 100), false, 'gone');
    long.socket.destroy();
    await layer.stop();
  });

  test('closeConnection closes gracefully with the reason given', async () => {
    const handler = new RecordingHandler();
    const layer = tcpLayer(handler);
    await layer.start();
    const c = await dial(layer.listeners()[0]!.boundPort);
    await handler.until(() => handler.opened.length === 1, 'opened');
    const id = handler.opened[0]!.id;
    layer.send(Buffer.from(sipRequest('last words')), { transport: 'tcp', address: '', port: 0, connectionId: id });
    assert.equal(layer.closeConnection(id, 'admin kick'), true);
    await c.untilClosed();
    assert.equal(c.text(), sipRequest('last words'), 'pending data is flushed before the FIN');
    await handler.until(() => handler.closed.length === 1, 'closed');
    assert.equal(handler.closed[0]!.reason, 'admin kick');
    await layer.stop();
  });

  test('a peer that does not read is closed once maxWriteBuffer is exceeded', async () => {
    const handler = new RecordingHandler();
    const layer = tcpLayer(handler, { limits: { maxMessageSize: 8192, maxWriteBuffer: 256 * 1024 } });
    await layer.start();
    const c = await dial(layer.listeners()[0]!.boundPort);
    c.socket.pause(); // never reads: the kernel buffers fill, then ours
    await handler.until(() => handler.opened.length === 1, 'opened');
    const id = handler.opened[0]!.id;
    const chunk = Buffer.alloc(64 * 1024, 0x41); // one buffer, queued by reference: no memory blow-up
    let refused: string | null = null;
    let sent = 0;
    for (let i = 0; i < 4000 && refused === null; i++) {
      const ok = layer.send(chunk, { transport: 'tcp', address: '', port: 0, connectionId: id }, (err) => {
        if (err && refused === null) refused = err.code;
      });
      if (!ok) await new Promise((r) => setImmediate(r)); // let the callback (never synchronous) run
      else sent++;
    }
    assert.equal(refused, 'backpressure');
    assert.ok(sent * chunk.length > 256 * 1024, 'the kernel buffers filled first');
    await handler.until(() => handler.closed.length === 1, 'closed for backpressure');
    assert.match(handler.closed[0]!.reason, /write buffer overflow/);
    await layer.stop();
  });

  test('stop() closes listeners and connections and resolves when all are closed', async () => {
    const handler = new RecordingHandler();
    const layer = tcpLayer(handler);
    await layer.start();
    const port = layer.listeners()[0]!.boundPort;
    const clients = await Promise.all([dial(port), dial(port), dial(port)]);
    await handler.until(() => handler.opened.length === 3, 'three open');
    await layer.stop();
    assert.equal(handler.closed.length, 3, 'every close reported before stop resolves');
    assert.ok(handler.closed.every((x) => x.reason === 'transport stopped'));
    assert.equal(layer.connections().length, 0);
    await Promise.all(clients.map((c) => c.untilClosed()));
    const refused = connect(port, '127.0.0.1');
    const [err] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
    assert.equal(err.code, 'ECONNREFUSED');
    await layer.stop(); // idempotent
  });

  test('maxConnections refuses connections beyond the limit', async () => {
    const handler = new RecordingHandler();
    const layer = tcpLayer(handler, { limits: { maxMessageSize: 8192, maxConnections: 1 } });
    await layer.start();
    const port = layer.listeners()[0]!.boundPort;
    const first = await dial(port);
    await handler.until(() => handler.opened.length === 1, 'first open');
    const second = await dial(port);
    await second.untilClosed();
    assert.equal(layer.stats().connectionsRefused, 1);
    assert.equal(first.closed, false);
    first.socket.destroy();
    await layer.stop();
  });
});

describe('TCP over IPv6 (::1)', async () => {
  const v6 = await ipv6Available();
  test('messages and replies on ::1; address:port lookup finds the connection', { skip: v6 ? false : 'no IPv6 loopback here' }, async () => {
    const handler = new RecordingHandler();
    const layer = track(new SipTransportLayer({
      listen: [{ transport: 'tcp', host: '::1', port: 0 }],
      limits: { maxMessageSize: 8192 },
      idleTimeoutMs: 30_000,
      handler,
    }));
    await layer.start();
    const c = await dial(layer.listeners()[0]!.boundPort, '::1');
    await write(c.socket, sipRequest('v6'));
    await handler.until(() => handler.messages.length === 1, 'the message');
    const src = handler.messages[0]!.source;
    assert.equal(src.address, '::1');
    assert.equal(src.localAddress, '::1');
    await layer.sendAsync(Buffer.from('pong'), { transport: 'tcp', address: '[::1]', port: c.socket.localPort! });
    await c.until(() => c.text() === 'pong', 'the reply');
    c.socket.destroy();
    await layer.stop();
  });
});
