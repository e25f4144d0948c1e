import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REGISTRAR_ERRORS, RegistrarError, type RegistrarErrorCode } from './errors.js';
import { errorReply } from './reply.js';
import { registrarConfigSchema } from './config.js';
import { registerRequest } from './spec-support.js';

const codes = Object.keys(REGISTRAR_ERRORS) as RegistrarErrorCode[];

test('style §4: every registrar error is documented with a SIP status, reason, HTTP status and its rule', () => {
  for (const code of codes) {
    const e = REGISTRAR_ERRORS[code];
    assert.ok(e.status >= 400 && e.status < 600, code);
    assert.ok(e.http >= 400 && e.http < 600, code);
    assert.ok(e.reason.length > 0, code);
    assert.ok(e.description.length > 20, code);
    assert.match(e.description, /RFC|seed|Kamailio|location|lookup|database/, `${code} cites its source`);
  }
});

test('RFC 3261 §10.3: a registrar never answers 6xx (every code maps to 4xx or 5xx)', () => {
  for (const code of codes) assert.ok(REGISTRAR_ERRORS[code].status < 600);
});

test('every code becomes a reply with its status and reason; a 400 reason names the problem', () => {
  const cfg = registrarConfigSchema.parse({});
  const req = registerRequest();
  for (const code of codes) {
    const err = new RegistrarError(code, 'detail here');
    const res = errorReply(req, err, cfg, 't');
    assert.equal(res.status, REGISTRAR_ERRORS[code].status, code);
    assert.equal(res.reason, REGISTRAR_ERRORS[code].status === 400 ? `${REGISTRAR_ERRORS[code].reason}: detail here` : REGISTRAR_ERRORS[code].reason);
    assert.match(res.get('To')!, /;tag=t$/, 'RFC 3261 §8.2.6.2: To tag on every final response');
  }
});

test('the headers each rule asks for: Min-Expires (423), Unsupported (420), Require (421), Retry-After (5xx)', () => {
  const cfg = registrarConfigSchema.parse({ min_expires: 90, retry_after: 15 });
  const req = registerRequest();
  assert.equal(errorReply(req, new RegistrarError('interval_too_brief'), cfg, 't').get('Min-Expires'), '90');
  assert.equal(errorReply(req, new RegistrarError('path_unsupported', undefined, { path: '<sip:p;lr>' }), cfg, 't').get('Path'), '<sip:p;lr>');
  assert.equal(errorReply(req, new RegistrarError('extension_unsupported', undefined, { unsupported: ['a', 'b'] }), cfg, 't').get('Unsupported'), 'a, b');
  assert.equal(errorReply(req, new RegistrarError('outbound_required'), cfg, 't').get('Require'), 'outbound');
  for (const code of codes) {
    const res = errorReply(req, new RegistrarError(code), cfg, 't');
    assert.equal(res.get('Retry-After'), res.status >= 500 ? '15' : undefined, code);
  }
});

test('a reason phrase never carries CR or LF (RFC 3261 §25.1)', () => {
  assert.equal(new RegistrarError('bad_header', 'a\r\nb').reason, 'Bad header: a b');
});
