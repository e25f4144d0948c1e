import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from './parse-message.js';
import { CANONICAL, COMPACT, H, headerId } from './header-names.js';

// The parser names headers with a byte automaton (header-names.ts NAME_NEXT);
// headerId() is the string lookup the setters and getters use. These specs
// pin the two to the same answer for every known name, its case variants and
// its compact form, and check that near misses stay extension headers.

const START = ['OPTIONS sip:bob@example.com SIP/2.0', 'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1', 'From: <sip:a@example.com>;tag=1', 'To: <sip:b@example.com>', 'Call-ID: c1', 'CSeq: 1 OPTIONS'];
function withHeader(line: string): ReturnType<typeof parseMessage> {
  return parseMessage(Buffer.from([...START, line, '', ''].join('\r\n'), 'latin1'));
}
/** The header line the parser indexed last, as seen through the public API. */
function lastHeader(line: string): { name: string; value: string } {
  const r = withHeader(line);
  assert.ok(r.ok, `${JSON.stringify(line)}: ${r.ok ? '' : r.error.detail}`);
  const all = r.message.headers();
  return all[all.length - 1]!;
}

/** Some case variants of a name: as written, lower, upper, alternating. */
function variants(name: string): string[] {
  const alt = [...name].map((c, i) => (i % 2 ? c.toLowerCase() : c.toUpperCase())).join('');
  return [...new Set([name, name.toLowerCase(), name.toUpperCase(), alt])];
}

describe('header names (RFC 3261 §7.3.1 case-insensitive names, §7.3.3 compact forms)', () => {
  test('RFC 3261 §7.3.1: every known name in any case is the known header, for the parser as for headerId()', () => {
    for (let id = 1; id < CANONICAL.length; id++) {
      for (const name of variants(CANONICAL[id]!)) {
        // Skip the single-valued and mandatory headers whose value would be checked as something else.
        if (id <= H.contentLength) continue;
        assert.equal(headerId(name), id, name);
        const r = withHeader(`${name}: x-${id}`);
        assert.ok(r.ok, `${name}: ${r.ok ? '' : r.error.reason}`);
        assert.deepEqual(r.message.getAll(CANONICAL[id]!), [`x-${id}`], name);
        assert.equal(lastHeader(`${name}: x-${id}`).name, name, 'the name is kept as written');
      }
    }
  });
  test('RFC 3261 §7.3.3: compact forms in either case are their long headers', () => {
    for (const [c, id] of Object.entries(COMPACT)) {
      if (id <= H.contentLength) continue;
      for (const name of [c, c.toUpperCase()]) {
        const r = withHeader(`${name}: v`);
        assert.ok(r.ok, name);
        assert.deepEqual(r.message.getAll(CANONICAL[id]!), ['v'], `${name} → ${CANONICAL[id]}`);
      }
    }
    // The mandatory ones, through their typed accessors.
    const r = parseMessage(Buffer.from(['OPTIONS sip:b@example.com SIP/2.0', 'V: SIP/2.0/UDP h;branch=z9hG4bK1', 'F: <sip:a@b>;tag=1', 'T: <sip:b@b>', 'I: abc', 'CSeq: 1 OPTIONS', 'M: <sip:c@d>', 'L: 0', '', ''].join('\r\n')));
    assert.ok(r.ok);
    assert.deepEqual([r.message.topVia()!.host, r.message.from().tag, r.message.callId(), r.message.contacts().length, r.message.contentLength()], ['h', '1', 'abc', 1, 0]);
  });
  test('RFC 3261 §7.3, §25.1: near misses of known names are extension headers, found by their own name', () => {
    const misses = ['Vias', 'Vi', 'Contactx', 'Contac', 'Xontact', 'Call_ID', 'Call-I', 'Call-IDD', 'CSeqq', 'Content-Lengths', 'Content-', 'Max-Forward', 'P-Asserted-Identit', 'WWW-Authenticat', 'Subject2', 'vv', 'ii', 'g', 'Z', 'q', 'W', 'Supported.', "Route'", 'Ca11-ID', 'Via-Extra', 'Accept~'];
    for (const name of misses) {
      assert.equal(headerId(name), 0, name);
      const r = withHeader(`${name}: v`);
      assert.ok(r.ok, name);
      assert.equal(r.message.get(name), 'v', name);
      assert.equal(lastHeader(`${name}: v`).name, name);
    }
  });
  test('RFC 3261 §7.3.1: whitespace between name and colon is allowed; the name excludes it', () => {
    assert.deepEqual(lastHeader('Subject \t : hi'), { name: 'Subject', value: 'hi', raw: 'Subject \t : hi\r\n' });
    assert.equal(lastHeader('X-Odd-Name  : 1').name, 'X-Odd-Name');
  });
  test('RFC 3261 §7.3: a header line must be token, optional WS, colon — else the line is rejected with the reason', () => {
    const detail = (line: string): string | undefined => {
      const r = withHeader(line);
      assert.equal(r.ok, false, JSON.stringify(line));
      return r.ok ? undefined : r.error.detail;
    };
    assert.equal(detail('NoColonHere'), 'no ":" in header line');
    assert.equal(detail('Via SIP/2.0/UDP h'), 'no ":" in header line');
    assert.equal(detail(': value'), 'header line does not start with a name');
    assert.equal(detail('Bad Name: v'), 'invalid character in header name');
    assert.equal(detail('Bad@Name: v'), 'invalid character in header name');
    assert.equal(detail('Conta\xe7t: v'), 'invalid character in header name');
    assert.equal(detail('Via\r: v'), 'invalid character in header name');
  });
});
