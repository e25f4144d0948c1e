import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { connect as tlsConnect } from 'node:tls';
import { SipTransportLayer } from './sip-transport-layer.js';
import { cleanup, Collector, RecordingHandler, sipRequest, track } from './spec-support.js';
import { ensureTlsCertificate } from './tls-certificate.js';
import type { TransportError } from './transport-error.js';

afterEach(cleanup);

describe('ensureTlsCertificate', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pbx-tls-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('generates a self-signed pair once (key 0600), then reads the same pair back', async () => {
    const first = await ensureTlsCertificate(dir, ['sip.example.test', '127.0.0.1']);
    assert.equal(first.generated, true);
    assert.match(first.cert, /BEGIN CERTIFICATE/);
    assert.match(first.key, /PRIVATE KEY/);
    const keyMode = (await stat(join(dir, 'tls', 'sip.key'))).mode & 0o777;
    assert.equal(keyMode, 0o600);
    assert.equal(await readFile(join(dir, 'tls', 'sip.crt'), 'utf8'), first.cert);
    const x509 = new X509Certificate(first.cert);
    assert.match(x509.subject, /CN=sip\.example\.test/);
    assert.match(x509.subjectAltName ?? '', /DNS:sip\.example\.test/);
    assert.match(x509.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);

    const second = await ensureTlsCertificate(dir, ['other.name']);
    assert.equal(second.generated, false);
    assert.equal(second.cert, first.cert);
    assert.equal(second.key, first.key);
  });

  test('refuses a key that does not belong to the certificate', async () => {
    const other = await mkdtemp(join(tmpdir(), 'pbx-tls-'));
    try {
      const a = await ensureTlsCertificate(other, ['a.test']);
      const b = await ensureTlsCertificate(dir, ['b.test']);
      await writeFile(join(other, 'tls', 'sip.key'), b.key);
      assert.notEqual(a.key, b.key);
      await assert.rejects(ensureTlsCertificate(other), /does not belong/);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});

describe('TLS transport (RFC 3261 §26.2, framing as TCP)', () => {
  let dir = '';
  let pair: { cert: string; key: string } = { cert: '', key: '' };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pbx-tls-'));
    pair = await ensureTlsCertificate(dir, ['localhost', '127.0.0.1', '::1']);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  function tlsLayer(handler: RecordingHandler): SipTransportLayer {
    return track(
      new SipTransportLayer({
        listen: [{ transport: 'tls', host: '127.0.0.1', port: 0 }],
        tls: { cert: pair.cert, key: pair.key },
        tlsClient: { ca: pair.cert },
        limits: { maxMessageSize: 8192 },
        idleTimeoutMs: 30_000,
        handler,
      }),
    );
  }

  test('a tls listener needs the tls option', () => {
    assert.throws(
      () =>
        new SipTransportLayer({
          listen: [{ transport: 'tls', host: '127.0.0.1', port: 0 }],
          limits: { maxMessageSize: 8192 },
          idleTimeoutMs: 0,
          handler: new RecordingHandler(),
        }),
      /needs the tls option/,
    );
  });

  test('messages over TLS with the generated certificate; double CRLF answered with one CRLF', async () => {
    const handler = new RecordingHandler();
    const layer = tlsLayer(handler);
    await layer.start();
    const socket = tlsConnect({ host: '127.0.0.1', port: layer.listeners()[0]!.boundPort, ca: pair.cert, servername: 'localhost' });
    await once(socket, 'secureConnect');
    const c = new Collector(socket);
    socket.write('\r\n\r\n');
    await c.until(() => c.data.length >= 2, 'the pong');
    assert.equal(c.text(), '\r\n');
    const msgs = [sipRequest('t1', 'secret'), sipRequest('t2')];
    socket.write(msgs.join(''));
    await handler.until(() => handler.messages.length === 2, 'two messages');
    assert.deepEqual(handler.texts(), msgs);
    const src = handler.messages[0]!.source;
    assert.equal(src.transport, 'tls');
    assert.ok(src.connectionId > 0);
    await layer.sendAsync(Buffer.from('reply'), src);
    await c.until(() => c.text().endsWith('reply'), 'the reply over TLS');
    socket.destroy();
  });

  test('garbage on the TLS port is a failed handshake, not a crash', async () => {
    const handler = new RecordingHandler();
    const layer = tlsLayer(handler);
    await layer.start();
    const port = layer.listeners()[0]!.boundPort;
    const { connect } = await import('node:net');
    const raw = connect(port, '127.0.0.1');
    await once(raw, 'connect');
    const c = new Collector(raw);
    raw.write(Buffer.from(sipRequest('plain text on TLS')));
    await c.untilClosed();
    assert.equal(handler.opened.length, 0);
  });

  test('stop() does not wait for a TLS handshake that never comes', { timeout: 5000 }, async () => {
    const handler = new RecordingHandler();
    const layer = tlsLayer(handler);
    await layer.start();
    const { connect } = await import('node:net');
    const raw = connect(layer.listeners()[0]!.boundPort, '127.0.0.1');
    await once(raw, 'connect');
    const c = new Collector(raw); // says nothing: the server waits for a ClientHello
    await layer.stop();
    await c.untilClosed();
    assert.equal(handler.opened.length, 0);
  });

  test('send opens a verified client TLS connection to another layer', async () => {
    const hA = new RecordingHandler();
    const hB = new RecordingHandler();
    const a = tlsLayer(hA);
    const b = tlsLayer(hB);
    await Promise.all([a.start(), b.start()]);
    hB.onEach = (_d, source) => b.send(Buffer.from(sipRequest('ack')), source);
    const via = await a.sendAsync(Buffer.from(sipRequest('hello')), {
      transport: 'tls',
      address: '127.0.0.1',
      port: b.listeners()[0]!.boundPort,
      tlsServerName: 'localhost',
    });
    assert.ok(via.connectionId > 0);
    await hA.until(() => hA.messages.length === 1, 'the answer');
    assert.equal(hA.messages[0]!.source.connectionId, via.connectionId);
    assert.equal(a.connection(via.connectionId)!.direction, 'outbound');
  });

  test('a client connection whose handshake never completes fails with connect_timeout', async () => {
    const { createServer } = await import('node:net');
    const silent = createServer((s) => track(s)); // accepts TCP, never answers the ClientHello
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    track({ destroy: () => silent.close() });
    const layer = track(
      new SipTransportLayer({
        listen: [],
        limits: { maxMessageSize: 8192 },
        idleTimeoutMs: 0,
        connectTimeoutMs: 200,
        handler: new RecordingHandler(),
      }),
    );
    await layer.start();
    const port = (silent.address() as { port: number }).port;
    await assert.rejects(
      layer.sendAsync(Buffer.from(sipRequest(1)), { transport: 'tls', address: '127.0.0.1', port }),
      (e: TransportError) => e.code === 'connect_timeout' && e.sipStatus === 503,
    );
    assert.equal(layer.connections().length, 0);
  });

  test('a client connection to a peer whose certificate does not verify fails (connect_failed)', async () => {
    const hB = new RecordingHandler();
    const b = tlsLayer(hB);
    await b.start();
    const strict = track(
      new SipTransportLayer({
        listen: [],
        limits: { maxMessageSize: 8192 },
        idleTimeoutMs: 0,
        handler: new RecordingHandler(),
      }),
    );
    await strict.start();
    await assert.rejects(
      strict.sendAsync(Buffer.from(sipRequest(1)), { transport: 'tls', address: '127.0.0.1', port: b.listeners()[0]!.boundPort }),
      (e: TransportError) => e.code === 'connect_failed' && /self-signed|certificate/i.test(e.message),
    );
    assert.equal(hB.messages.length, 0);
  });
});
