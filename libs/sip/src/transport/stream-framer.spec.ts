import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamFramer } from './stream-framer.js';
import { sipRequest } from './spec-support.js';

interface Run {
  framer: StreamFramer;
  messages: Buffer[];
  pings: number;
  errors: string[];
}

function framer(limits = { maxMessageSize: 65535, maxHeaderSize: 8192 }): Run {
  const run: Run = { messages: [], pings: 0, errors: [], framer: undefined as unknown as StreamFramer };
  run.framer = new StreamFramer(limits, {
    message: (d) => run.messages.push(d),
    ping: () => run.pings++,
    error: (r) => run.errors.push(r),
  });
  return run;
}

const m1 = sipRequest(1, 'hello');
const m2 = sipRequest(2, '');
const m3 = sipRequest(3, 'a body\r\n\r\nwith CRLFCRLF inside');

describe('StreamFramer (RFC 3261 §18.3)', () => {
  test('a message in one read is handed on as a view of that read (no copy)', () => {
    const r = framer();
    const chunk = Buffer.from(m1);
    r.framer.push(chunk);
    assert.equal(r.messages.length, 1);
    assert.equal(r.messages[0]!.toString(), m1);
    assert.equal(r.messages[0]!.buffer, chunk.buffer);
    assert.equal(r.framer.pending, 0);
  });

  test('MUST reassemble a message fed one byte at a time', () => {
    const r = framer();
    const all = Buffer.from(m1 + m3);
    for (let i = 0; i < all.length; i++) r.framer.push(all.subarray(i, i + 1));
    assert.deepEqual(
      r.messages.map((m) => m.toString()),
      [m1, m3],
    );
    assert.deepEqual(r.errors, []);
  });

  test('MUST split several messages merged in one read, in order', () => {
    const r = framer();
    r.framer.push(Buffer.from(m1 + m2 + m3));
    assert.deepEqual(
      r.messages.map((m) => m.toString()),
      [m1, m2, m3],
    );
  });

  test('finds the boundaries wherever a read is cut (every cut of two messages)', () => {
    const all = Buffer.from(m3 + m1);
    for (let cut = 1; cut < all.length; cut++) {
      const r = framer();
      r.framer.push(all.subarray(0, cut));
      r.framer.push(all.subarray(cut));
      assert.deepEqual(
        r.messages.map((m) => m.toString()),
        [m3, m1],
        `cut at ${cut}`,
      );
    }
  });

  test('finds the boundaries with three-way cuts around the header end', () => {
    const all = Buffer.from(m2 + m1);
    const headerEnd = all.indexOf('\r\n\r\n') + 4;
    for (let a = headerEnd - 6; a < headerEnd + 2; a++) {
      for (let b = a + 1; b < headerEnd + 4; b++) {
        const r = framer();
        r.framer.push(all.subarray(0, a));
        r.framer.push(all.subarray(a, b));
        r.framer.push(all.subarray(b));
        assert.deepEqual(
          r.messages.map((m) => m.toString()),
          [m2, m1],
          `cuts at ${a}, ${b}`,
        );
      }
    }
  });

  test('reads the compact form `l:` case-insensitively, with LWS before the colon and a folded value', () => {
    for (const header of ['l: 5', 'L:5', 'content-LENGTH :  5', 'Content-Length\t: 5 ', 'Content-Length:\r\n  5']) {
      const msg = `MESSAGE sip:a@b SIP/2.0\r\nCall-ID: x\r\n${header}\r\n\r\nhello`;
      const r = framer();
      r.framer.push(Buffer.from(msg + msg));
      assert.equal(r.messages.length, 2, header);
      assert.equal(r.messages[0]!.toString(), msg, header);
    }
  });

  test('a missing Content-Length is a framing error (mandatory on streams)', () => {
    const r = framer();
    r.framer.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n'));
    assert.equal(r.messages.length, 0);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0]!, /missing Content-Length/);
    // Framing is lost: later bytes are ignored.
    r.framer.push(Buffer.from(m1));
    assert.equal(r.messages.length, 0);
  });

  test('invalid and conflicting Content-Length values are framing errors', () => {
    const bad = framer();
    bad.framer.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 1x\r\n\r\n'));
    assert.match(bad.errors[0]!, /invalid Content-Length/);
    const conflict = framer();
    conflict.framer.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 1\r\nl: 2\r\n\r\nab'));
    assert.match(conflict.errors[0]!, /conflicting/);
  });

  test('a header section longer than maxHeaderSize is an error, even before its end arrives', () => {
    const r = framer({ maxMessageSize: 4096, maxHeaderSize: 200 });
    r.framer.push(Buffer.from(`MESSAGE sip:a@b SIP/2.0\r\nX-Pad: ${'p'.repeat(300)}`));
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0]!, /header section exceeds 200/);
  });

  test('a Content-Length that makes the message exceed maxMessageSize is an error before the body is read', () => {
    const r = framer({ maxMessageSize: 1000, maxHeaderSize: 500 });
    r.framer.push(Buffer.from('MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 99999999999999999999\r\n\r\n'));
    assert.match(r.errors[0]!, /exceeds 1000/);
  });

  test('RFC 5626 §4.4.1: a double CRLF where a message would start is a ping; a lone CRLF is ignored', () => {
    const r = framer();
    r.framer.push(Buffer.from('\r\n\r\n'));
    assert.equal(r.pings, 1);
    r.framer.push(Buffer.from('\r\n'));
    assert.equal(r.pings, 1);
    r.framer.push(Buffer.from(m1));
    assert.equal(r.pings, 1, 'the lone CRLF before a message is not a ping');
    assert.equal(r.messages.length, 1);
    // Two pings merged, then a ping split over reads, between messages.
    r.framer.push(Buffer.from(`\r\n\r\n\r\n\r\n${m2}\r\n`));
    r.framer.push(Buffer.from('\r'));
    r.framer.push(Buffer.from('\n'));
    r.framer.push(Buffer.from(m3));
    assert.equal(r.pings, 4);
    assert.deepEqual(
      r.messages.map((m) => m.toString()),
      [m1, m2, m3],
    );
    assert.deepEqual(r.errors, []);
  });

  test('stop() discards what is buffered and ignores later reads', () => {
    const r = framer();
    r.framer.push(Buffer.from(m1.slice(0, 10)));
    r.framer.stop();
    assert.equal(r.framer.pending, 0);
    r.framer.push(Buffer.from(m1));
    assert.equal(r.messages.length, 0);
  });

  test('a sink that stops the framer during a message halts the rest of the read', () => {
    const messages: string[] = [];
    const f: StreamFramer = new StreamFramer(
      { maxMessageSize: 65535, maxHeaderSize: 8192 },
      {
        message: (d) => {
          messages.push(d.toString());
          f.stop();
        },
        ping: () => {},
        error: () => {},
      },
    );
    f.push(Buffer.from(m1 + m2));
    assert.deepEqual(messages, [m1]);
  });

  test('random chunking of a long run of messages reproduces them exactly', () => {
    const msgs = Array.from({ length: 200 }, (_, i) => sipRequest(i, 'x'.repeat(i % 37)));
    const all = Buffer.from(msgs.join(''));
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const r = framer();
    for (let i = 0; i < all.length; ) {
      const n = 1 + rand(300);
      r.framer.push(all.subarray(i, i + n));
      i += n;
    }
    assert.deepEqual(
      r.messages.map((m) => m.toString()),
      msgs,
    );
  });
});
