import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatsRegistry } from '@pbx/core';
import { msrpConfigSchema } from '../config.js';
import { MsrpFramer } from '../frame/msrp-framer.js';
import type { FrameHead } from '../frame/frame-head.js';
import { MsrpRelay } from './msrp-relay.js';
import { registerMsrpStats } from './msrp-stats.js';
import type { LinkHandler, RelayLink } from './relay-link.js';

/** An in-memory link: what the relay writes is parsed back into frames. */
class MemLink implements RelayLink {
  static ids = 1;
  readonly id = MemLink.ids++;
  readonly transport = 'tcp' as const;
  readonly remoteAddress = '192.0.2.1';
  readonly remotePort = 5000 + this.id;
  readonly localAddress = '127.0.0.1';
  readonly localPort = 2855;
  closed = false;
  readonly congested = false;
  readonly got: Array<{ head: FrameHead; body: string }> = [];
  handler!: LinkHandler;
  private cur: { head: FrameHead; body: string } | null = null;
  private readonly framer = new MsrpFramer({
    head: (h) => (this.cur = { head: h, body: '' }),
    body: (c) => (this.cur!.body += c.toString()),
    end: () => this.got.push(this.cur!),
    lost: (r) => assert.fail(r),
  });
  write(d: Buffer): void {
    this.framer.push(Buffer.from(d));
  }
  endFrame(): void {}
  flush(): void {}
  onDrain(): void {}
  pause(): void {}
  resume(): void {}
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.handler.closed('closed');
  }
  in(text: string): void {
    this.handler.data(Buffer.from(text));
  }
}

function relay(config = {}, clock = { now: () => 1_000_000 }) {
  const r = new MsrpRelay({
    config: msrpConfigSchema.parse(config),
    auth: undefined,
    realm: 'example.com',
    clock,
    stats: registerMsrpStats(new StatsRegistry(), () => 0),
    connect: () => null,
  });
  const link = () => {
    const l = new MemLink();
    l.handler = r.attach(l);
    return l;
  };
  return { r, link };
}

const auth = (l: MemLink, tid: string, extra = '') =>
  l.in(`MSRP ${tid} AUTH\r\nTo-Path: msrp://127.0.0.1:2855;tcp\r\nFrom-Path: msrp://c${l.id}:1/x;tcp\r\n${extra}-------${tid}$\r\n`);

describe('MsrpRelay (RFC 4976, Kamailio msrp cmap policy)', () => {
  it('AUTH saves the session (msrp_cmap_save) and answers Use-Path + Expires; use_path_addr is used when set', () => {
    const { r, link } = relay({ use_path_addr: 'relay.example.com:2856' });
    const a = link();
    auth(a, 'auth0001');
    const res = a.got[0]!.head;
    assert.equal(res.status, 200);
    assert.match(res.get('Use-Path')!, /^msrp:\/\/relay\.example\.com:2856\/[\w-]{20};tcp$/);
    assert.equal(res.get('Expires'), '3600');
    assert.equal(r.cmap.size, 1);
  });

  it('423 below auth_min_expires / above auth_max_expires', () => {
    const { link } = relay();
    const a = link();
    auth(a, 'auth0002', 'Expires: 5\r\n');
    auth(a, 'auth0003', 'Expires: 5000\r\n');
    assert.equal(a.got[0]!.head.status, 423);
    assert.equal(a.got[0]!.head.get('Min-Expires'), '60');
    assert.equal(a.got[1]!.head.get('Max-Expires'), '3600');
  });

  it('SEND for one hop goes to the saved connection; the session closes with its connection (then 481)', () => {
    const { r, link } = relay();
    const a = link();
    const b = link();
    auth(b, 'auth0004');
    const useB = b.got[0]!.head.get('Use-Path')!;
    const send = (t: string) => a.in(`MSRP ${t} SEND\r\nTo-Path: ${useB} msrp://b:1/y;tcp\r\nFrom-Path: msrp://a:1/x;tcp\r\nContent-Type: text/plain\r\n\r\nhi\r\n-------${t}$\r\n`);
    send('send0001');
    assert.equal(a.got[0]!.head.status, 200);
    assert.deepEqual(b.got[1]!.head.toPath, ['msrp://b:1/y;tcp']);
    assert.deepEqual(b.got[1]!.head.fromPath, [useB, 'msrp://a:1/x;tcp']);
    assert.equal(b.got[1]!.body, 'hi');
    b.close();
    assert.equal(r.cmap.size, 0);
    // B never answered the SEND: its transaction fails with the connection (RFC 4975 §7.1.2 failure REPORT).
    assert.equal(a.got[1]!.head.method, 'REPORT');
    assert.equal(a.got[1]!.head.get('Status'), '000 408 Request Timeout');
    send('send0002');
    assert.equal(a.got[2]!.head.status, 481);
  });

  it('timer: sessions past Expires leave the map (timer_interval cleaning)', () => {
    let now = 0;
    const { r, link } = relay({}, { now: () => now });
    const a = link();
    auth(a, 'auth0005', 'Expires: 60\r\n');
    now = 59_000;
    r.sweep();
    assert.equal(r.cmap.size, 1);
    now = 60_000;
    r.sweep();
    assert.equal(r.cmap.size, 0);
  });

  it('REPORT for an unknown session gets no response (RFC 4975 §7.1.2), SEND gets 481, FOO 501', () => {
    const { link } = relay();
    const a = link();
    a.in('MSRP rep00001 REPORT\r\nTo-Path: msrp://r:1/nope;tcp msrp://b:1/y;tcp\r\nFrom-Path: msrp://a:1/x;tcp\r\nStatus: 000 200 OK\r\n-------rep00001$\r\n');
    a.in('MSRP foo00001 FOO\r\nTo-Path: msrp://r:1;tcp\r\nFrom-Path: msrp://a:1/x;tcp\r\n-------foo00001$\r\n');
    assert.equal(a.got.length, 1);
    assert.equal(a.got[0]!.head.status, 501);
  });
});

describe('MsrpRelay transactions (RFC 4975 §7.1.1: 30 s)', () => {
  it('a forwarded SEND unanswered for 30 s fails with a 408 failure REPORT to the sender', () => {
    let now = 0;
    const { r, link } = relay({}, { now: () => now });
    const a = link();
    const b = link();
    auth(b, 'auth0006');
    const useB = b.got[0]!.head.get('Use-Path')!;
    a.in(`MSRP send0003 SEND\r\nTo-Path: ${useB} msrp://b:1/y;tcp\r\nFrom-Path: msrp://a:1/x;tcp\r\nMessage-ID: m3\r\nByte-Range: 1-2/2\r\nContent-Type: text/plain\r\n\r\nhi\r\n-------send0003$\r\n`);
    assert.equal(a.got[0]!.head.status, 200);
    now = 29_999;
    r.sweepTransactions();
    assert.equal(a.got.length, 1);
    now = 30_000;
    r.sweepTransactions();
    const rep = a.got[1]!.head;
    assert.equal(rep.method, 'REPORT');
    assert.equal(rep.get('Status'), '000 408 Request Timeout');
    assert.equal(rep.get('Message-ID'), 'm3');
    assert.equal(rep.get('Byte-Range'), '1-2/2');
    assert.deepEqual(rep.toPath, ['msrp://a:1/x;tcp']);
  });

  it('RFC 4976 §7.1: a SEND onward through a session of another connection is 403, through none 481', () => {
    const { link } = relay();
    const a = link();
    const b = link();
    auth(b, 'auth0007');
    const useB = b.got[0]!.head.get('Use-Path')!;
    a.in(`MSRP send0004 SEND\r\nTo-Path: ${useB} msrp://r2:1/s;tcp msrp://b:1/y;tcp\r\nFrom-Path: msrp://a:1/x;tcp\r\n-------send0004$\r\n`);
    a.in(`MSRP auth0008 AUTH\r\nTo-Path: msrp://127.0.0.1:2855/nope;tcp msrp://r2:1;tcp\r\nFrom-Path: msrp://a:1/x;tcp\r\n-------auth0008$\r\n`);
    assert.equal(a.got[0]!.head.status, 403);
    assert.equal(a.got[1]!.head.status, 481);
  });
});
