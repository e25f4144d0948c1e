import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATAGRAM_KEEPALIVE, DATAGRAM_OTHER, sipTextStart } from './datagram.js';
import { TRANSPORT_ERRORS, TransportError, type TransportErrorCode } from './transport-error.js';

describe('datagram classification (RFC 5626 §4.4.2, RFC 3261 §7.5)', () => {
  test('SIP text starts at its first byte', () => {
    assert.equal(sipTextStart(Buffer.from('REGISTER sip:x SIP/2.0\r\n')), 0);
    assert.equal(sipTextStart(Buffer.from('SIP/2.0 200 OK\r\n')), 0);
  });
  test('leading CRLFs are skipped', () => {
    assert.equal(sipTextStart(Buffer.from('\r\n\r\nOPTIONS sip:x SIP/2.0\r\n')), 4);
  });
  test('CRLF-only datagrams are keep-alives', () => {
    assert.equal(sipTextStart(Buffer.from('\r\n')), DATAGRAM_KEEPALIVE);
    assert.equal(sipTextStart(Buffer.from('\r\n\r\n')), DATAGRAM_KEEPALIVE);
    assert.equal(sipTextStart(Buffer.alloc(0)), DATAGRAM_KEEPALIVE);
  });
  test('STUN (first byte 0x00/0x01) and other binary protocols are "other"', () => {
    const stunBinding = Buffer.from('000100002112a442000000000000000000000000', 'hex');
    assert.equal(sipTextStart(stunBinding), DATAGRAM_OTHER);
    assert.equal(sipTextStart(Buffer.from([0x01, 0x01, 0x00, 0x00])), DATAGRAM_OTHER);
    assert.equal(sipTextStart(Buffer.from([0x80, 0x00])), DATAGRAM_OTHER, 'RTP');
    assert.equal(sipTextStart(Buffer.from([0x16, 0xfe, 0xfd])), DATAGRAM_OTHER, 'DTLS');
  });
});

describe('transport error table (one entry per code)', () => {
  const codes: TransportErrorCode[] = [
    'connection_gone',
    'no_connection',
    'no_listener',
    'connect_failed',
    'connect_timeout',
    'write_failed',
    'backpressure',
    'message_too_large',
    'stopped',
  ];
  test('every code maps to a SIP status and reason, and the table has no extra codes', () => {
    assert.deepEqual(Object.keys(TRANSPORT_ERRORS).sort(), [...codes].sort());
    for (const code of codes) {
      const e = new TransportError(code);
      assert.equal(e.code, code);
      assert.ok(e.sipStatus >= 400 && e.sipStatus < 600, code);
      assert.ok(e.sipReason.length > 0, code);
      assert.ok(TRANSPORT_ERRORS[code].description.length > 0, code);
    }
  });
  test('a vanished flow is 430 Flow Failed (RFC 5626 §5.3); other failures are 503 (RFC 3261 §16.9)', () => {
    assert.equal(new TransportError('connection_gone').sipStatus, 430);
    assert.equal(new TransportError('connect_failed').sipStatus, 503);
  });
});
