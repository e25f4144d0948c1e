import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { message, rig } from './spec-support.js';

/** The seed's sample configuration (§6.1). */
const SAMPLE = {
  from_address: 'sip:registrar@kamailio.org',
  contact_hdr: 'Contact: <sip:registrar@192.168.1.2:5060;msilo=yes>\r\n',
  content_type_hdr: 'Content-Type: text/plain\r\n',
  offline_message: '*** User $rU is offline!',
};

describe('offline notification (from_address, offline_message, content_type_hdr, contact_hdr, use_contact)', () => {
  test('from_address + offline_message: the sender is told, at its Contact (use_contact=1, default), after the commit', async () => {
    const { silo, sender } = rig(SAMPLE);
    const r = await silo.store(message({ ruri: 'sip:bob@example.com', from: 'sip:alice@example.com', contact: 'sip:alice@192.0.2.10:5060' }));
    assert.equal(r.status, 202);
    await silo.settled();
    const [n] = sender.of('notification');
    assert.ok(n, 'a notification was sent');
    assert.equal(n.req.method, 'MESSAGE');
    assert.equal(n.req.requestUri, 'sip:alice@192.0.2.10:5060');
    assert.equal(n.req.from().uri.toString(), 'sip:registrar@kamailio.org');
    assert.equal(n.req.to().uri.toString(), 'sip:alice@example.com');
    assert.equal(n.req.get('Contact'), '<sip:registrar@192.168.1.2:5060;msilo=yes>');
    assert.equal(n.req.get('Content-Type'), 'text/plain');
    assert.equal(n.req.body.toString(), '*** User bob is offline!');
    assert.equal(n.req.get('Auto-Submitted'), 'auto-replied');
  });

  test('use_contact=0: the notification goes to the From URI', async () => {
    const { silo, sender } = rig({ ...SAMPLE, use_contact: 0 });
    await silo.store(message({ contact: 'sip:alice@192.0.2.10:5060' }));
    await silo.settled();
    assert.equal(sender.of('notification')[0]!.req.requestUri, 'sip:alice@example.com');
  });

  test('use_contact=1 without a Contact in the MESSAGE: the From URI', async () => {
    const { silo, sender } = rig(SAMPLE);
    await silo.store(message());
    await silo.settled();
    assert.equal(sender.of('notification')[0]!.req.requestUri, 'sip:alice@example.com');
  });

  test('pseudo-variables in from_address, offline_message and contact_hdr ($rU, $rd, $ru, $fU, $fu, $tU, $tu)', async () => {
    const { silo, sender } = rig({
      from_address: 'sip:$rU@$rd',
      offline_message: '$fU -> $tU ($tu) via $ru from $fu',
      content_type_hdr: 'Content-Type: text/plain\r\n',
      contact_hdr: 'Contact: <sip:$rU@msilo.example.com>\r\n',
    });
    await silo.store(message({ ruri: 'sip:bob@example.com', to: 'sip:bob@example.com', from: 'sip:alice@example.net' }));
    await silo.settled();
    const n = sender.of('notification')[0]!.req;
    assert.equal(n.from().uri.toString(), 'sip:bob@example.com');
    assert.equal(n.body.toString(), 'alice -> bob (sip:bob@example.com) via sip:bob@example.com from sip:alice@example.net');
    assert.equal(n.get('Contact'), '<sip:bob@msilo.example.com>');
  });

  test('content_type_hdr decides the notification\'s Content-Type (text/html example)', async () => {
    const { silo, sender } = rig({ ...SAMPLE, content_type_hdr: 'Content-Type: text/html\r\n', offline_message: '<em>I am offline!</em>' });
    await silo.store(message());
    await silo.settled();
    assert.equal(sender.of('notification')[0]!.req.contentType()!.mediaType, 'text/html');
  });

  test('from_address unset (default): no notification', async () => {
    const { silo, sender } = rig({ offline_message: 'x', content_type_hdr: 'Content-Type: text/plain\r\n' });
    await silo.store(message());
    await silo.settled();
    assert.equal(sender.sent.length, 0);
  });

  test('offline_message unset: no notification', async () => {
    const { silo, sender } = rig({ from_address: 'sip:registrar@example.org' });
    await silo.store(message());
    await silo.settled();
    assert.equal(sender.sent.length, 0);
  });

  test('offline_message without content_type_hdr stops start-up, as Kamailio\'s mod_init', () => {
    assert.throws(() => rig({ from_address: 'sip:r@example.org', offline_message: 'x' }), /content_type_hdr/);
  });

  test('skip_notification_flag: a MESSAGE with that flag set gets no notification; other flags do not matter', async () => {
    const { silo, sender } = rig({ ...SAMPLE, skip_notification_flag: 18 });
    await silo.store(message(), { flags: 1 << 18 });
    await silo.store(message(), { flags: 1 << 3 });
    await silo.settled();
    assert.equal(sender.of('notification').length, 1);
  });

  test('skip_notification_flag = -1 (default): flags never suppress the notification', async () => {
    const { silo, sender } = rig(SAMPLE);
    await silo.store(message(), { flags: 0xffffffff });
    await silo.settled();
    assert.equal(sender.of('notification').length, 1);
  });

  test('skipNotification: the routing policy\'s direct opt-out (a client header mapped to it)', async () => {
    const { silo, sender } = rig(SAMPLE);
    await silo.store(message(), { skipNotification: true });
    await silo.settled();
    assert.equal(sender.sent.length, 0);
  });

  test('a notification is never answered with a notification (Auto-Submitted loop guard)', async () => {
    const { silo, sender } = rig(SAMPLE);
    await silo.store(message());
    await silo.settled();
    const n = sender.of('notification')[0]!.req;
    // The sender is offline too: the notification itself is stored, silently.
    const r = await silo.store(n);
    assert.equal(r.status, 202);
    await silo.settled();
    assert.equal(sender.of('notification').length, 1);
    await silo.store(message({ headers: [['Auto-Submitted', 'no']] }));
    await silo.settled();
    assert.equal(sender.of('notification').length, 2, '"Auto-Submitted: no" is an ordinary message');
  });

  test('no notification when the store fails', async () => {
    const { silo, sender, store } = rig(SAMPLE);
    store.insert = async () => {
      throw new Error('down');
    };
    await silo.store(message());
    await silo.settled();
    assert.equal(sender.sent.length, 0);
  });

  test('outbound_proxy: the notification goes via the proxy', async () => {
    const { silo, sender } = rig({ ...SAMPLE, outbound_proxy: 'sip:proxy.example.com' });
    await silo.store(message());
    await silo.settled();
    assert.deepEqual(sender.of('notification')[0]!.opts, { purpose: 'notification', outboundProxy: 'sip:proxy.example.com' });
  });

  test('a failing notification send is logged and does not affect the 202', async () => {
    const { silo, sender, warnings } = rig(SAMPLE);
    sender.reply = () => 'throw';
    const r = await silo.store(message());
    assert.equal(r.status, 202);
    await silo.settled();
    assert.match(warnings.join('\n'), /notification failed/);
  });
});
