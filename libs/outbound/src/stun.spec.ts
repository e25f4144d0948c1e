import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStun, stunBindingSuccess, STUN_MAGIC_COOKIE } from './stun.js';

/** RFC 5769 §2.2 / §2.3 transaction id. */
const TXID = Buffer.from('b7e7a701bc34d686fa87dfae', 'hex');

function bindingRequest(txid = TXID, cookie = STUN_MAGIC_COOKIE): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt16BE(0x0001, 0);
  b.writeUInt16BE(0, 2);
  b.writeUInt32BE(cookie, 4);
  txid.copy(b, 8);
  return b;
}

test('RFC 5389 §6: a Binding request is recognised with its transaction id', () => {
  const r = parseStun(bindingRequest());
  assert.equal(r.kind, 'binding-request');
  assert.ok(r.kind === 'binding-request' && r.transactionId.equals(TXID) && !r.classic);
});

test('RFC 5769 §2.2 test vector: XOR-MAPPED-ADDRESS of 192.0.2.1:32853', () => {
  const req = parseStun(bindingRequest());
  assert.ok(req.kind === 'binding-request');
  const res = stunBindingSuccess(req, '192.0.2.1', 32853)!;
  assert.equal(res.readUInt16BE(0), 0x0101, 'Binding success response');
  assert.equal(res.readUInt16BE(2), res.length - 20);
  assert.equal(res.readUInt32BE(4), STUN_MAGIC_COOKIE);
  assert.ok(res.subarray(8, 20).equals(TXID), 'same transaction id (§7.3.1)');
  assert.equal(res.subarray(20).toString('hex'), '002000080001a147e112a643');
});

test('RFC 5769 §2.3 test vector: XOR-MAPPED-ADDRESS of [2001:db8:1234:5678:11:2233:4455:6677]:32853', () => {
  const req = parseStun(bindingRequest());
  assert.ok(req.kind === 'binding-request');
  const res = stunBindingSuccess(req, '2001:db8:1234:5678:11:2233:4455:6677', 32853)!;
  assert.equal(res.subarray(20).toString('hex'), '002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9');
});

test('RFC 5389 §12.2: a classic RFC 3489 request gets MAPPED-ADDRESS and its 128-bit id back', () => {
  const txid = Buffer.from('000102030405060708090a0b', 'hex');
  const req = parseStun(bindingRequest(txid, 0x01020304));
  assert.ok(req.kind === 'binding-request' && req.classic);
  const res = stunBindingSuccess(req, '10.0.0.1', 5060)!;
  assert.equal(res.subarray(4, 8).toString('hex'), '01020304');
  assert.equal(res.subarray(20).toString('hex'), '000100080001' + '13c4' + '0a000001');
});

test('RFC 5389 §6/§7.3: bad length, a response, and a short datagram are not answered', () => {
  const bad = bindingRequest();
  bad.writeUInt16BE(4, 2);
  assert.equal(parseStun(bad).kind, 'ignored');
  const resp = bindingRequest();
  resp.writeUInt16BE(0x0101, 0);
  assert.equal(parseStun(resp).kind, 'ignored');
  assert.equal(parseStun(Buffer.from([0, 1, 0])).kind, 'ignored');
  const ind = bindingRequest();
  ind.writeUInt16BE(0x0011, 0);
  assert.equal(parseStun(ind).kind, 'binding-indication');
});
