import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createResponse, type SipResponse } from '../message/index.js';
import { newBranch } from './branch.js';
import type { InviteServerTransaction } from './invite-server-transaction.js';
import { ManualScheduler } from './scheduler.js';
import { RecordingCore, requestText, RecordingUser, request, TIMERS } from './spec-support.js';
import { UdpEndpoint, wiredLayer, type WiredLayer } from './wire-support.js';

const open: Array<WiredLayer | UdpEndpoint> = [];
after(async () => {
  await Promise.all(open.map((x) => (x instanceof UdpEndpoint ? x.close() : x.stop())));
});

describe('transaction layer over real UDP sockets (RFC 3261 §17.2)', () => {
  test('§17.2.2: a retransmitted MESSAGE gets the same final response again, and the core sees it once', async () => {
    const core = new RecordingCore();
    core.onEach = (req, tx) => tx?.respond(createResponse(req, 200, undefined, { toTag: 'srv' }));
    const srv = await wiredLayer(['udp'], { timers: TIMERS, scheduler: new ManualScheduler(), core });
    const ua = await UdpEndpoint.open();
    open.push(srv, ua);
    const msg = requestText({ method: 'MESSAGE', sentBy: `127.0.0.1:${ua.port}`, branch: 'z9hG4bK-w1', body: 'hello' });
    ua.send(msg, srv.port('udp'));
    await ua.untilCount('SIP/2.0 200');
    ua.send(msg, srv.port('udp'));
    await ua.untilCount('SIP/2.0 200', 2);
    assert.equal(core.requests.length, 1);
    assert.deepEqual(ua.raw[1], ua.raw[0], 'byte-identical retransmission of the response');
    assert.equal(srv.layer.stats().responsesResent, 1);
  });

  test('§13.3.1.4 / RFC 6026: a lost 200 to INVITE is retransmitted (T1, 2T1 …) until the ACK arrives', async () => {
    const scheduler = new ManualScheduler();
    const core = new RecordingCore();
    core.onEach = (req, tx) => {
      if (tx?.kind === 'invite') (tx as InviteServerTransaction).respond(createResponse(req, 200, undefined, { toTag: 'uas' }), { retransmitUntilAck: true });
    };
    const srv = await wiredLayer(['udp'], { timers: TIMERS, scheduler, core, tryingDelayMs: null });
    const ua = await UdpEndpoint.open();
    open.push(srv, ua);
    ua.send(requestText({ method: 'INVITE', sentBy: `127.0.0.1:${ua.port}`, branch: 'z9hG4bK-w2' }), srv.port('udp'));
    await ua.untilCount('SIP/2.0 200');
    // The caller "lost" that 200: no ACK. Timer: T1 later the UAS sends it again, then 2*T1 later.
    scheduler.advance(TIMERS.t1);
    await ua.untilCount('SIP/2.0 200', 2);
    scheduler.advance(2 * TIMERS.t1);
    await ua.untilCount('SIP/2.0 200', 3);
    assert.deepEqual(ua.raw[2], ua.raw[0]);
    // Now the ACK (a new transaction: its own branch).
    ua.send(requestText({ method: 'ACK', sentBy: `127.0.0.1:${ua.port}`, branch: 'z9hG4bK-w2-ack', toTag: 'uas' }), srv.port('udp'));
    await srv.changed.until(() => srv.layer.stats().acksFor2xxMatched === 1, 'the ACK to be matched');
    const out = srv.transport.stats().udpMessagesOut;
    scheduler.advance(TIMERS.l);
    assert.equal(srv.transport.stats().udpMessagesOut, out, 'no retransmission after the ACK');
    assert.equal(core.requests.at(-1)!.req.method, 'ACK');
    assert.equal(srv.layer.size(), 0);
  });

  test('§17.2.1: a retransmitted INVITE after a 486 gets the 486 again; the ACK is absorbed', async () => {
    const core = new RecordingCore();
    core.onEach = (req, tx) => tx?.respond(createResponse(req, 486, undefined, { toTag: 'busy' }));
    const srv = await wiredLayer(['udp'], { timers: TIMERS, scheduler: new ManualScheduler(), core });
    const ua = await UdpEndpoint.open();
    open.push(srv, ua);
    const inv = requestText({ method: 'INVITE', sentBy: `127.0.0.1:${ua.port}`, branch: 'z9hG4bK-w3' });
    ua.send(inv, srv.port('udp'));
    await ua.untilCount('SIP/2.0 486');
    ua.send(inv, srv.port('udp'));
    await ua.untilCount('SIP/2.0 486', 2);
    ua.send(requestText({ method: 'ACK', sentBy: `127.0.0.1:${ua.port}`, branch: 'z9hG4bK-w3', toTag: 'busy' }), srv.port('udp'));
    await srv.changed.until(() => srv.layer.stats().acksAbsorbed === 1, 'the ACK to be absorbed');
    assert.equal(core.requests.length, 1);
  });
});

describe('transaction layer over real TCP connections (RFC 3261 §17, reliable transport)', () => {
  test('client and server transactions over TCP: no retransmissions, J/K = 0, ACK for a 486 on the same connection', async () => {
    const scheduler = new ManualScheduler();
    const srvCore = new RecordingCore();
    srvCore.onEach = (req, tx) => tx?.respond(createResponse(req, req.method === 'INVITE' ? 486 : 200, undefined, { toTag: 'srv' }));
    const srv = await wiredLayer(['tcp'], { timers: TIMERS, scheduler, core: srvCore });
    const cli = await wiredLayer(['tcp'], { timers: TIMERS, scheduler, core: new RecordingCore() });
    open.push(srv, cli);
    const target = { transport: 'tcp' as const, address: '127.0.0.1', port: srv.port('tcp') };
    const u1 = new RecordingUser();
    const opts = request({ method: 'OPTIONS', branch: newBranch(), transport: 'TCP', sentBy: `127.0.0.1:${cli.port('tcp')}`, ruri: `sip:127.0.0.1:${target.port}` });
    const t1 = cli.layer.sendRequest(opts, target, u1);
    await cli.changed.until(() => u1.responses.length === 1, 'the 200 to OPTIONS');
    assert.equal(u1.responses[0]!.res.status, 200);
    assert.equal(t1.state, 'terminated', 'Timer K = 0');
    assert.ok(t1.flow && t1.flow.connectionId > 0, 'the connection is known');

    const u2 = new RecordingUser();
    const inv = request({ method: 'INVITE', branch: newBranch(), transport: 'TCP', sentBy: `127.0.0.1:${cli.port('tcp')}`, ruri: `sip:127.0.0.1:${target.port}` });
    cli.layer.sendRequest(inv, target, u2);
    await cli.changed.until(() => u2.responses.some((r) => r.res.status === 486), 'the 486');
    await srv.changed.until(() => srv.layer.stats().acksAbsorbed === 1, 'the ACK to reach the server transaction');
    assert.equal(srv.transport.stats().connectionsOpened, 1, 'one connection carried everything');
    scheduler.advance(60_000);
    assert.equal(cli.layer.stats().requestsResent, 0);
    assert.equal(srv.layer.stats().responsesResent, 0);
    assert.equal(srv.layer.size(), 0, 'server transactions ended at once (Timers I, J = 0)');
    assert.equal(cli.layer.size(), 0);
    const final: SipResponse = u2.responses.at(-1)!.res;
    assert.equal(final.to().tag, 'srv');
  });
});
