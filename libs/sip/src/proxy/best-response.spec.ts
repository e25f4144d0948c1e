import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request, responseTo } from '../transaction/spec-support.js';
import { aggregateChallenges, selectBestResponse } from './best-response.js';
import { groupByQ } from './forward-target.js';
import { copyRequest } from './copy-request.js';

const req = request({ method: 'INVITE' });
const r = (status: number, headers?: Array<[string, string]>) => responseTo(req, status, { headers });
const best = (...codes: number[]) => selectBestResponse(codes.map((c) => r(c)))?.status;

describe('best response (RFC 3261 §16.7 step 6)', () => {
  test('a 6xx wins over everything but a 2xx', () => {
    assert.equal(best(404, 603, 302), 603);
    assert.equal(best(603, 200), 200);
  });
  test('otherwise the lowest class wins', () => {
    assert.equal(best(503, 404, 302), 302);
    assert.equal(best(500, 486), 486);
  });
  test('within 4xx: 401, 407, 415, 420, 484 are preferred, then the lowest code', () => {
    assert.equal(best(404, 407, 486), 407);
    assert.equal(best(486, 484, 404), 484);
    assert.equal(best(486, 480, 404), 404);
  });
  test('ties go to the first received; provisional responses are ignored; nothing final → undefined', () => {
    const a = r(486);
    const b = r(486);
    assert.equal(selectBestResponse([a, b]), a);
    assert.equal(selectBestResponse([r(180), null, undefined]), undefined);
  });
  test('§16.7 step 7: challenges from every 401/407 are added to the chosen one, unmodified', () => {
    const a = r(401, [['WWW-Authenticate', 'Digest realm="a"']]);
    const b = r(407, [['Proxy-Authenticate', 'Digest realm="b"']]);
    const c = r(401, [['WWW-Authenticate', 'Digest realm="c"']]);
    aggregateChallenges(a, [a, b, c, r(404)]);
    assert.deepEqual(a.getAll('WWW-Authenticate'), ['Digest realm="a"', 'Digest realm="c"']);
    assert.deepEqual(a.getAll('Proxy-Authenticate'), ['Digest realm="b"']);
  });
});

describe('groupByQ (parallel and serial forking by q)', () => {
  test('descending q, one group per value, given order kept within a group; default q is 1', () => {
    const g = groupByQ([{ uri: 'sip:a@x', q: 0.5 }, { uri: 'sip:b@x' }, { uri: 'sip:c@x', q: 0.5 }, { uri: 'sip:d@x', q: 0.9 }]);
    assert.deepEqual(g.map((x) => x.map((t) => t.uri)), [['sip:b@x'], ['sip:d@x'], ['sip:a@x', 'sip:c@x']]);
  });
  test('equal q everywhere: one parallel group', () => {
    assert.equal(groupByQ([{ q: 0.7 }, { q: 0.7 }]).length, 1);
    assert.deepEqual(groupByQ([]), []);
  });
});

describe('copyRequest (§16.6 step 1)', () => {
  test('edits to the copy leave the original as received', () => {
    const orig = request({ method: 'INVITE', extra: ['Route: <sip:192.0.2.5;lr>'] });
    const bytes = orig.serialize();
    const c = copyRequest(orig);
    c.setRequestUri('sip:carol@192.0.2.7');
    c.prependVia('SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-copy');
    c.removeFirstRoute();
    c.uri.toString();
    assert.deepEqual(orig.serialize(), bytes);
    assert.equal(orig.vias().length, 1);
    assert.equal(c.vias().length, 2);
    assert.equal(orig.route().length, 1);
  });
  test('a copy of an edited request is independent too', () => {
    const orig = request({ method: 'INVITE' });
    orig.addHeader('X-A', '1');
    const c = copyRequest(orig);
    c.addHeader('X-B', '2');
    assert.equal(orig.get('X-B'), undefined);
    assert.equal(c.get('X-A'), '1');
  });
});
