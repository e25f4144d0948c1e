import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDigestChallenge, parseDigestChallenge, type DigestChallenge } from './digest-challenge.js';
import { isAuthParseError } from './auth-parse-error.js';

describe('parseDigestChallenge / formatDigestChallenge (RFC 7616 §3.3)', () => {
  test('RFC 7616 §3.9.1: the example challenge parses, qop list included', () => {
    const c = parseDigestChallenge(
      'Digest\r\n realm="http-auth@example.org",\r\n qop="auth, auth-int",\r\n algorithm=SHA-256,\r\n' +
        ' nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",\r\n opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
    );
    assert.deepEqual(c, {
      realm: 'http-auth@example.org',
      nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
      algorithm: 'SHA-256',
      qop: ['auth', 'auth-int'],
      opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
    });
  });

  test('RFC 7616 §3.3: stale and userhash are case-insensitive booleans; qop may come as a bare token', () => {
    const c = parseDigestChallenge('Digest realm="r", nonce="n", stale=TRUE, userhash=false, qop=auth');
    assert.ok(!isAuthParseError(c));
    assert.equal(c.stale, true);
    assert.equal(c.userhash, false);
    assert.deepEqual(c.qop, ['auth']);
    const bad = parseDigestChallenge('Digest realm="r", nonce="n", stale=yes');
    assert.ok(isAuthParseError(bad) && bad.error === 'bad-value');
  });

  test('RFC 7616 §3.3: realm and nonce are mandatory; duplicates are refused', () => {
    const a = parseDigestChallenge('Digest nonce="n"');
    assert.ok(isAuthParseError(a) && a.error === 'missing-param');
    const b = parseDigestChallenge('Digest realm="r"');
    assert.ok(isAuthParseError(b) && b.error === 'missing-param');
    const d = parseDigestChallenge('Digest realm="r", nonce="n", NONCE="m"');
    assert.ok(isAuthParseError(d) && d.error === 'duplicate-param');
  });

  test('formats in RFC 7616 §3.3 order with qop quoted and stale only when true', () => {
    assert.equal(
      formatDigestChallenge({ realm: 'biloxi.com', nonce: 'abc', algorithm: 'SHA-256', qop: ['auth'], stale: true }),
      'Digest realm="biloxi.com", nonce="abc", stale=true, algorithm=SHA-256, qop="auth"',
    );
    assert.equal(formatDigestChallenge({ realm: 'r', nonce: 'n', stale: false }), 'Digest realm="r", nonce="n"');
  });

  test('format then parse gives back the same challenge', () => {
    const c: DigestChallenge = {
      realm: 'we"ird', nonce: 'n', algorithm: 'MD5-sess', qop: ['auth', 'auth-int'], opaque: 'o', stale: true,
      domain: 'sip:biloxi.com', charset: 'UTF-8', userhash: true,
    };
    assert.deepEqual(parseDigestChallenge(formatDigestChallenge(c)), c);
  });

  test('a realm with CR/LF would split the header: it throws', () => {
    assert.throws(() => formatDigestChallenge({ realm: 'a\r\nX: y', nonce: 'n' }), RangeError);
  });
});
