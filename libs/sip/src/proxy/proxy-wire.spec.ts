import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { createResponse, parseMessage, type SipRequest } from '../message/index.js';
import { ManualScheduler, type TransactionCore } from '../transaction/index.js';
import { TIMERS, requestText } from '../transaction/spec-support.js';
import { Condition, UdpEndpoint, wiredLayer, type WiredLayer } from '../transaction/wire-support.js';
import { ProxyCore } from './proxy-core.js';
import type { ForwardTarget } from './forward-target.js';

/**
 * A proxy on real loopback sockets (UDP and TCP, OS-picked ports) between
 * bare UDP endpoints: the routing is the smallest kamailio.cfg — CANCEL,
 * WITHINDLG (loose_route + relay), then t_relay to the targets a test sets.
 */
describe('proxy over real sockets (RFC 3261 §16)', () => {
  let wired: WiredLayer;
  let proxy: ProxyCore;
  let rr = '';
  let targets: ForwardTarget[] = [];
  const scheduler = new ManualScheduler();
  const endpoints: UdpEndpoint[] = [];

  before(async () => {
    const core: TransactionCore = {
      onRequest(req, _source, tx) {
        if (req.to().tag !== undefined && proxy.looseRoute(req) !== 'not-routed') {
          if (tx === null) proxy.forwardStateless(req);
          else proxy.forward(tx);
          return;
        }
        if (tx === null) return; // an ACK with no dialog: nothing to do
        proxy.forward(tx, { targets, recordRoute: rr });
      },
      onCancel(cancel, _source, inviteTx, cancelTx) {
        proxy.handleCancel(cancel, inviteTx, cancelTx);
      },
      onStrayResponse(res) {
        proxy.forwardResponse(res);
      },
    };
    wired = await wiredLayer(['udp', 'tcp'], { timers: TIMERS, scheduler, core });
    proxy = new ProxyCore({
      layer: wired.layer,
      localAddress: (t) => (t === 'udp' || t === 'tcp' ? { address: '127.0.0.1', port: wired.port(t) } : undefined),
    });
    rr = `sip:127.0.0.1:${wired.port('udp')}`;
  });

  after(async () => {
    await Promise.all(endpoints.map((e) => e.close()));
    proxy.stop();
    await wired.stop();
  });

  async function endpoint(onRequest?: UdpEndpoint['onRequest']): Promise<UdpEndpoint> {
    const e = await UdpEndpoint.open();
    e.onRequest = onRequest;
    endpoints.push(e);
    return e;
  }

  const target = (e: UdpEndpoint): ForwardTarget => ({ uri: `sip:bob@127.0.0.1:${e.port}` });
  const reply = (req: SipRequest, status: number, tag: string, extra: Record<string, string> = {}) =>
    createResponse(req, status, undefined, { toTag: tag, headers: extra }).serialize();

  test('INVITE forked to two UAS: one answers 486, the other 200 → the caller gets 200, the 486 branch is ACKed, the 2xx ACK is relayed', async () => {
    const busy = await endpoint((req, send) => {
      if (req.method === 'INVITE') {
        send(reply(req, 180, 'busy'));
        send(reply(req, 486, 'busy'));
      }
    });
    let okContact = '';
    const ok = await endpoint((req, send) => {
      if (req.method === 'INVITE') {
        okContact = `sip:bob@127.0.0.1:${ok.port}`;
        send(reply(req, 180, 'ok'));
        // §12.1.1: the UAS copies Record-Route into its 2xx.
        send(reply(req, 200, 'ok', { Contact: `<${okContact}>`, 'Record-Route': req.getAll('Record-Route').join(', ') }));
      }
    });
    const caller = await endpoint();
    targets = [target(busy), target(ok)];
    caller.send(requestText({ method: 'INVITE', sentBy: `127.0.0.1:${caller.port}`, branch: 'z9hG4bK-fork1', callId: 'fork-1' }), wired.port('udp'));
    await caller.untilCount('SIP/2.0 200');
    await busy.untilCount('ACK');
    assert.equal(caller.matching('SIP/2.0 486').length, 0);
    assert.ok(caller.matching('SIP/2.0 100').length >= 1);
    const okRes = caller.matching('SIP/2.0 200')[0]!;
    assert.equal(okRes.vias().length, 1, 'the proxy removed its Via');
    const recordRoute = okRes.recordRoute().map((r) => r.toString());
    assert.deepEqual(recordRoute, [`<${rr};lr>`]);
    // The busy branch's ACK is hop-by-hop, from the proxy's client transaction.
    assert.equal(busy.matching('ACK')[0]!.topVia()!.sentBy, `127.0.0.1:${wired.port('udp')}`);

    // The caller ACKs the 2xx along the route set: Route = the Record-Route, Request-URI = the Contact.
    caller.send(
      requestText({ method: 'ACK', ruri: okContact, sentBy: `127.0.0.1:${caller.port}`, branch: 'z9hG4bK-fork1-ack', callId: 'fork-1', toTag: 'ok', extra: [`Route: ${recordRoute[0]}`] }),
      wired.port('udp'),
    );
    await ok.untilCount('ACK');
    const ack = ok.matching('ACK')[0]!;
    assert.equal(ack.route().length, 0, 'our Route entry was consumed by loose_route');
    assert.equal(ack.vias().length, 2);
  });

  test('CANCEL: the caller gets 200 for the CANCEL and 487 for the INVITE; the branch is CANCELled and ACKed', async () => {
    const callee = await endpoint((req, send) => {
      if (req.method === 'INVITE') send(reply(req, 180, 'ring'));
      else if (req.method === 'CANCEL') {
        send(reply(req, 200, 'ring'));
        const inv = callee.matching('INVITE')[0] as SipRequest;
        send(reply(inv, 487, 'ring'));
      }
    });
    const caller = await endpoint();
    targets = [target(callee)];
    const inv = { method: 'INVITE', sentBy: `127.0.0.1:${caller.port}`, branch: 'z9hG4bK-can1', callId: 'cancel-1' } as const;
    caller.send(requestText(inv), wired.port('udp'));
    await caller.untilCount('SIP/2.0 180');
    caller.send(requestText({ ...inv, method: 'CANCEL' }), wired.port('udp'));
    await caller.untilCount('SIP/2.0 487');
    assert.equal(caller.matching('SIP/2.0 200').length, 1);
    assert.equal(caller.matching('SIP/2.0 200')[0]!.cseq().method, 'CANCEL');
    assert.equal(callee.matching('CANCEL').length, 1);
    await callee.untilCount('ACK');
    // The caller's ACK for the 487 ends in the proxy's server transaction.
    const absorbed = wired.layer.stats().acksAbsorbed;
    caller.send(requestText({ ...inv, method: 'ACK', toTag: caller.matching('SIP/2.0 487')[0]!.to().tag }), wired.port('udp'));
    await wired.changed.until(() => wired.layer.stats().acksAbsorbed === absorbed + 1, 'the ACK for 487 to be absorbed');
    assert.equal(callee.matching('ACK').length, 1, 'not relayed downstream');
  });

  test('a MESSAGE from a TCP caller is relayed to a UDP callee; the 200 returns over the caller’s connection', async () => {
    const callee = await endpoint((req, send) => {
      if (req.method === 'MESSAGE') send(reply(req, 200, 'm'));
    });
    targets = [target(callee)];
    const sock: Socket = connect(wired.port('tcp'), '127.0.0.1');
    await once(sock, 'connect');
    const got = new Condition();
    let data = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      data = Buffer.concat([data, d]);
      got.poke();
    });
    const local = `127.0.0.1:${sock.localPort}`;
    sock.write(requestText({ method: 'MESSAGE', transport: 'TCP', sentBy: local, branch: 'z9hG4bK-tcp1', callId: 'tcp-1', body: 'hi' }));
    await callee.untilCount('MESSAGE');
    const relayed = callee.matching('MESSAGE')[0]!;
    assert.equal(relayed.topVia()!.transport, 'UDP');
    assert.equal(relayed.vias()[1]!.transport, 'TCP');
    assert.equal(relayed.body.toString(), 'hi');
    await got.until(() => data.includes('\r\n\r\n'), 'the 200 over TCP');
    const r = parseMessage(data, { stream: true });
    assert.ok(r.ok && r.message.kind === 'response' && r.message.status === 200);
    sock.destroy();
  });

  test('a 2xx retransmitted after the proxy’s transactions ended is forwarded statelessly (§16.7 step 10)', async () => {
    let invite: SipRequest | null = null;
    const callee = await endpoint((req, send) => {
      if (req.method === 'INVITE') {
        invite = req;
        send(reply(req, 200, 'late'));
      }
    });
    const caller = await endpoint();
    targets = [target(callee)];
    caller.send(requestText({ method: 'INVITE', sentBy: `127.0.0.1:${caller.port}`, branch: 'z9hG4bK-late1', callId: 'late-1' }), wired.port('udp'));
    await caller.untilCount('SIP/2.0 200');
    // Timers L and M (64*T1) end the proxy's transactions.
    scheduler.advance(TIMERS.m);
    const stray = wired.layer.stats().strayResponses;
    callee.send(reply(invite!, 200, 'late'), wired.port('udp'));
    await caller.untilCount('SIP/2.0 200', 2);
    assert.equal(wired.layer.stats().strayResponses, stray + 1);
  });
});
