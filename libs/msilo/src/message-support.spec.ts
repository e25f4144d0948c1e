import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { messageSupported } from './message-support.js';
import { register } from './spec-support.js';

describe('messageSupported (Kamailio msilo check_message_support before m_dump)', () => {
  test('no Allow header and a positive expiry: supported', () => {
    assert.equal(messageSupported(register({ contact: '<sip:bob@192.0.2.50>', expires: 3600 })), true);
    assert.equal(messageSupported(register({ contact: '<sip:bob@192.0.2.50>' })), true);
  });

  test('Allow lists MESSAGE: supported; Allow without MESSAGE: not', () => {
    assert.equal(messageSupported(register({ contact: '<sip:bob@192.0.2.50>', allow: 'INVITE, ACK, MESSAGE' })), true);
    assert.equal(messageSupported(register({ contact: '<sip:bob@192.0.2.50>', allow: 'INVITE, ACK, BYE' })), false);
  });

  test('a Contact methods parameter decides for that contact (RFC 3840 §9)', () => {
    assert.equal(messageSupported(register({ contact: '<sip:bob@192.0.2.50>;methods="INVITE,MESSAGE"', allow: 'INVITE' })), true);
    assert.equal(messageSupported(register({ contact: '<sip:bob@192.0.2.50>;methods="INVITE"', allow: 'INVITE, MESSAGE' })), false);
  });

  test('de-registration (expires 0), Contact: * and no Contact: not supported', () => {
    assert.equal(messageSupported(register({ contact: '<sip:bob@192.0.2.50>', expires: 0 })), false);
    assert.equal(messageSupported(register({ contact: '<sip:bob@192.0.2.50>;expires=0', expires: 3600 })), false);
    assert.equal(messageSupported(register({ contact: '*', expires: 0 })), false);
    assert.equal(messageSupported(register({})), false);
  });

  test('a contact\'s own expires wins over the Expires header', () => {
    assert.equal(messageSupported(register({ contact: '<sip:bob@192.0.2.50>;expires=60', expires: 0 })), true);
  });
});
