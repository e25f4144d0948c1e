import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowTokenCodec } from './flow-token.js';
import type { FlowAddress } from './flow-address.js';

const tcp: FlowAddress = { transport: 'tcp', localAddress: '127.0.0.1', localPort: 5060, address: '192.0.2.7', port: 40123, connectionId: 42 };
const udp6: FlowAddress = { transport: 'udp', localAddress: '::', localPort: 5060, address: '2001:db8::1', port: 5062, connectionId: 0 };

test('RFC 5626 §5.2: a flow token round-trips transport, local socket, peer address and connection id', () => {
  const codec = new FlowTokenCodec('secret');
  for (const f of [tcp, udp6, { ...tcp, transport: 'wss' as const, connectionId: 0xffffffff }]) {
    const token = codec.encode(f);
    assert.match(token, /^[A-Za-z0-9_-]+$/, 'only unreserved characters: a valid SIP user part');
    const r = codec.decode(token);
    assert.ok(r.ok);
    assert.deepEqual(r.flow, f);
  }
});

test('RFC 5626 §5.2: a token altered in any byte is refused (HMAC)', () => {
  const codec = new FlowTokenCodec('secret');
  const raw = Buffer.from(codec.encode(tcp), 'base64url');
  for (let i = 0; i < raw.length; i++) {
    const bad = Buffer.from(raw);
    bad[i] = bad[i]! ^ 0x01;
    const r = codec.decode(bad.toString('base64url'));
    assert.equal(r.ok, false, `byte ${i} flipped`);
  }
});

test('RFC 5626 §5.2: a token minted with another secret is refused', () => {
  const token = new FlowTokenCodec('other').encode(tcp);
  assert.deepEqual(new FlowTokenCodec('secret').decode(token), { ok: false, error: 'bad_mac' });
});

test('garbage user parts are malformed, never a crash', () => {
  const codec = new FlowTokenCodec('secret');
  for (const s of ['', 'alice', 'a'.repeat(200), 'abc$%^', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
    const r = codec.decode(s);
    assert.equal(r.ok, false, s);
  }
});
