import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FrameHead } from './frame-head.js';
import { MsrpFramer, type ContinuationFlag } from './msrp-framer.js';

interface Got {
  heads: FrameHead[];
  bodies: Buffer[];
  ends: ContinuationFlag[];
  lost: string[];
}

function collect(limits?: { maxHeadSize?: number }): { f: MsrpFramer; got: Got } {
  const got: Got = { heads: [], bodies: [], ends: [], lost: [] };
  let body: Buffer[] = [];
  const f = new MsrpFramer(
    {
      head: (h) => {
        got.heads.push(h);
        body = [];
      },
      body: (c) => body.push(Buffer.from(c)),
      end: (flag) => {
        got.ends.push(flag);
        got.bodies.push(Buffer.concat(body));
      },
      lost: (r) => got.lost.push(r),
    },
    limits,
  );
  return { f, got };
}

const SEND =
  'MSRP a786hjs2 SEND\r\nTo-Path: msrp://relay.example.com:2855/s1;tcp msrp://bob.example.com:8888/9di4ea;tcp\r\n' +
  'From-Path: msrp://alice.example.com:7777/iau39;tcp\r\nMessage-ID: 87652\r\nByte-Range: 1-25/25\r\nContent-Type: text/plain\r\n\r\n' +
  'Hey Bob, are you there?\r\n\r\n-------a786hjs2$\r\n';
const OK = 'MSRP a786hjs2 200 OK\r\nTo-Path: msrp://alice.example.com:7777/iau39;tcp\r\nFrom-Path: msrp://relay.example.com:2855/s1;tcp\r\n-------a786hjs2$\r\n';

describe('MsrpFramer (RFC 4975 §7, §9)', () => {
  it('parses a SEND with body and a response without (RFC 4975 §7.1 example)', () => {
    const { f, got } = collect();
    f.push(Buffer.from(SEND + OK));
    assert.equal(got.heads.length, 2);
    assert.equal(got.heads[0]!.method, 'SEND');
    assert.deepEqual(got.heads[0]!.toPath, ['msrp://relay.example.com:2855/s1;tcp', 'msrp://bob.example.com:8888/9di4ea;tcp']);
    assert.equal(got.heads[0]!.get('message-id'), '87652');
    assert.equal(got.bodies[0]!.toString(), 'Hey Bob, are you there?\r\n');
    assert.equal(got.heads[1]!.status, 200);
    assert.equal(got.heads[1]!.comment, 'OK');
    assert.equal(got.heads[1]!.hasBody, false);
    assert.deepEqual(got.ends, ['$', '$']);
  });

  it('gives the same frames whatever the read boundaries (every split point, byte by byte)', () => {
    const all = Buffer.from(SEND + OK);
    for (let cut = 1; cut < all.length; cut++) {
      const { f, got } = collect();
      f.push(all.subarray(0, cut));
      f.push(all.subarray(cut));
      assert.equal(got.heads.length, 2, `cut ${cut}`);
      assert.equal(got.bodies[0]!.toString(), 'Hey Bob, are you there?\r\n', `cut ${cut}`);
    }
    const { f, got } = collect();
    for (let i = 0; i < all.length; i++) f.push(all.subarray(i, i + 1));
    assert.equal(got.heads.length, 2);
    assert.equal(got.bodies[0]!.toString(), 'Hey Bob, are you there?\r\n');
  });

  it('streams a large body in slices without holding it (continuation flags + and #)', () => {
    const { f, got } = collect();
    const big = Buffer.alloc(1 << 20, 0x61);
    f.push(Buffer.from('MSRP tid12345 SEND\r\nTo-Path: msrp://a:1/x;tcp\r\nFrom-Path: msrp://b:2/y;tcp\r\nContent-Type: text/plain\r\n\r\n'));
    for (let i = 0; i < big.length; i += 65536) f.push(big.subarray(i, i + 65536));
    f.push(Buffer.from('\r\n-------tid12345+\r\nMSRP tid22345 SEND\r\nTo-Path: msrp://a:1/x;tcp\r\nFrom-Path: msrp://b:2/y;tcp\r\nContent-Type: text/plain\r\n\r\nab\r\n-------tid22345#\r\n'));
    assert.equal(got.bodies[0]!.length, 1 << 20);
    assert.deepEqual(got.ends, ['+', '#']);
    assert.equal(got.bodies[1]!.toString(), 'ab');
  });

  it('an end-line look-alike with another transaction id is body (RFC 4975 §7.1: only the own tid ends it)', () => {
    const { f, got } = collect();
    f.push(Buffer.from('MSRP tid12345 SEND\r\nTo-Path: msrp://a:1/x;tcp\r\nFrom-Path: msrp://b:2/y;tcp\r\nContent-Type: text/plain\r\n\r\nx\r\n-------other1$\r\ny\r\n-------tid12345$\r\n'));
    assert.equal(got.bodies[0]!.toString(), 'x\r\n-------other1$\r\ny');
  });

  it('a frame without To-Path is delivered as invalid (answered 400) and framing continues', () => {
    const { f, got } = collect();
    f.push(Buffer.from('MSRP abcd1 SEND\r\nFrom-Path: msrp://b:2/y;tcp\r\n-------abcd1$\r\n' + OK));
    assert.equal(got.heads[0]!.invalid, 'To-Path missing');
    assert.equal(got.heads[1]!.status, 200);
  });

  it('garbage loses framing once and is reported, never thrown', () => {
    const { f, got } = collect();
    f.push(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    f.push(Buffer.from(SEND));
    assert.equal(got.lost.length, 1);
    assert.equal(got.heads.length, 0);
    assert.equal(f.lost, true);
  });

  it('a head over maxHeadSize loses framing (limits on header size)', () => {
    const { f, got } = collect({ maxHeadSize: 256 });
    f.push(Buffer.from('MSRP abcd1 SEND\r\nTo-Path: msrp://a:1/x;tcp\r\nX: ' + 'y'.repeat(400)));
    assert.equal(got.lost.length, 1);
  });

  it('an end-line with a wrong tid right after the headers loses framing', () => {
    const { f, got } = collect();
    f.push(Buffer.from('MSRP abcd1 SEND\r\nTo-Path: msrp://a:1/x;tcp\r\nFrom-Path: msrp://b:2/y;tcp\r\n-------zzzz9$\r\n'));
    assert.equal(got.lost.length, 1);
  });
});
