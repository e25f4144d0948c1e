import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeDigestResponse, computeHa1 } from './digest-hash.js';
import { parseDigestAlgorithm } from './digest-algorithm.js';
import { parseDigestCredentials } from './digest-credentials.js';

// RFC 7616 §3.9.1: Mufasa / Circle of Life / http-auth@example.org, GET /dir/index.html.
const RFC7616 = {
  username: 'Mufasa',
  password: 'Circle of Life',
  realm: 'http-auth@example.org',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  nc: '00000001',
  method: 'GET',
  uri: '/dir/index.html',
} as const;

describe('RFC 7616 §3.4.1 response (test vectors)', () => {
  test('RFC 7616 §3.9.1: MD5 example reproduces response 8ca523f5e9506fed4657c9700eebdbec', () => {
    const ha1 = computeHa1('MD5', RFC7616.username, RFC7616.realm, RFC7616.password);
    const r = computeDigestResponse({ algorithm: 'MD5', ha1, qop: 'auth', ...RFC7616 });
    assert.equal(r, '8ca523f5e9506fed4657c9700eebdbec');
  });

  test('RFC 7616 §3.9.1: SHA-256 example reproduces response 753927fa…cb6c1', () => {
    const ha1 = computeHa1('SHA-256', RFC7616.username, RFC7616.realm, RFC7616.password);
    const r = computeDigestResponse({ algorithm: 'SHA-256', ha1, qop: 'auth', ...RFC7616 });
    assert.equal(r, '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  });

  test('RFC 7616 §3.9.1: the example Authorization header parses to the values hashed above', () => {
    const c = parseDigestCredentials(
      'Digest username="Mufasa",\r\n realm="http-auth@example.org",\r\n uri="/dir/index.html",\r\n' +
        ' algorithm=SHA-256,\r\n nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",\r\n nc=00000001,\r\n' +
        ' cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",\r\n qop=auth,\r\n' +
        ' response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",\r\n' +
        ' opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
    );
    assert.ok(!('error' in c));
    const ha1 = computeHa1('SHA-256', c.username, c.realm, RFC7616.password);
    const r = computeDigestResponse({
      algorithm: 'SHA-256', ha1, nonce: c.nonce, nc: c.nc, cnonce: c.cnonce, qop: 'auth', method: 'GET', uri: c.uri,
    });
    assert.equal(r, c.response);
  });

  test('RFC 2617 §3.5: MD5 qop=auth example reproduces response 6629fae49393a05397450978507c4ef1', () => {
    const ha1 = computeHa1('MD5', 'Mufasa', 'testrealm@host.com', 'Circle Of Life');
    const r = computeDigestResponse({
      algorithm: 'MD5', ha1, nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', nc: '00000001', cnonce: '0a4f113b',
      qop: 'auth', method: 'GET', uri: '/dir/index.html',
    });
    assert.equal(r, '6629fae49393a05397450978507c4ef1');
  });
});

// SIP examples from draft-smith-sipping-auth-examples-01 (bob / zanzibar /
// biloxi.com, INVITE sip:bob@biloxi.com), the values FreeRADIUS's digest
// tests also check. The SHA-256 and no-qop values were computed independently
// with Python's hashlib from the same inputs.
const BOB = {
  nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
  cnonce: '0a4f113b',
  nc: '00000001',
  method: 'INVITE',
  uri: 'sip:bob@biloxi.com',
} as const;

describe('SIP digest examples', () => {
  test('draft-smith-sipping-auth-examples §3.3: HA1 of bob is 12af6046… and the INVITE response 89eb0059…', () => {
    const ha1 = computeHa1('MD5', 'bob', 'biloxi.com', 'zanzibar');
    assert.equal(ha1, '12af60467a33e8518da5c68bbff12b11');
    assert.equal(computeDigestResponse({ algorithm: 'MD5', ha1, qop: 'auth', ...BOB }), '89eb0059246c02b2f6ee02c7961d5ea3');
  });

  test('RFC 7616 §3.4.2 MD5-sess: HA1 covers nonce and cnonce (draft-smith §3.4 response e4e4ea61…)', () => {
    const ha1 = computeHa1('MD5', 'bob', 'biloxi.com', 'zanzibar');
    const r = computeDigestResponse({ algorithm: 'MD5', ha1, qop: 'auth', sess: true, ...BOB });
    assert.equal(r, 'e4e4ea61d186d07a92c9e1f6919902e9');
  });

  test('RFC 2617 §3.2.2.1 RFC 2069 compatibility: without qop the response is KD(HA1, nonce:HA2)', () => {
    const ha1 = computeHa1('MD5', 'bob', 'biloxi.com', 'zanzibar');
    const r = computeDigestResponse({ algorithm: 'MD5', ha1, nonce: BOB.nonce, method: 'INVITE', uri: BOB.uri });
    assert.equal(r, 'bf57e4e0d0bffc0fbaedce64d59add5e');
  });

  test('RFC 8760 §2.1 SHA-256 for SIP: INVITE response over the same inputs', () => {
    const ha1 = computeHa1('SHA-256', 'bob', 'biloxi.com', 'zanzibar');
    assert.equal(ha1, 'e65db393e748c5228939a6b4b2879e9ea5625cd79fd5267868cb568d69f6b97e');
    assert.equal(
      computeDigestResponse({ algorithm: 'SHA-256', ha1, qop: 'auth', ...BOB }),
      'b3b5a6c69453abafaab9ae4dccdac90a076b6c80615d5f3498e7433b6e93bf4f',
    );
    assert.equal(
      computeDigestResponse({ algorithm: 'SHA-256', ha1, qop: 'auth', sess: true, ...BOB }),
      '5da59c9ca40954be9d5063a15a174066c8251be2c10cf47c144c366dc7daf792',
    );
  });

  test('RFC 7616 §3.4: qop=auth without nc or cnonce cannot be computed', () => {
    assert.throws(() => computeDigestResponse({ algorithm: 'MD5', ha1: 'x', nonce: 'n', qop: 'auth', method: 'M', uri: 'u' }), TypeError);
    assert.throws(() => computeDigestResponse({ algorithm: 'MD5', ha1: 'x', nonce: 'n', sess: true, method: 'M', uri: 'u' }), TypeError);
  });

  test('RFC 7616 §3.3: a missing algorithm means MD5, names are case-insensitive, unknown ones are not ours', () => {
    assert.deepEqual(parseDigestAlgorithm(undefined), { name: 'MD5', algorithm: 'MD5', sess: false });
    assert.deepEqual(parseDigestAlgorithm('sha-256-SESS'), { name: 'SHA-256-sess', algorithm: 'SHA-256', sess: true });
    assert.equal(parseDigestAlgorithm('SHA-512-256'), undefined);
    assert.equal(parseDigestAlgorithm('AKAv1-MD5'), undefined);
  });
});
