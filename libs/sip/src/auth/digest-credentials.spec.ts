import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDigestCredentials, parseDigestCredentials, type DigestCredentials } from './digest-credentials.js';
import { isAuthParseError, type AuthParseError } from './auth-parse-error.js';
import { MAX_AUTH_HEADER_LENGTH } from './auth-params.js';

function ok(v: string): DigestCredentials {
  const r = parseDigestCredentials(v);
  if (isAuthParseError(r)) assert.fail(`${r.error}: ${r.message}`);
  return r;
}
function err(v: string): AuthParseError {
  const r = parseDigestCredentials(v);
  if (!isAuthParseError(r)) assert.fail(`parsed: ${JSON.stringify(r)}`);
  return r;
}

const BASE = 'username="bob", realm="biloxi.com", nonce="n1", uri="sip:bob@biloxi.com", response="0123456789abcdef0123456789abcdef"';

describe('parseDigestCredentials (RFC 7616 §3.4, RFC 3261 §25.1 digest-response)', () => {
  test('reads every RFC 7616 §3.4 parameter', () => {
    const c = ok(`Digest ${BASE}, algorithm=SHA-256-sess, cnonce="c1", opaque="o1", qop=auth, nc=0000000A, userhash=false`);
    assert.deepEqual(c, {
      username: 'bob', realm: 'biloxi.com', nonce: 'n1', uri: 'sip:bob@biloxi.com',
      response: '0123456789abcdef0123456789abcdef', algorithm: 'SHA-256-sess', cnonce: 'c1', opaque: 'o1',
      qop: 'auth', nc: '0000000A', userhash: false,
    });
  });

  test('RFC 7235 §2.1: parameters in any order, names and scheme case-insensitive', () => {
    const c = ok('dIgEsT Response="0123456789abcdef0123456789abcdef",URI="sip:x@y" , NONCE="n",Realm="r",USERNAME="u"');
    assert.equal(c.username, 'u');
    assert.equal(c.uri, 'sip:x@y');
    assert.equal(c.realm, 'r');
  });

  test('RFC 3261 §25.1 quoted-pair: escaped quote and backslash are unescaped', () => {
    const c = ok('Digest username="a\\"b\\\\c\\d", realm="r", nonce="n", uri="u", response="x"');
    assert.equal(c.username, 'a"b\\cd');
  });

  test('RFC 3261 §25.1 qdtext: commas, equals and UTF-8 inside quotes are data', () => {
    const c = ok('Digest username="Jäsøn, =Doe", realm="r", nonce="n", uri="sip:a@b;transport=tcp", response="x"');
    assert.equal(c.username, 'Jäsøn, =Doe');
    assert.equal(c.uri, 'sip:a@b;transport=tcp');
  });

  test('RFC 7235 §2.1: recipients accept token and quoted forms of every value', () => {
    const c = ok(`Digest ${BASE}, algorithm="MD5", qop="auth", nc="00000001", cnonce=abc`);
    assert.equal(c.algorithm, 'MD5');
    assert.equal(c.qop, 'auth');
    assert.equal(c.cnonce, 'abc');
  });

  test('RFC 7616 §3.4: unknown parameters are ignored', () => {
    const c = ok(`Digest ${BASE}, foo=bar, x-vendor="a,b"`);
    assert.equal(c.username, 'bob');
  });

  test('RFC 7235 §2.1: a parameter given twice is an error', () => {
    assert.equal(err(`Digest ${BASE}, Realm="other"`).error, 'duplicate-param');
    assert.equal(err(`Digest ${BASE}, foo=1, FOO=2`).error, 'duplicate-param');
  });

  test('RFC 3261 §25.1: username, realm, nonce, uri and response are mandatory', () => {
    for (const name of ['username', 'realm', 'nonce', 'uri', 'response']) {
      const v = BASE.split(', ').filter((p) => !p.startsWith(`${name}=`)).join(', ');
      const e = err(`Digest ${v}`);
      assert.equal(e.error, 'missing-param', name);
      assert.match(e.message, new RegExp(name));
    }
  });

  test('RFC 7616 §3.4: qop requires cnonce and nc; nc is 8 hex digits', () => {
    assert.equal(err(`Digest ${BASE}, qop=auth, nc=00000001`).error, 'missing-param');
    assert.equal(err(`Digest ${BASE}, qop=auth, cnonce="c"`).error, 'missing-param');
    assert.equal(err(`Digest ${BASE}, qop=auth, cnonce="c", nc=1`).error, 'bad-value');
    assert.equal(err(`Digest ${BASE}, qop=auth, cnonce="c", nc=0000000g`).error, 'bad-value');
    assert.equal(err(`Digest ${BASE}, qop="auth,auth-int", cnonce="c", nc=00000001`).error, 'bad-value');
    assert.equal(err(`Digest ${BASE}, userhash=maybe`).error, 'bad-value');
  });

  test('RFC 7616 §3.4 username*: RFC 5987 UTF-8 ext-value, never together with username', () => {
    const v = BASE.replace('username="bob"', "username*=UTF-8''J%C3%A4s%C3%B8n%20Doe");
    assert.equal(ok(`Digest ${v}`).username, 'Jäsøn Doe');
    assert.equal(err(`Digest ${BASE}, username*=UTF-8''bob`).error, 'bad-value');
    assert.equal(err(`Digest ${BASE.replace('username="bob"', "username*=ISO-8859-1''b")}`).error, 'bad-value');
    assert.equal(err(`Digest ${BASE.replace('username="bob"', "username*=UTF-8''%ZZ")}`).error, 'bad-value');
  });

  test('grammar violations are syntax errors', () => {
    for (const v of [
      '',
      'Digest username="bob',                         // unterminated quoted-string
      `Digest ${BASE},`,                               // trailing comma
      `Digest ${BASE},, foo=1`,                        // empty element
      'Digest username="a"realm="r"',                  // no comma
      'Digest username=, realm="r"',                   // empty token
      'Digest username',                               // no '='
      'Digest username="a\nb", realm="r"',            // raw LF inside quotes
      'Digest username="a\\\rb", realm="r"',          // quoted-pair of CR
      'Digest username="a\u0000b", realm="r"',         // NUL inside quotes
      'Digest username=a:b, realm="r"',                // ':' is not a token char
      'Digest,username="a"',
    ]) {
      assert.equal(err(v).error, 'syntax', JSON.stringify(v));
    }
  });

  test('STYLE hard limits: over-long values are refused before parsing', () => {
    assert.equal(err(`Digest ${BASE}, x="${'a'.repeat(MAX_AUTH_HEADER_LENGTH)}"`).error, 'too-long');
    const many = Array.from({ length: 40 }, (_, i) => `p${i}=1`).join(', ');
    assert.equal(err(`Digest ${BASE}, ${many}`).error, 'too-long');
  });

  test('another scheme is reported as not-digest, not as malformed', () => {
    assert.equal(err('Bearer eyJhbGciOi').error, 'not-digest');
    assert.equal(err('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==').error, 'not-digest');
  });
});

describe('formatDigestCredentials', () => {
  test('RFC 7616 §3.4: quoted username/realm/nonce/uri/response/cnonce/opaque, bare algorithm/qop/nc', () => {
    const s = formatDigestCredentials({
      username: 'a"b', realm: 'r', nonce: 'n', uri: 'sip:x@y', response: 'ff', algorithm: 'SHA-256',
      cnonce: 'c', opaque: 'o', qop: 'auth', nc: '00000001',
    });
    assert.equal(
      s,
      'Digest username="a\\"b", realm="r", nonce="n", uri="sip:x@y", response="ff", algorithm=SHA-256, cnonce="c", opaque="o", qop=auth, nc=00000001',
    );
  });

  test('format then parse gives back the same credentials', () => {
    const c: DigestCredentials = {
      username: 'we\\ird "user"', realm: 'biloxi.com', nonce: 'abc', uri: 'sip:bob@biloxi.com;transport=tcp',
      response: '0123456789abcdef0123456789abcdef', algorithm: 'MD5-sess', cnonce: 'x', qop: 'auth', nc: '0000002a', userhash: true,
    };
    assert.deepEqual(ok(formatDigestCredentials(c)), c);
  });

  test('a value with CR/LF would split the header: it throws', () => {
    assert.throws(() => formatDigestCredentials({ username: 'a\r\nVia: x', realm: 'r', nonce: 'n', uri: 'u', response: 'x' }), RangeError);
    assert.throws(() => formatDigestCredentials({ username: 'a', realm: 'r', nonce: 'n', uri: 'u', response: 'x', qop: 'a b' }), RangeError);
  });
});
