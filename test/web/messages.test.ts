import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createResponse, type SipMessage, type SipRequest, type SipResponse } from '@pbx/sip';
import { rand, SipTestClient, startServer, type TestServer } from '../support/index.js';
import { ARTIFACTS, launchChromium } from './browser.js';

// The Messages page (msilo's silo) end to end: the real appliance in open lab
// mode (SIP_AUTH=off), a sender and recipients played by SIP clients in this
// process over real UDP, the dashboard driven through Debian's Chromium.
// Screenshots land in test-artifacts/web/.
const DOMAIN = 'example.com';

interface SiloItem {
  id: number;
  from: string;
  to: string;
  body: string;
  state: 'stored' | 'delivered' | 'failed' | 'expired';
  sendTime: number | null;
}

/** A SIP user on its own UDP socket: sends MESSAGEs, registers, answers what msilo delivers. */
class Endpoint {
  private regCseq = 0;
  private readonly regCallId = `${rand()}@reg.test`;
  /** Call-ID + CSeq of MESSAGEs already answered, so a retransmission is never taken for a new delivery. */
  private readonly answered = new Set<string>();
  private constructor(
    readonly sip: SipTestClient,
    readonly user: string,
  ) {}

  static async open(srv: TestServer, user: string): Promise<Endpoint> {
    return new Endpoint(await SipTestClient.open('udp', srv.sip('udp')), user);
  }

  get uri(): string {
    return `sip:${this.user}@${DOMAIN}`;
  }

  /** RFC 3428 §4: a page-mode MESSAGE; to a user who is not registered, msilo stores it and answers 202. */
  sendMessage(to: string, body: string): Promise<SipResponse> {
    return this.sip.call({ method: 'MESSAGE', uri: to, from: this.uri, to, body, contentType: 'text/plain' });
  }

  register(expires = 3600): Promise<SipResponse> {
    this.regCseq += 1;
    return this.sip.call({
      method: 'REGISTER',
      uri: `sip:${DOMAIN}`,
      from: this.uri,
      to: this.uri,
      callId: this.regCallId,
      cseq: this.regCseq,
      contact: `<sip:${this.user}@${this.sip.localAddress}:${this.sip.localPort};transport=udp>`,
      headers: [`Expires: ${expires}`],
    });
  }

  /** Waits for the next MESSAGE delivered to us (a new transaction) and answers it with `status`. */
  async answerMessage(status: number): Promise<SipRequest> {
    const key = (m: SipMessage) => `${m.callId()} ${m.cseq().seq}`;
    const req = (await this.sip.receive((m) => m.kind === 'request' && m.method === 'MESSAGE' && !this.answered.has(key(m)), 15_000)) as SipRequest;
    this.answered.add(key(req));
    this.sip.send(createResponse(req, status, undefined, { toTag: rand() }).serialize());
    return req;
  }

  close(): void {
    this.sip.close();
  }
}

/** `datetime-local` text for a moment, in this machine's time zone (the browser's too). */
function localInput(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

describe('messages page (Playwright + SIP over UDP)', () => {
  let srv: TestServer;
  let browser: Browser;
  let token: string;
  const endpoints: Endpoint[] = [];

  let configDir: string;

  before(async () => {
    // Reminders are off by default (msilo `reminder` unset, `send_time` 0): turn them on for the compose test.
    configDir = mkdtempSync(join(tmpdir(), 'pbx-web-messages-'));
    const config = join(configDir, 'pbx.yaml');
    writeFileSync(config, 'msilo:\n  reminder: "sip:reminders@example.com"\n  send_time: 60\n');
    srv = await startServer({ env: { SIP_AUTH: 'off', PBX_CONFIG: config } });
    token = await srv.login();
    browser = await launchChromium();
  });

  after(async () => {
    for (const e of endpoints) e.close();
    await browser?.close();
    await srv?.destroy();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  async function endpoint(prefix: string): Promise<Endpoint> {
    const e = await Endpoint.open(srv, `${prefix}${rand().slice(0, 6)}`);
    endpoints.push(e);
    return e;
  }

  /** A fresh tab (its own sessionStorage); on failure its screen is kept for the post-mortem. */
  async function withPage(name: string, fn: (page: Page) => Promise<void>): Promise<void> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    try {
      await fn(page);
      assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    } catch (err) {
      await page.screenshot({ path: join(ARTIFACTS, `failed-messages-${name}.png`), fullPage: true }).catch(() => {});
      throw err;
    } finally {
      await context.close();
    }
  }

  async function openMessages(page: Page): Promise<void> {
    await page.goto(srv.httpUrl + '/messages');
    await page.getByLabel('Password').fill(srv.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Messages' }).waitFor();
    await page.locator('.conn[data-state="connected"]').waitFor();
    await page.waitForFunction(() => !document.querySelector('.message-grid .state[role="status"]'));
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
  }

  const sameDocument = (page: Page) => page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument === true);
  const table = (page: Page) => page.getByRole('table', { name: 'Messages' });
  const rowTo = (page: Page, user: string) => table(page).getByRole('row').filter({ hasText: user });
  const stateOf = (page: Page, user: string) => rowTo(page, user).locator('.msg-state').getAttribute('data-state');
  const waitState = (page: Page, user: string, state: string) => rowTo(page, user).locator(`.msg-state[data-state="${state}"]`).waitFor();

  async function apiMessages(query: string): Promise<SiloItem[]> {
    const r = await srv.api(`/api/messages?${query}`, { token });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.items as SiloItem[];
  }

  async function messageTo(user: string): Promise<SiloItem> {
    const found = (await apiMessages('page=1&pageSize=200')).filter((m) => m.to.includes(user));
    assert.equal(found.length, 1, `one message to ${user}`);
    return found[0]!;
  }

  async function storeViaApi(to: string, from: string, body: string): Promise<SiloItem> {
    const r = await srv.api('/api/messages', { method: 'POST', token, body: { to, from, body } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body as SiloItem;
  }

  test('RFC 3428 + msilo: a MESSAGE to an offline user appears in the silo live, then turns delivered when the user registers', { timeout: 90_000 }, async () => {
    await withPage('store-dump', async (page) => {
      await openMessages(page);
      const sender = await endpoint('alice');
      const mona = await endpoint('mona');
      await page.screenshot({ path: join(ARTIFACTS, 'messages-before.png') });

      const body = 'Lunch at noon?\nBring the slides for the review.';
      const stored = await sender.sendMessage(mona.uri, body);
      assert.equal(stored.status, 202, 'msilo m_store() answers 202 Accepted');
      await waitState(page, mona.user, 'stored');
      assert.ok(await sameDocument(page), 'the row arrived live (message.stored), not by reloading');
      const rowText = await rowTo(page, mona.user).innerText();
      assert.ok(rowText.includes('Lunch at noon? Bring the slides'), 'the preview flattens the body to one line');

      // The full view keeps the body as it was sent.
      const item = await messageTo(mona.user);
      await rowTo(page, mona.user).getByRole('button', { name: /^Lunch at noon\?/ }).click();
      const dialog = page.getByRole('dialog', { name: `Message ${item.id}` });
      await dialog.waitFor();
      // The dialog opens on the list's one-line preview and swaps in the full body when GET /api/messages/:id answers.
      const fullBody = dialog.getByTestId('message-body');
      await page.waitForFunction((el) => el?.textContent?.includes('\n') ?? false, await fullBody.elementHandle(), { timeout: 5000 });
      assert.equal(await fullBody.innerText(), body);
      assert.ok((await dialog.innerText()).includes(sender.uri), 'the sender');
      await page.screenshot({ path: join(ARTIFACTS, 'message-detail.png') });
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });

      // Mona's phone registers: msilo m_dump() sends the MESSAGE, the phone answers 200.
      assert.equal((await mona.register()).status, 200);
      // The list fetched again after the delivery (the page re-syncs after each batch of events).
      const refetched = page.waitForResponse((r) => r.url().includes('/api/messages?'));
      const delivered = await mona.answerMessage(200);
      // msilo add_date (on by default) prefixes "[Offline message - <date>] " to the stored body.
      assert.ok(delivered.body.toString('utf8').endsWith(body), 'the stored body is what the phone receives');
      await waitState(page, mona.user, 'delivered');
      assert.ok(await sameDocument(page), 'the state changed live (message.dumped)');
      // msilo deletes a delivered message; a server that keeps it lists it as delivered. Either way it no longer waits.
      const after = (await apiMessages('page=1&pageSize=200')).find((m) => m.to.includes(mona.user));
      assert.ok(after === undefined || after.state === 'delivered', `no longer waiting (${after?.state})`);
      // The page keeps showing how it ended, even once the silo has let it go.
      await refetched;
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      assert.equal(await stateOf(page, mona.user), 'delivered');
      await page.screenshot({ path: join(ARTIFACTS, 'messages.png') });
    });
  });

  test('compose: the API’s validation messages sit beside their fields; a message and a reminder are stored', { timeout: 90_000 }, async () => {
    await withPage('compose', async (page) => {
      await openMessages(page);
      const nora = `nora${rand().slice(0, 6)}`;
      await page.locator('.toolbar').getByRole('button', { name: 'Compose' }).click();
      const dialog = page.getByRole('dialog', { name: 'Compose message' });
      await dialog.waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'to', 'the cursor starts in To');

      await dialog.getByLabel('To', { exact: true }).fill('not a sip uri');
      await dialog.getByLabel('From', { exact: true }).fill('sip:admin@example.com');
      await dialog.getByLabel('Message', { exact: true }).fill('Your voicemail is full.');
      await dialog.getByRole('button', { name: 'Store message' }).click();
      const toError = dialog.locator('[data-field-error="to"]');
      await toError.waitFor();
      assert.ok((await toError.innerText()).length > 0);
      assert.equal(await dialog.getByLabel('To', { exact: true }).getAttribute('aria-invalid'), 'true');
      const describedBy = (await dialog.getByLabel('To', { exact: true }).getAttribute('aria-describedby')) ?? '';
      assert.ok(describedBy.split(' ').includes((await toError.getAttribute('id'))!), 'the error is tied to its input');
      assert.equal(await dialog.locator('[data-field-error="from"]').count(), 0, 'no error on a valid field');
      await page.screenshot({ path: join(ARTIFACTS, 'message-compose-validation.png') });

      await dialog.getByLabel('To', { exact: true }).fill(`sip:${nora}@${DOMAIN}`);
      assert.equal(await toError.count(), 0, 'editing the field answers its error');
      await dialog.getByRole('button', { name: 'Store message' }).click();
      await page.getByText(`Message to sip:${nora}@${DOMAIN} stored`).waitFor();
      await dialog.waitFor({ state: 'hidden' });
      await waitState(page, nora, 'stored');

      // A reminder: a send time an hour ahead (msilo snd_time).
      const rita = `rita${rand().slice(0, 6)}`;
      const at = Date.now() + 3_600_000;
      await page.locator('.toolbar').getByRole('button', { name: 'Compose' }).click();
      await dialog.waitFor();
      await dialog.getByLabel('To', { exact: true }).fill(`sip:${rita}@${DOMAIN}`);
      await dialog.getByLabel('From', { exact: true }).fill('sip:admin@example.com');
      await dialog.getByLabel('Message', { exact: true }).fill('Stand-up in five minutes.');
      await dialog.getByLabel('Send at (optional)').fill(localInput(at));
      await page.screenshot({ path: join(ARTIFACTS, 'message-compose.png') });
      await dialog.getByRole('button', { name: 'Schedule reminder' }).click();
      await page.getByText(`Reminder to sip:${rita}@${DOMAIN} scheduled`).waitFor();
      await rowTo(page, rita).waitFor();
      assert.match((await stateOf(page, rita)) ?? '', /^(stored|scheduled)$/, 'waiting for its send time (msilo says "scheduled")');
      const reminder = await messageTo(rita);
      assert.ok(reminder.sendTime !== null && Math.abs(reminder.sendTime - at / 1000) < 60, `send time kept to the minute (${reminder.sendTime})`);
    });
  });

  test('filters: recipient, sender and state narrow the silo on the server', { timeout: 90_000 }, async () => {
    const tag = rand().slice(0, 6);
    const ann = `sip:fann${tag}@${DOMAIN}`;
    const ben = `sip:fben${tag}@${DOMAIN}`;
    const x = `sip:fx${tag}@${DOMAIN}`;
    const y = `sip:fy${tag}@${DOMAIN}`;
    await storeViaApi(ann, x, 'one');
    await storeViaApi(ben, x, 'two');
    await storeViaApi(ann, y, 'three');
    await withPage('filters', async (page) => {
      await openMessages(page);
      const count = page.getByTestId('message-count');
      await page.getByLabel('Recipient').fill(ann);
      await count.filter({ hasText: '2 messages match the filters' }).waitFor();
      assert.equal(await rowTo(page, `fben${tag}`).count(), 0, 'the other recipient is filtered out');
      await page.getByLabel('Sender').fill(y);
      await count.filter({ hasText: '1 message matches the filters' }).waitFor();
      await rowTo(page, 'three').waitFor();
      await page.screenshot({ path: join(ARTIFACTS, 'messages-filtered.png') });

      await page.getByLabel('State', { exact: true }).selectOption('stored');
      await count.filter({ hasText: '1 message matches the filters' }).waitFor();
      await page.getByLabel('Sender').fill(`sip:nobody${tag}@${DOMAIN}`);
      await page.getByText('No message matches these filters').waitFor();
      await page.getByRole('button', { name: 'Clear the filters' }).click();
      assert.equal(await page.getByLabel('Recipient').inputValue(), '');
      await rowTo(page, `fben${tag}`).waitFor();
    });
  });

  test('deliver now: a refused delivery shows failed, "Deliver now" delivers it; delete asks first', { timeout: 90_000 }, async () => {
    await withPage('deliver-delete', async (page) => {
      await openMessages(page);
      const sender = await endpoint('sam');
      const olga = await endpoint('olga');
      assert.equal((await sender.sendMessage(olga.uri, 'Call me back')).status, 202);
      await waitState(page, olga.user, 'stored');
      const item = await messageTo(olga.user);

      // The phone registers but refuses the delivery: msilo keeps the message, the row says failed.
      assert.equal((await olga.register()).status, 200);
      await olga.answerMessage(480);
      await waitState(page, olga.user, 'failed');

      // Deliver now (POST /api/registrations/:aor/dump): msilo dumps again, and this time the phone accepts.
      // (The answer to the POST may wait for the phone's answer, so the phone answers first.)
      await page.getByRole('button', { name: `Deliver now message ${item.id} to ${item.to}` }).click();
      const again = await olga.answerMessage(200);
      assert.ok(again.body.toString('utf8').endsWith('Call me back'));
      await page.getByText(`Delivery to ${item.to}`).waitFor();
      await waitState(page, olga.user, 'delivered');

      // Delete, after a confirmation that starts on Cancel.
      const pat = `pat${rand().slice(0, 6)}`;
      const doomed = await storeViaApi(`sip:${pat}@${DOMAIN}`, sender.uri, 'Never mind');
      await waitState(page, pat, 'stored');
      await page.getByRole('button', { name: `Delete message ${doomed.id} to ${doomed.to}` }).click();
      const confirm = page.getByRole('dialog', { name: 'Delete message' });
      await confirm.waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Cancel');
      await page.screenshot({ path: join(ARTIFACTS, 'message-delete.png') });
      await confirm.getByRole('button', { name: 'Delete' }).click();
      await page.getByText(`Deleted message ${doomed.id}`).waitFor();
      await rowTo(page, pat).waitFor({ state: 'detached' });
      assert.equal((await srv.api(`/api/messages/${doomed.id}`, { token })).status, 404, 'gone on the server');
      assert.equal(await stateOf(page, olga.user), 'delivered', 'the other rows are untouched');
    });
  });
});
