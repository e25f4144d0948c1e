import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import type { SipResponse } from '@pbx/sip';
import { SipTestClient, startServer, type ClientTransport, type TestServer } from '../support/index.js';

const SIPP_SCENARIO = fileURLToPath(new URL('../../sipp/options-uac.xml', import.meta.url));

describe('OPTIONS to the server and the request route REQINIT block', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer({
      env: {
        SIP_LISTEN: 'udp:127.0.0.1:0,tcp:127.0.0.1:0,tls:127.0.0.1:0,ws:127.0.0.1:0,wss:127.0.0.1:0',
        SIP_DOMAINS: 'example.com',
      },
    });
  });
  after(() => srv?.destroy());

  for (const transport of ['udp', 'tcp', 'tls', 'ws', 'wss'] as ClientTransport[]) {
    test(`RFC 3261 §11: OPTIONS over ${transport} is answered 200 with Allow and Supported`, async () => {
      const c = await SipTestClient.open(transport, srv.sip(transport));
      try {
        const l = srv.sip(transport);
        const res = await c.call({ method: 'OPTIONS', uri: `sip:${l.address}:${l.port}` });
        assert.equal(res.status, 200);
        assert.ok(res.allow().includes('REGISTER'));
        assert.ok(res.supported().includes('path'));
        assert.ok(res.to().tag, 'a To tag is added (§8.2.6.2)');
      } finally {
        c.close();
      }
    });
  }

  for (const transport of ['tcp', 'tls', 'ws'] as ClientTransport[]) {
    test(`RFC 5626 §4.4.1: a double-CRLF ping over ${transport} gets a single CRLF pong, and the connection keeps working`, async () => {
      const c = await SipTestClient.open(transport, srv.sip(transport));
      try {
        const pong = c.nextPong();
        c.send('\r\n\r\n');
        await pong;
        const l = srv.sip(transport);
        assert.equal((await c.call({ method: 'OPTIONS', uri: `sip:${l.address}:${l.port}` })).status, 200);
      } finally {
        c.close();
      }
    });
  }

  test('RFC 3581 §4: the reply carries received and rport with the source address and port', async () => {
    const c = await SipTestClient.open('udp', srv.sip('udp'));
    try {
      const r = c.request({ method: 'OPTIONS', uri: 'sip:example.com' });
      // Claim an address we are not sending from, so `received` must be added.
      c.send(r.text.replace(`Via: SIP/2.0/UDP 127.0.0.1:${c.localPort}`, 'Via: SIP/2.0/UDP 192.0.2.7:5060'));
      const res = await c.response(r.callId);
      const via = res.topVia()!;
      assert.equal(via.received, '127.0.0.1');
      assert.equal(via.rport, c.localPort);
    } finally {
      c.close();
    }
  });

  test('RFC 3261 §18.2.2: without rport the stateless 200 goes to the Via sent-by port, not the source port', { timeout: 10_000 }, async () => {
    const c = await SipTestClient.open('udp', srv.sip('udp'));
    const other = createSocket('udp4');
    try {
      await new Promise<void>((resolve) => other.bind(0, '127.0.0.1', () => resolve()));
      const otherPort = other.address().port;
      const got = new Promise<string>((resolve) => other.once('message', (m) => resolve(m.toString('latin1'))));
      const r = c.request({ method: 'OPTIONS', uri: 'sip:example.com', rport: false });
      c.send(r.text.replace(`127.0.0.1:${c.localPort};`, `127.0.0.1:${otherPort};`));
      const text = await got;
      assert.match(text, /^SIP\/2\.0 200 /);
      assert.ok(text.includes(r.callId), 'the reply to that OPTIONS');
    } finally {
      other.close();
      c.close();
    }
  });

  test('the same OPTIONS twice gets byte-identical replies (stateless To tag is stable)', async () => {
    const c = await SipTestClient.open('udp', srv.sip('udp'));
    try {
      const r = c.request({ method: 'OPTIONS', uri: 'sip:example.com' });
      c.send(r.text);
      const a = await c.receiveRaw((m) => m.kind === 'response' && m.callId() === r.callId);
      c.send(r.text);
      const b = await c.receiveRaw((m) => m.kind === 'response' && m.callId() === r.callId);
      assert.equal(a.raw.toString('latin1'), b.raw.toString('latin1'));
    } finally {
      c.close();
    }
  });

  const cases: Array<{ name: string; spec: Parameters<SipTestClient['request']>[0]; status: number; check?: (r: SipResponse) => void }> = [
    {
      name: 'RFC 3261 §16.3 step 3: Max-Forwards 0 on a request to forward is 483',
      spec: { method: 'MESSAGE', uri: 'sip:bob@example.com', from: 'sip:carol@elsewhere.test', maxForwards: 0 },
      status: 483,
    },
    {
      name: 'RFC 3261 §16.3 step 4: an unsupported Proxy-Require is 420 listing it in Unsupported',
      spec: { method: 'MESSAGE', uri: 'sip:bob@example.com', from: 'sip:carol@elsewhere.test', headers: ['Proxy-Require: foo-ext'] },
      status: 420,
      check: (r) => assert.deepEqual(r.unsupported(), ['foo-ext']),
    },
    {
      name: 'sanity: a CSeq method that differs from the request method is 400',
      spec: { method: 'OPTIONS', uri: 'sip:example.com', cseqMethod: 'INVITE' },
      status: 400,
    },
    {
      name: 'not an open relay: a request for a foreign domain is 403',
      spec: { method: 'MESSAGE', uri: 'sip:someone@foreign.test', from: 'sip:carol@elsewhere.test' },
      status: 403,
    },
    {
      name: 'RFC 3261 §9.2: a CANCEL matching no transaction is 481',
      spec: { method: 'CANCEL', uri: 'sip:bob@example.com', from: 'sip:carol@elsewhere.test' },
      status: 481,
    },
    {
      name: 'RFC 3261 §22.3: a request from a local user without credentials is challenged with 407',
      spec: { method: 'MESSAGE', uri: 'sip:bob@example.com', from: 'sip:alice@example.com' },
      status: 407,
      check: (r) => assert.match(r.get('Proxy-Authenticate') ?? '', /^Digest .*realm="example.com"/),
    },
    {
      name: 'RFC 3261 §10.3: REGISTER without credentials is challenged with 401',
      spec: { method: 'REGISTER', uri: 'sip:example.com', from: 'sip:alice@example.com', to: 'sip:alice@example.com', contact: '<sip:alice@127.0.0.1>' },
      status: 401,
      check: (r) => assert.equal(r.getAll('WWW-Authenticate').length, 2, 'one challenge per algorithm (RFC 8760 §2.4)'),
    },
  ];
  for (const k of cases) {
    test(k.name, async () => {
      const c = await SipTestClient.open('udp', srv.sip('udp'));
      try {
        const res = await c.call(k.spec);
        assert.equal(res.status, k.status, `${res.status} ${res.reason}`);
        k.check?.(res);
      } finally {
        c.close();
      }
    });
  }

  test('SIPp as third-party witness: 20 OPTIONS calls all answered 200 with Allow', async () => {
    const l = srv.sip('udp');
    const { code, out } = await run('sipp', [
      `${l.address}:${l.port}`, '-sf', SIPP_SCENARIO, '-i', '127.0.0.1', '-p', '0', '-m', '20', '-r', '20', '-nostdin', '-timeout', '20s', '-timeout_error', '-bind_local',
    ]);
    assert.equal(code, 0, `sipp exited ${code}:\n${out.slice(-2000)}`);
  });
});

function run(cmd: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, out }));
  });
}
