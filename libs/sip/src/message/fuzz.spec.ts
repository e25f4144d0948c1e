import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { parseMessage } from './parse-message.js';
import { createResponse } from './create-response.js';
import { frameStreamMessage } from './frame-stream.js';
import { SipHeaderError } from './errors.js';
import type { SipMessage } from './sip-message.js';
import { NameAddr } from './name-addr.js';

/** mulberry32: small seeded PRNG so every failure is reproducible from its iteration number. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIXTURES = new URL('../../fixtures/', import.meta.url);
function corpus(): Buffer[] {
  const out: Buffer[] = [];
  for (const set of ['rfc4475', 'rfc5118']) {
    const dir = new URL(`${set}/`, FIXTURES);
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.sip')).sort()) out.push(readFileSync(new URL(f, dir)));
  }
  return out;
}

const INSERTS = ['\r', '\n', '\r\n', '\0', '\r\n ', ' ', ',', ';', ':', '"', '<', '>', '[', ']', '%', '@', '99999999999999999999999', '-1', '4294967296', ';;;', '\xff\xfe', 'Content-Length: 5\r\n', 'Via: SIP/2.0/UDP [::1\r\n'];

function mutate(src: Buffer, rnd: () => number): Buffer {
  let b = Buffer.from(src);
  const n = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < n; k++) {
    const pos = Math.floor(rnd() * (b.length + 1));
    switch (Math.floor(rnd() * 7)) {
      case 0: // byte flip
        if (b.length) b[Math.min(pos, b.length - 1)] = Math.floor(rnd() * 256);
        break;
      case 1: // truncation
        b = b.subarray(0, pos);
        break;
      case 2: {
        // duplicate a range
        const len = Math.floor(rnd() * 64);
        b = Buffer.concat([b.subarray(0, pos), b.subarray(pos, pos + len), b.subarray(pos)]);
        break;
      }
      case 3: // insert CR/LF/NUL/huge numbers/separators
        b = Buffer.concat([b.subarray(0, pos), Buffer.from(INSERTS[Math.floor(rnd() * INSERTS.length)]!, 'latin1'), b.subarray(pos)]);
        break;
      case 4: {
        // shuffle two header lines
        const lines = b.toString('latin1').split('\r\n');
        const head = lines.indexOf('');
        const last = head < 0 ? lines.length : head;
        if (last > 2) {
          const i = 1 + Math.floor(rnd() * (last - 1));
          const j = 1 + Math.floor(rnd() * (last - 1));
          [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        }
        b = Buffer.from(lines.join('\r\n'), 'latin1');
        break;
      }
      case 5: // delete a range
        b = Buffer.concat([b.subarray(0, pos), b.subarray(pos + Math.floor(rnd() * 32))]);
        break;
      default: // swap the line ending style of the whole message
        b = Buffer.from(b.toString('latin1').replace(/\r\n/g, rnd() < 0.5 ? '\n' : '\r\n'), 'latin1');
    }
  }
  return b;
}

/** Calls every typed accessor; only SipHeaderError may escape. */
function touchAll(m: SipMessage): void {
  const calls: Array<() => unknown> = [
    () => m.topVia(),
    () => m.vias(),
    () => m.from(),
    () => m.to(),
    () => m.callId(),
    () => m.cseq(),
    () => m.contact(),
    () => m.route(),
    () => m.recordRoute(),
    () => m.path(),
    () => m.expires(),
    () => m.minExpires(),
    () => m.maxForwards(),
    () => m.contentLength(),
    () => m.flowTimer(),
    () => m.supported(),
    () => m.require(),
    () => m.unsupported(),
    () => m.allow(),
    () => m.allowEvents(),
    () => m.event(),
    () => m.subscriptionState(),
    () => m.callInfo(),
    () => m.contentType(),
    () => m.retryAfter(),
    () => m.userAgent(),
    () => m.referTo(),
    () => m.getAll('WWW-Authenticate'),
    () => m.getList('Accept'),
    () => m.headers(),
  ];
  for (const c of calls) {
    try {
      const v = c();
      // Lazy parts of name-addr values (URI, parameters, display name) decode on access.
      const list = Array.isArray(v) ? v : v && typeof v === 'object' && 'list' in v ? (v as { list: unknown[] }).list : [v];
      for (const x of list) {
        if (x instanceof NameAddr) {
          for (const get of [() => x.uri.toString(), () => x.params.toString(), () => x.displayName, () => x.tag, () => x.expires, () => x.q, () => x.toString()]) {
            try {
              get();
            } catch (e) {
              if (!(e instanceof SipHeaderError)) throw e;
            }
          }
        }
      }
    } catch (e) {
      if (!(e instanceof SipHeaderError)) throw e;
    }
  }
}

test('robustness: 300,000 seeded mutations of the torture corpus — parseMessage never throws, accessors throw only SipHeaderError', () => {
  const seeds = corpus();
  const rnd = prng(0x5eed);
  const started = Date.now();
  const N = 300_000;
  let accepted = 0;
  for (let i = 0; i < N; i++) {
    const input = mutate(seeds[i % seeds.length]!, rnd);
    const stream = (i & 7) === 7;
    let r;
    try {
      r = parseMessage(input, { stream });
      frameStreamMessage(input, 0);
    } catch (e) {
      assert.fail(`iteration ${i}: parseMessage threw ${String(e)}\n${JSON.stringify(input.toString('latin1'))}`);
    }
    if (!r.ok) {
      assert.notEqual(r.error.code, 'malformed', `iteration ${i}: internal failure ${r.error.detail}\n${JSON.stringify(input.toString('latin1'))}`);
      assert.ok(r.error.reason.length > 0);
      if (r.error.message) createResponse(r.error.message as never, r.error.status, r.error.reason).serialize();
      continue;
    }
    accepted++;
    const m = r.message;
    try {
      touchAll(m);
      const again = parseMessage(m.serialize(), { stream });
      assert.ok(again.ok, `iteration ${i}: serialize() of an accepted message must re-parse`);
      if (m.kind === 'request' && i % 4 === 0) {
        createResponse(m, 200, undefined, { toTag: 't' }).serialize();
        m.prependVia('SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKfuzz');
        m.removeFirstRoute();
        m.serialize();
      }
    } catch (e) {
      if (e instanceof SipHeaderError) continue;
      assert.fail(`iteration ${i}: ${String(e)}\n${JSON.stringify(input.toString('latin1'))}`);
    }
  }
  const seconds = (Date.now() - started) / 1000;
  assert.ok(accepted > N / 20, `enough mutants parse to exercise accessors (${accepted})`);
  assert.ok(seconds < 60, `finished in ${seconds}s`);
});
