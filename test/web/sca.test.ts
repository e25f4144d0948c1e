import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import type { SipRequest, SipResponse } from '@pbx/sip';
import { SipTestClient, startServer, type TestServer } from '../support/index.js';
import { ARTIFACTS, launchChromium } from './browser.js';
import { AOR, DOMAIN, Handset, sdp } from '../sca/handset.js';

// The SCA page end to end: the real appliance in open lab mode, BroadWorks
// style handsets played by SIP clients in this process over real UDP
// (call-info and line-seize subscriptions to one shared AoR, NOTIFYs answered
// 200), a called party (bob), and the dashboard driven through Debian's
// Chromium. Every wait is for the event itself: a lamp's state in the DOM or
// a NOTIFY at a handset. Screenshots land in test-artifacts/web/.
const BOB = `sip:bob@${DOMAIN}`;
/** Lines per shared AoR on this appliance (sca.max_appearances). */
const LINES = 3;

function configFile(yaml: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'pbx-web-sca-')), 'pbx.yaml');
  writeFileSync(f, yaml);
  return f;
}

/** The called party: registered, so the proxy forwards the handsets' INVITEs to it. */
async function registerBob(srv: TestServer): Promise<SipTestClient> {
  const bob = await SipTestClient.open('udp', srv.sip('udp'));
  const res = await bob.call({ method: 'REGISTER', uri: `sip:${DOMAIN}`, from: BOB, to: BOB, contact: `<sip:bob@127.0.0.1:${bob.localPort}>`, headers: ['Expires: 300'] });
  assert.equal(res.status, 200);
  return bob;
}

/** A handset's Contact as a lamp shows it (no scheme, no parameters). */
const short = (uri: string) => uri.replace(/^sip:/, '');

describe('SCA page (Playwright + SIP handsets over UDP, BroadWorks SIP Access Side Extensions §2–3)', () => {
  let srv: TestServer;
  let browser: Browser;
  let bob: SipTestClient;
  let a: Handset;
  let b: Handset;

  before(async () => {
    srv = await startServer({ env: { SIP_AUTH: 'off', SIP_DOMAINS: DOMAIN, PBX_CONFIG: configFile(`sca:\n  max_appearances: ${LINES}\n`) } });
    bob = await registerBob(srv);
    a = await Handset.open(srv.sip('udp'), 'A');
    b = await Handset.open(srv.sip('udp'), 'B');
    browser = await launchChromium();
  });

  after(async () => {
    a?.close();
    b?.close();
    bob?.close();
    await browser?.close();
    await srv?.destroy();
  });

  /** A fresh tab signed in on the SCA page, its live link up; on failure its screen is kept for the post-mortem. */
  async function withScaPage(name: string, fn: (page: Page) => Promise<void>): Promise<void> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    try {
      await page.goto(srv.httpUrl + '/sca');
      await page.getByLabel('Password').fill(srv.adminPassword);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'Shared call appearances' }).waitFor();
      await page.locator('.conn[data-state="connected"]').waitFor();
      await page.waitForFunction(() => !document.querySelector('.sca-page .state[role="status"]'));
      // Survives only as long as the document does: proves later changes came without a reload.
      await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
      await fn(page);
      assert.ok(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument === true), 'every change arrived live, without a reload');
      assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    } catch (err) {
      await page.screenshot({ path: join(ARTIFACTS, `failed-sca-${name}.png`), fullPage: true }).catch(() => {});
      throw err;
    } finally {
      await context.close();
    }
  }

  const card = (page: Page) => page.locator(`section.sca-aor[data-aor="${AOR}"]`);
  const lamp = (page: Page, index: number) => card(page).locator(`button.lamp[data-index="${index}"]`);
  /** Waits until lamp `index` shows `state` on the page. */
  const lampIs = (page: Page, index: number, state: string) => card(page).locator(`button.lamp[data-index="${index}"][data-state="${state}"]`).waitFor();
  const subscriberRow = (page: Page, event: string, h: Handset): Locator => card(page).locator(`tr[data-event="${event}"][data-subscriber="${h.contact}"]`);

  test('handsets subscribe, one seizes and calls: the lamps follow live (seized → ringing → active → held → idle)', { timeout: 90_000 }, async () => {
    await withScaPage('call', async (page) => {
      await page.getByText('No shared AoR yet').waitFor();

      // §2: call-info subscriptions; the AoR and its subscribers appear without a reload.
      for (const h of [a, b]) {
        assert.equal((await h.subscribe('call-info', { expires: 600 })).status, 200);
        await h.notify((n) => n.get('Event') === 'call-info');
      }
      await subscriberRow(page, 'call-info', a).waitFor();
      await subscriberRow(page, 'call-info', b).waitFor();
      assert.equal(await card(page).locator('button.lamp').count(), LINES, 'one lamp per appearance (sca.max_appearances)');
      assert.equal(await card(page).locator('button.lamp[data-state="idle"]').count(), LINES, 'every line idle');
      assert.match(await subscriberRow(page, 'call-info', a).innerText(), /call-info/);
      const left = Number(await subscriberRow(page, 'call-info', a).locator('time.countdown').getAttribute('data-left'));
      assert.ok(left > 500 && left <= 600, `the subscription's time left is shown (${left} s)`);

      // §3: A's line-seize takes line 1; B is told, and the lamp shows A holding it.
      b.forget();
      assert.equal((await a.subscribe('line-seize')).status, 200);
      assert.match((await a.notify((n) => n.get('Event') === 'line-seize')).get('Call-Info')!, /appearance-index=1/);
      await b.lamp(1, 'seized');
      await lampIs(page, 1, 'seized');
      assert.equal((await lamp(page, 1).locator('[data-field="holder"]').innerText()).trim(), short(a.contact));
      const seizeRow = subscriberRow(page, 'line-seize', a);
      await seizeRow.waitFor();
      assert.equal((await seizeRow.locator('td').nth(2).innerText()).trim(), '1', 'the line-seize row names its line');
      await page.screenshot({ path: join(ARTIFACTS, 'sca-seized.png') });

      // §2: A calls bob on line 1: 180 → ringing, 200 → active with the remote party.
      const call = a.invite(BOB, { index: 1 });
      const inv = await bob.incoming('INVITE');
      bob.answer(inv, 180);
      await b.lamp(1, 'ringing');
      await lampIs(page, 1, 'ringing');
      const bobContact = `<sip:bob@127.0.0.1:${bob.localPort}>`;
      bob.answer(inv, 200, { headers: [['Contact', bobContact]], body: sdp('sendrecv'), contentType: 'application/sdp' });
      const ok = (await a.ua.response(call.callId, { method: 'INVITE' })) as SipResponse;
      assert.equal(ok.status, 200);
      await b.lamp(1, 'active');
      await lampIs(page, 1, 'active');
      assert.match(await lamp(page, 1).locator('[data-field="remote"]').innerText(), /bob@example\.com/, 'the remote party is on the lamp');
      assert.match((await lamp(page, 1).getAttribute('title'))!, /Remote party sip:bob@example\.com/, 'and in its tooltip');
      assert.match((await lamp(page, 1).getAttribute('title'))!, new RegExp(`Held by ${a.contact.replace(/\./g, '\\.')}`));
      await page.screenshot({ path: join(ARTIFACTS, 'sca-active.png') });

      // A puts bob on hold (re-INVITE, a=sendonly; RFC 3264 §8.4): held.
      const rr = ok.getAll('Record-Route');
      const bobTag = ok.to().tag!;
      const inDialog = (method: string, cseq: number, body?: string) =>
        a.ua.request({
          method,
          uri: `sip:bob@127.0.0.1:${bob.localPort}`,
          from: AOR,
          fromTag: call.fromTag,
          to: BOB,
          toTag: bobTag,
          callId: call.callId,
          cseq,
          contact: `<${a.contact}>`,
          headers: rr.map((r) => `Route: ${r}`),
          ...(body ? { body, contentType: 'application/sdp' } : {}),
        });
      a.ua.send(inDialog('INVITE', 2, sdp('sendonly')).text);
      // The re-INVITE by its CSeq: a retransmission of the first INVITE may still sit in bob's inbox.
      const reinv = (await bob.receive((m) => m.kind === 'request' && m.method === 'INVITE' && m.cseq().seq === 2)) as SipRequest;
      bob.answer(reinv, 200, { headers: [['Contact', bobContact]], toTag: bobTag });
      await b.lamp(1, 'held');
      await lampIs(page, 1, 'held');

      // A hangs up: the call ends, its line-seize with it, and line 1 goes idle everywhere.
      a.ua.send(inDialog('BYE', 3).text);
      const bye = await bob.incoming('BYE');
      bob.answer(bye, 200);
      await b.lamp(1, 'idle');
      await lampIs(page, 1, 'idle');
      await seizeRow.waitFor({ state: 'detached' });
      assert.equal((await lamp(page, 1).locator('[data-field="holder"]').innerText()).trim(), '', 'an idle lamp names no holder');
    });
  });

  test('the page seizes, updates and releases a line: the handsets get the NOTIFYs and the lamps change', { timeout: 90_000 }, async () => {
    await withScaPage('controls', async (page) => {
      await card(page).waitFor();
      await lampIs(page, 1, 'idle');

      // The header's Seize asks for the AoR too: one that is no sip: URI with a user is refused beside its field.
      await page.getByRole('button', { name: 'Seize a line', exact: true }).click();
      const seizeAny = page.getByRole('dialog', { name: 'Seize a line' });
      await seizeAny.waitFor();
      await seizeAny.getByLabel('Shared AoR').fill('example.com');
      await seizeAny.getByLabel('Contact').fill('sip:desk@127.0.0.1');
      await seizeAny.getByRole('button', { name: 'Seize line' }).click();
      await seizeAny.locator('[data-field-error="aor"]').waitFor();
      await seizeAny.getByRole('button', { name: 'Cancel' }).click();
      await seizeAny.waitFor({ state: 'hidden' });

      // Seize: a bad Contact is refused by the API, and its message sits beside the field.
      await card(page).getByRole('button', { name: `Seize a line of ${AOR}` }).click();
      const seize = page.getByRole('dialog', { name: 'Seize a line' });
      await seize.waitFor();
      assert.equal(await seize.getByLabel('Shared AoR').inputValue(), AOR);
      await seize.getByLabel('Contact').fill('sip:desk <at> 127.0.0.1');
      await seize.getByRole('button', { name: 'Seize line' }).click();
      const contactError = seize.locator('[data-field-error="contact"]');
      await contactError.waitFor();
      assert.match(await contactError.innerText(), /unusable Contact/);
      assert.equal(await card(page).locator('button.lamp[data-state="idle"]').count(), LINES, 'nothing was seized');

      a.forget();
      b.forget();
      await seize.getByLabel('Contact').fill('sip:desk@127.0.0.1');
      await seize.getByRole('button', { name: 'Seize line' }).click();
      await seize.waitFor({ state: 'hidden' });
      await a.lamp(1, 'seized');
      await b.lamp(1, 'seized');
      await lampIs(page, 1, 'seized');
      assert.equal((await lamp(page, 1).locator('[data-field="holder"]').innerText()).trim(), 'desk@127.0.0.1');
      await page.getByText(`Seized line 1 of ${AOR}`).waitFor();

      // Update: the lamp's menu sets held-private with display info.
      await lamp(page, 1).click();
      const detail = page.getByRole('dialog', { name: 'Line 1' });
      await detail.waitFor();
      assert.match(await detail.locator('.prop[data-prop="Held by"]').innerText(), /sip:desk@127\.0\.0\.1/);
      await detail.getByLabel('State').selectOption({ label: 'Held (private)' });
      await detail.getByLabel('Display info').fill('Front desk');
      await page.screenshot({ path: join(ARTIFACTS, 'sca-update.png') });
      await detail.getByRole('button', { name: 'Update', exact: true }).click();
      await detail.waitFor({ state: 'hidden' });
      await a.lamp(1, 'held-private');
      await b.lamp(1, 'held-private');
      await lampIs(page, 1, 'held-private');
      assert.equal((await lamp(page, 1).locator('[data-field="remote"]').innerText()).trim(), 'Front desk');
      await page.screenshot({ path: join(ARTIFACTS, 'sca.png') });

      // Release: asks first; Cancel changes nothing, Release sets the line idle for the group.
      await lamp(page, 1).click();
      await detail.waitFor();
      await detail.getByRole('button', { name: 'Release…' }).click();
      const confirm = page.getByRole('dialog', { name: 'Release line' });
      await confirm.waitFor();
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      await confirm.waitFor({ state: 'hidden' });
      assert.equal(await lamp(page, 1).getAttribute('data-state'), 'held-private', 'Cancel keeps the line');
      await detail.getByRole('button', { name: 'Release…' }).click();
      await confirm.waitFor();
      await confirm.getByRole('button', { name: 'Release', exact: true }).click();
      await confirm.waitFor({ state: 'hidden' });
      await detail.waitFor({ state: 'hidden' });
      await a.lamp(1, 'idle');
      await b.lamp(1, 'idle');
      await lampIs(page, 1, 'idle');
      await page.getByText(`Released line 1 of ${AOR}`).waitFor();
      const apps = await srv.api('/api/sca/appearances', { token: await srv.login() });
      assert.equal(apps.body.items.length, 0, 'the server holds no line in use');
    });
  });

  test('RFC 6665 §4.1.2.3: unsubscribing removes the subscriber rows live, and the AoR leaves the board with its last subscriber', { timeout: 60_000 }, async () => {
    await withScaPage('unsubscribe', async (page) => {
      await subscriberRow(page, 'call-info', a).waitFor();
      assert.equal((await a.subscribe('call-info', { inDialog: true, expires: 0 })).status, 200);
      await subscriberRow(page, 'call-info', a).waitFor({ state: 'detached' });
      assert.ok(await subscriberRow(page, 'call-info', b).isVisible(), 'B still subscribes');
      assert.equal((await b.subscribe('call-info', { inDialog: true, expires: 0 })).status, 200);
      await card(page).waitFor({ state: 'detached' });
      await page.getByText('No shared AoR yet').waitFor();
    });
  });
});
