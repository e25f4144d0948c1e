import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '@pbx/core';
import { FlowTable } from './flow-table.js';
import { EDGE_REPLIES, type EdgeError } from './edge-errors.js';
import type { FlowAddress } from './flow-address.js';

const udp: FlowAddress = { transport: 'udp', localAddress: '127.0.0.1', localPort: 5060, address: '127.0.0.1', port: 40000, connectionId: 0 };
const tcp: FlowAddress = { transport: 'tcp', localAddress: '127.0.0.1', localPort: 5060, address: '127.0.0.1', port: 40001, connectionId: 7 };

function table() {
  const clock = new ManualClock(1_000);
  const events: string[] = [];
  const t = new FlowTable({
    clock,
    udpLifetimeMs: 30_000,
    defaultFlowTimerMs: 0,
    listener: {
      opened: (f) => events.push(`opened ${f.id}`),
      silent: (f) => events.push(`silent ${f.id}`),
      closed: (f, r) => events.push(`closed ${f.id} ${r}`),
    },
  });
  return { t, clock, events };
}

test('a flow opens once per 5-tuple (UDP) or connection (stream), keyed for the admin API', () => {
  const { t, events } = table();
  const a = t.open(udp);
  assert.equal(t.open({ ...udp }), a);
  const b = t.open(tcp);
  assert.equal(b.id, 'tcp-7');
  assert.equal(a.id, 'udp-127.0.0.1-5060-127.0.0.1-40000');
  assert.deepEqual(events, [`opened ${a.id}`, 'opened tcp-7']);
});

test('RFC 5626 §4.4.1: a flow with no traffic past its Flow-Timer is reported silent once, until traffic resumes', () => {
  const { t, clock, events } = table();
  const f = t.open(tcp);
  t.setFlowTimer(f, 20);
  clock.advance(20_000);
  t.sweep();
  assert.equal(f.silent, false, 'exactly the Flow-Timer is not yet past it');
  clock.advance(1);
  t.sweep();
  t.sweep();
  assert.deepEqual(events.slice(1), ['silent tcp-7']);
  t.keepAlive(f, 4, 2);
  assert.equal(f.silent, false);
  assert.equal(f.keepAlives, 1);
  assert.equal(f.lastKeepAliveAt, clock.now());
});

test('UDP flows quiet past the lifetime are forgotten; stream flows close with their connection', () => {
  const { t, clock, events } = table();
  const u = t.open(udp);
  t.open(tcp);
  clock.advance(30_001);
  t.sweep();
  assert.equal(t.alive(u.id), false);
  assert.equal(t.alive('tcp-7'), true, 'a stream flow lives as long as its connection');
  t.connectionClosed('tcp', 7);
  assert.equal(t.size, 0);
  assert.deepEqual(events.slice(2), [`closed ${u.id} udp flow expired`, 'closed tcp-7 connection closed']);
});

test('traffic counters: requests and bytes each way', () => {
  const { t } = table();
  const f = t.open(tcp);
  t.received(f, 300, true);
  t.received(f, 200, false);
  t.sent(f, 400, true);
  assert.deepEqual([f.requestsIn, f.requestsOut, f.bytesIn, f.bytesOut], [1, 1, 500, 400]);
});

test('every edge error maps to a SIP failure status and a reason', () => {
  const codes: EdgeError[] = ['too_many_hops', 'cseq_mismatch', 'bad_flow_token', 'no_dialog_route', 'address_incomplete', 'flow_failed', 'registrar_unreachable', 'no_transaction'];
  assert.deepEqual(Object.keys(EDGE_REPLIES).sort(), [...codes].sort());
  for (const c of codes) {
    const r = EDGE_REPLIES[c];
    assert.ok(r.status >= 400 && r.status < 600 && r.reason.length > 0, c);
  }
  assert.equal(EDGE_REPLIES.flow_failed.status, 430, 'RFC 5626 §5.3');
  assert.equal(EDGE_REPLIES.bad_flow_token.status, 403, 'RFC 5626 §5.2');
});
