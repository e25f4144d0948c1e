import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { parseMessage } from './parse-message.js';
import { RFC4475, RFC5118, type TortureCase } from './torture-expectations.js';

const FIXTURES = new URL('../../fixtures/', import.meta.url);
const load = (set: string, file: string): Buffer => readFileSync(new URL(`${set}/${file}.sip`, FIXTURES));

function run(set: string, cases: TortureCase[]): void {
  for (const c of cases) {
    const name = `RFC ${set.slice(3)} §${c.section} ${c.file}: ${c.verdict === 'reject' ? `rejected as "${c.reason}"` : c.verdict === 'valid' ? 'parses to the values the RFC gives' : 'accepted; the application decides'}`;
    test(name, () => {
      const r = parseMessage(load(set, c.file));
      if (c.verdict === 'reject') {
        assert.equal(r.ok, false, 'must be rejected');
        if (r.ok) return;
        assert.equal(r.error.code, c.code);
        assert.equal(r.error.reason, c.reason);
        assert.equal(r.error.canRespond, c.canRespond);
        assert.equal(r.error.message !== undefined, c.canRespond);
      } else {
        assert.ok(r.ok, r.ok ? '' : `${r.error.reason}: ${r.error.detail ?? ''}`);
        c.check?.(r.message);
      }
    });
  }
}

describe('RFC 4475 torture messages', () => {
  test('RFC 4475 §A: the corpus holds every message of §3 (49 files)', () => {
    const files = readdirSync(new URL('rfc4475/', FIXTURES)).filter((f) => f.endsWith('.sip'));
    assert.equal(files.length, 49);
    assert.deepEqual(new Set(files.map((f) => f.slice(0, -4))), new Set(RFC4475.map((c) => c.file)));
  });
  test('RFC 4475 §A: the §3.1.1 fixtures are byte-exact decodes of the RFC archive (SHA-256)', () => {
    const known: Record<string, string> = {
      wsinv: 'd6f6cdee99cd0a1f8e3d9a0fdd67c877700e19ab86d8186dada06f61260e3e61',
      intmeth: 'b957a8292c1c0a9851fe94705b90f94320738f43aacde64998e401f742ef688d',
      esc01: 'be3a316d4ce5f69cad474646191e390dd4b50fc8371e44b5197fe1237781973e',
      escnull: '263fe2ecd12a5ccbb6c67b3174e9211d11da9b600e7d69666a86d2ee42873e90',
      esc02: '9a9c59449f00327b02071feafc8e5c2a261c98c818044167894cc17809a12199',
      lwsdisp: 'd1b36b6316c12824f6f04bf6b1fd1f021cade9b74871693b9c3474cd9fa7f4e6',
      longreq: '185739292bc676760e5b1cca77c87705aa570240171c506ad76f8c35af0ecdaa',
      dblreq: 'a6be48426565c2a705389c4ce2ea17e57b891cb13f80490a2cb9392c797b46ef',
      semiuri: '87bbaed6b4b354dbd3c5c7a20e66686303c63e43a0aa19b89de1ac75231611a2',
      transports: '33b4553a3b9418121b099ff07882535151edd6a1e81898c63a916aad2cbf90bc',
      mpart01: '92147c8e24997bac59629e1b163767697d0d6d499af87f89e325d69968bec3ba',
      unreason: '4f939d6ebf4817eea70f011d3209e83732872ffc20ffd304b244084dc392f4d7',
      noreason: '07e11e470a69fffa3674de805e5165d1351a9439a91045ee70c9570ea24ab4fe',
    };
    for (const [f, h] of Object.entries(known)) assert.equal(createHash('sha256').update(load('rfc4475', f)).digest('hex'), h, f);
  });
  run('rfc4475', RFC4475);
});

describe('RFC 5118 IPv6 torture messages', () => {
  test('RFC 5118 §4: the corpus holds all 12 messages', () => {
    const files = readdirSync(new URL('rfc5118/', FIXTURES)).filter((f) => f.endsWith('.sip'));
    assert.deepEqual(new Set(files.map((f) => f.slice(0, -4))), new Set(RFC5118.map((c) => c.file)));
  });
  run('rfc5118', RFC5118);
  test('RFC 5118 §4.6: with a corrected Content-Length the IPv6 SDP request is valid', () => {
    const raw = load('rfc5118', 'ipv6-in-sdp').toString('latin1').replace('Content-Length: 268', 'Content-Length: 251');
    const r = parseMessage(Buffer.from(raw, 'latin1'));
    assert.ok(r.ok);
    assert.ok(r.message.body.toString().includes('c=IN IP6 2001:db8::20'));
    assert.equal(r.message.topVia()!.host, '[2001:db8::20]');
  });
});
