import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, get as httpGet, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { SipTransportLayer } from './sip-transport-layer.js';
import { cleanup, Condition, RecordingHandler, sipRequest, track } from './spec-support.js';
import { ensureTlsCertificate } from './tls-certificate.js';
import type { TransportError } from './transport-error.js';
import type { SipTransportOptions } from './types.js';

afterEach(cleanup);

/** A ws client that records the frames it receives. */
class WsClient {
  readonly frames: Array<{ data: Buffer; binary: boolean }> = [];
  readonly changed = new Condition();
  closeCode = 0;
  constructor(readonly ws: WebSocket) {
    track({ destroy: () => ws.terminate() });
    ws.on('message', (data: Buffer, binary: boolean) => {
      this.frames.push({ data, binary });
      this.changed.poke();
    });
    ws.on('close', (code: number) => {
      this.closeCode = code;
      this.changed.poke();
    });
    ws.on('error', () => {});
  }
  static async open(url: string, protocols: string | string[] = 'sip', opts: object = {}): Promise<WsClient> {
    const ws = new WebSocket(url, protocols, opts);
    const c = new WsClient(ws);
    await once(ws, 'open');
    return c;
  }
  until(check: () => boolean, what: string): Promise<void> {
    return this.changed.until(check, what);
  }
}

function wsLayer(handler: RecordingHandler, extra: Partial<SipTransportOptions> = {}): SipTransportLayer {
  return track(
    new SipTransportLayer({
      listen: [{ transport: 'ws', host: '127.0.0.1', port: 0 }],
      limits: { maxMessageSize: 4096 },
      idleTimeoutMs: 30_000,
      handler,
      ...extra,
    }),
  );
}

describe('WebSocket transport (RFC 7118)', () => {
  test('§4.1: the "sip" subprotocol is selected; each frame is one message, no Content-Length needed', async () => {
    const handler = new RecordingHandler();
    const layer = wsLayer(handler);
    await layer.start();
    const url = `ws://127.0.0.1:${layer.listeners()[0]!.boundPort}/`;
    const c = await WsClient.open(url, ['foo', 'sip']);
    assert.equal(c.ws.protocol, 'sip');
    await handler.until(() => handler.opened.length === 1, 'opened');
    assert.equal(handler.opened[0]!.transport, 'ws');

    const noLength = 'OPTIONS sip:x SIP/2.0\r\nCall-ID: ws1\r\n\r\n';
    c.ws.send(noLength);
    c.ws.send(Buffer.from(sipRequest('bin', 'b')), { binary: true });
    await handler.until(() => handler.messages.length === 2, 'two messages');
    assert.deepEqual(handler.texts(), [noLength, sipRequest('bin', 'b')]);
    const src = handler.messages[0]!.source;
    assert.equal(src.transport, 'ws');
    assert.equal(src.connectionId, handler.opened[0]!.id);

    // Answer by connection id: a text frame for UTF-8, a binary frame otherwise (§4.2).
    await layer.sendAsync(Buffer.from(sipRequest('reply', 'é')), src);
    await layer.sendAsync(Buffer.concat([Buffer.from(sipRequest('raw', 'xx').slice(0, -2)), Buffer.from([0xff, 0xfe])]), src);
    await c.until(() => c.frames.length === 2, 'two frames');
    assert.equal(c.frames[0]!.binary, false);
    assert.equal(c.frames[0]!.data.toString(), sipRequest('reply', 'é'));
    assert.equal(c.frames[1]!.binary, true);

    c.ws.close();
    await handler.until(() => handler.closed.length === 1, 'closed');
    assert.equal(handler.closed[0]!.info.id, src.connectionId);
  });

  test('an upgrade without the "sip" subprotocol is refused with 400 before any 101', async () => {
    const handler = new RecordingHandler();
    const layer = wsLayer(handler);
    await layer.start();
    const url = `ws://127.0.0.1:${layer.listeners()[0]!.boundPort}/`;
    for (const protocols of [[], ['chat']]) {
      const ws = new WebSocket(url, protocols);
      track({ destroy: () => ws.terminate() });
      ws.on('error', () => {});
      const [, res] = (await once(ws, 'unexpected-response')) as [unknown, IncomingMessage];
      assert.equal(res.statusCode, 400, JSON.stringify(protocols));
      res.resume();
    }
    assert.equal(handler.opened.length, 0);
    assert.equal(layer.stats().connectionsRefused, 2);
  });

  test('a plain HTTP request on the WebSocket port gets 426 Upgrade Required', async () => {
    const layer = wsLayer(new RecordingHandler());
    await layer.start();
    const res = await new Promise<IncomingMessage>((resolve, reject) =>
      httpGet(`http://127.0.0.1:${layer.listeners()[0]!.boundPort}/`, resolve).on('error', reject),
    );
    res.resume();
    assert.equal(res.statusCode, 426);
    assert.equal(res.headers.upgrade, 'websocket');
  });

  test('a frame of "\\r\\n\\r\\n" is a keep-alive answered with "\\r\\n"; a lone "\\r\\n" is ignored; never a message', async () => {
    const handler = new RecordingHandler();
    const layer = wsLayer(handler);
    await layer.start();
    const c = await WsClient.open(`ws://127.0.0.1:${layer.listeners()[0]!.boundPort}/`);
    c.ws.send('\r\n\r\n');
    await c.until(() => c.frames.length === 1, 'the pong');
    assert.equal(c.frames[0]!.data.toString(), '\r\n');
    handler.onEach = (_d, source) => layer.send(Buffer.from('ECHO'), source);
    c.ws.send('\r\n');
    c.ws.send(sipRequest('after'));
    await c.until(() => c.frames.length === 2, 'the echo');
    assert.equal(c.frames[1]!.data.toString(), 'ECHO', 'nothing answered the lone CRLF');
    assert.equal(handler.messages.length, 1);
    assert.equal(handler.framing.length, 0);
    assert.equal(layer.connection(handler.opened[0]!.id)!.keepAlivesIn, 1);
  });

  test('a frame over maxMessageSize is a framing error and the connection closes (1009)', async () => {
    const handler = new RecordingHandler();
    const layer = wsLayer(handler);
    await layer.start();
    const c = await WsClient.open(`ws://127.0.0.1:${layer.listeners()[0]!.boundPort}/`);
    c.ws.send(sipRequest('big', 'x'.repeat(5000)));
    await c.until(() => c.closeCode !== 0, 'the close');
    assert.equal(c.closeCode, 1009);
    await handler.until(() => handler.framing.length === 1 && handler.closed.length === 1, 'framing error and close');
    assert.match(handler.closed[0]!.reason, /framing error/);
  });

  test('a server cannot dial a browser: send to ws without a connection fails with no_connection', async () => {
    const layer = wsLayer(new RecordingHandler());
    await layer.start();
    await assert.rejects(
      layer.sendAsync(Buffer.from('x'), { transport: 'ws', address: '127.0.0.1', port: 1 }),
      (e: TransportError) => e.code === 'no_connection' && e.sipStatus === 503,
    );
  });

  test('without an id, ws targets find the open connection by address:port', async () => {
    const handler = new RecordingHandler();
    const layer = wsLayer(handler);
    await layer.start();
    const c = await WsClient.open(`ws://127.0.0.1:${layer.listeners()[0]!.boundPort}/`);
    await handler.until(() => handler.opened.length === 1, 'opened');
    const remote = handler.opened[0]!.remote;
    assert.equal(layer.send(Buffer.from('by-address'), { transport: 'ws', ...remote }), true);
    await c.until(() => c.frames.length === 1, 'the frame');
    assert.equal(c.frames[0]!.data.toString(), 'by-address');
  });

  test('idle timeout closes a silent WebSocket', async () => {
    const handler = new RecordingHandler();
    const layer = wsLayer(handler, { idleTimeoutMs: 150 });
    await layer.start();
    const c = await WsClient.open(`ws://127.0.0.1:${layer.listeners()[0]!.boundPort}/`);
    await c.until(() => c.closeCode !== 0, 'the close');
    await handler.until(() => handler.closed.length === 1, 'the close callback');
    assert.equal(handler.closed[0]!.reason, 'idle timeout');
  });

  test('stop() closes WebSocket connections and the HTTP listener', async () => {
    const handler = new RecordingHandler();
    const layer = wsLayer(handler);
    await layer.start();
    const port = layer.listeners()[0]!.boundPort;
    const c = await WsClient.open(`ws://127.0.0.1:${port}/`);
    await handler.until(() => handler.opened.length === 1, 'opened');
    await layer.stop();
    assert.equal(handler.closed.length, 1);
    assert.equal(handler.closed[0]!.reason, 'transport stopped');
    await c.until(() => c.closeCode !== 0, 'the client sees the close');
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, 'sip');
    const [err] = (await once(ws, 'error')) as [NodeJS.ErrnoException];
    assert.equal(err.code, 'ECONNREFUSED');
  });

  test('handleWebSocketUpgrade takes over an upgrade from another HTTP server', async () => {
    const handler = new RecordingHandler();
    const layer = track(
      new SipTransportLayer({ listen: [], limits: { maxMessageSize: 4096 }, idleTimeoutMs: 30_000, handler }),
    );
    await layer.start();
    const http = createServer((_req, res) => res.end('api'));
    http.on('upgrade', (req, socket, head) => {
      if (req.url === '/sip') layer.handleWebSocketUpgrade(req, socket, head);
      else socket.destroy();
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    track({ destroy: () => http.close() });
    const port = (http.address() as { port: number }).port;
    const c = await WsClient.open(`ws://127.0.0.1:${port}/sip`);
    c.ws.send(sipRequest('via-api-server'));
    await handler.until(() => handler.messages.length === 1, 'the message');
    assert.equal(handler.messages[0]!.source.transport, 'ws');
    assert.equal(handler.messages[0]!.source.localPort, port);
    c.ws.terminate();
  });
});

describe('Secure WebSocket (wss)', () => {
  let dir = '';
  let pair = { cert: '', key: '' };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pbx-wss-'));
    pair = await ensureTlsCertificate(dir, ['localhost', '127.0.0.1']);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('wss with the generated certificate: subprotocol, message, keep-alive pong', async () => {
    const handler = new RecordingHandler();
    const layer = wsLayer(handler, {
      listen: [{ transport: 'wss', host: '127.0.0.1', port: 0 }],
      tls: { cert: pair.cert, key: pair.key },
    });
    await layer.start();
    const c = await WsClient.open(`wss://localhost:${layer.listeners()[0]!.boundPort}/`, 'sip', { ca: pair.cert });
    assert.equal(c.ws.protocol, 'sip');
    c.ws.send('\r\n\r\n');
    c.ws.send(sipRequest('secure'));
    await handler.until(() => handler.messages.length === 1, 'the message');
    assert.equal(handler.messages[0]!.source.transport, 'wss');
    await c.until(() => c.frames.length === 1, 'the pong');
    assert.equal(c.frames[0]!.data.toString(), '\r\n');
  });
});
