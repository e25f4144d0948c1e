import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SipTestClient, startServer, type TestServer } from '../support/index.js';
import { ARTIFACTS, launchChromium } from './browser.js';

// The Trace page end to end (issue 7 point 6): the real appliance serving
// web/dist, Debian's Chromium, and a SIP client in this process whose
// messages must appear on the ladder live. Screenshots land in
// test-artifacts/web/. Same set-up as dashboard.test.ts.

describe('SIP trace page (Playwright)', () => {
  let srv: TestServer;
  let browser: Browser;
  let token: string;

  before(async () => {
    srv = await startServer();
    token = await srv.login();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await srv?.destroy();
  });

  /** A fresh tab (its own sessionStorage); on failure its screen is kept for the post-mortem. */
  async function withPage(name: string, viewport: { width: number; height: number }, fn: (page: Page) => Promise<void>): Promise<void> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    try {
      await fn(page);
      assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    } catch (err) {
      await page.screenshot({ path: join(ARTIFACTS, `failed-${name}.png`), fullPage: true }).catch(() => {});
      throw err;
    } finally {
      await context.close();
    }
  }

  /** Signs in on /trace and waits for the live connection, so no event is missed. */
  async function openTrace(page: Page): Promise<void> {
    await page.goto(srv.httpUrl + '/trace');
    await page.getByLabel('Password').fill(srv.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'SIP trace' }).waitFor();
    await page.locator('.conn[data-state="connected"]').waitFor();
  }

  async function runningCaptures(): Promise<Array<{ id: string; filter: Record<string, string> }>> {
    const r = await srv.api('/api/trace', { token });
    assert.equal(r.status, 200);
    return (r.body.items as Array<{ id: string; filter: Record<string, string>; stoppedAt: number | null }>).filter((c) => c.stoppedAt === null);
  }

  async function options(c: SipTestClient): Promise<void> {
    const res = await c.call({ method: 'OPTIONS', uri: `sip:127.0.0.1:${c.server.port}` });
    assert.equal(res.status, 200);
  }

  test('a source capture started from the page draws OPTIONS and 200 OK live; a click shows the full text; Stop keeps the ladder', { timeout: 90_000 }, async () => {
    await withPage('trace', { width: 1280, height: 800 }, async (page) => {
      await openTrace(page);
      await page.getByRole('link', { name: 'Trace', exact: true }).and(page.locator('[aria-current="page"]')).waitFor();
      await page.getByText('No captures', { exact: true }).waitFor();

      // 400s from POST /api/trace land beside their fields.
      const form = page.locator('form.trace-form');
      await form.getByRole('button', { name: 'Start capture' }).click();
      await form.locator('[data-field-error="aor"]').waitFor();
      await form.getByLabel('Source').fill('not an address');
      await form.getByRole('button', { name: 'Start capture' }).click();
      const sourceError = form.locator('[data-field-error="source"]');
      await sourceError.waitFor();
      assert.match(await sourceError.innerText(), /IP address/);
      assert.equal(await form.getByLabel('Source').getAttribute('aria-invalid'), 'true');
      await page.screenshot({ path: join(ARTIFACTS, 'trace-validation.png') });

      // Start: source 127.0.0.1 (the test client's address), from the form.
      await form.getByLabel('Source').fill('127.0.0.1');
      await form.getByLabel('Max messages').fill('50');
      await form.getByRole('button', { name: 'Start capture' }).click();
      await page.getByText('Waiting for matching SIP messages…').waitFor();
      const [capture] = await runningCaptures();
      assert.ok(capture, 'the capture runs on the appliance');
      assert.deepEqual(capture.filter, { source: '127.0.0.1' });
      assert.equal(new URL(page.url()).searchParams.get('capture'), capture.id, 'the open capture is in the address');
      const listItem = page.locator(`.capture-item[data-capture="${capture.id}"]`);
      assert.match(await listItem.innerText(), /Source 127\.0\.0\.1[\s\S]*Running/);
      await page.screenshot({ path: join(ARTIFACTS, 'trace-waiting.png') });

      // A marker that a reload would wipe: the arrows must come over socket.io.
      await page.evaluate(() => ((window as unknown as { traceMarker: number }).traceMarker = 1));
      const sip = await SipTestClient.open('udp', srv.sip('udp'));
      try {
        for (let i = 0; i < 3; i++) await options(sip);
        const ladder = page.getByRole('listbox', { name: /SIP messages/ });
        const arrows = ladder.getByRole('option');
        await page.waitForFunction(() => document.querySelectorAll('.ladder-row').length === 6);
        assert.equal(await page.evaluate(() => (window as unknown as { traceMarker?: number }).traceMarker), 1, 'no reload');

        // Both directions, in order, between the client's address and the appliance.
        const directions = await page.locator('.ladder-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-direction')));
        assert.deepEqual(directions, ['in', 'out', 'in', 'out', 'in', 'out']);
        assert.match((await arrows.nth(0).getAttribute('aria-label'))!, new RegExp(`OPTIONS sip:127\\.0\\.0\\.1:${sip.server.port}, received from 127\\.0\\.0\\.1:${sip.localPort} over UDP`));
        assert.match((await arrows.nth(1).getAttribute('aria-label'))!, new RegExp(`200 OK, sent to 127\\.0\\.0\\.1:${sip.localPort} over UDP`));
        assert.match(await arrows.nth(1).innerText(), /\d\d:\d\d:\d\d\.\d{3}[\s\S]*200 OK[\s\S]*UDP/, 'time, label and transport on the arrow');
        const parties = await page.locator('.ladder-party-name').allInnerTexts();
        assert.deepEqual(parties, [`127.0.0.1:${sip.localPort}`, 'PBX-lite'], 'the client on the left, the appliance beside it');
        await page.getByTestId('capture-state').filter({ hasText: '6 messages' }).waitFor();
        await listItem.getByTestId('capture-count').filter({ hasText: '6 messages' }).waitFor();
        await page.screenshot({ path: join(ARTIFACTS, 'trace-ladder.png') });

        // A click opens the message in full: exactly the text the appliance sent.
        await arrows.nth(1).click();
        const full = page.getByTestId('sip-text');
        await full.waitFor();
        const stored = (await srv.api(`/api/trace/${capture.id}`, { token })).body as { messages: Array<{ text: string }> };
        assert.equal(await full.evaluate((el) => el.textContent), stored.messages[1]!.text);
        assert.match(await full.innerText(), /^SIP\/2\.0 200 OK/);
        assert.equal(await page.locator('.trace-detail h2').innerText(), '200 OK');
        assert.equal(await arrows.nth(1).getAttribute('aria-selected'), 'true');
        await page.screenshot({ path: join(ARTIFACTS, 'trace-message.png') });

        // "Capture this call" fills the form with the message's Call-ID, ready to start.
        const callId = await page.locator('.trace-callid .mono').innerText();
        await page.getByRole('button', { name: 'Capture this call' }).click();
        assert.equal(await form.getByLabel('Call-ID').inputValue(), callId);
        assert.equal(await form.getByLabel('Source').inputValue(), '', 'only the call');
        assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'callId');

        // Keyboard: the ladder is a listbox; Up goes to the request, Escape closes the message.
        await ladder.focus();
        await page.keyboard.press('ArrowUp');
        await page.locator('.trace-detail h2', { hasText: 'OPTIONS' }).waitFor();
        assert.match(await full.innerText(), /^OPTIONS sip:/);
        await page.keyboard.press('End');
        const lastSeq = await arrows.nth(5).getAttribute('data-seq');
        await page.locator(`.trace-detail[data-seq="${lastSeq}"]`).waitFor();
        await page.keyboard.press('Escape');
        await page.locator('.trace-detail').waitFor({ state: 'detached' });

        // Stop: the appliance stops capturing; the ladder stays readable here.
        await page.getByRole('button', { name: 'Stop capture', exact: true }).click();
        await page.getByTestId('capture-state').filter({ hasText: /Stopped at/ }).waitFor();
        assert.deepEqual(await runningCaptures(), [], 'nothing is captured any more');
        assert.equal(await page.locator('.ladder-row').count(), 6, 'the messages are still shown');
        assert.match(await listItem.innerText(), /Stopped/);
        await page.screenshot({ path: join(ARTIFACTS, 'trace-stopped.png') });

        // Discard: gone from the list.
        await listItem.getByRole('button', { name: /Discard capture/ }).click();
        await listItem.waitFor({ state: 'detached' });
        await page.getByText('No captures', { exact: true }).waitFor();
        await page.getByText('No capture open').waitFor();
      } finally {
        sip.close();
      }
    });
  });

  test('a capture stops by itself at its message limit, and a wide screen shows the message beside the ladder', { timeout: 90_000 }, async () => {
    await withPage('trace-limit', { width: 1920, height: 1080 }, async (page) => {
      await openTrace(page);
      const form = page.locator('form.trace-form');
      await form.getByLabel('Source').fill('127.0.0.1');
      await form.getByLabel('Max messages').fill('4');
      await form.getByRole('button', { name: 'Start capture' }).click();
      await page.getByText('Waiting for matching SIP messages…').waitFor();
      const id = new URL(page.url()).searchParams.get('capture');
      assert.ok(id && (await runningCaptures()).some((c) => c.id === id));

      const sip = await SipTestClient.open('udp', srv.sip('udp'));
      try {
        await options(sip);
        await options(sip);
        // maxMessages: the fourth message ends the capture (trace.stopped, reason limit).
        await page.getByTestId('capture-state').filter({ hasText: 'reached 4 messages' }).waitFor();
        assert.equal(await page.locator('.ladder-row').count(), 4);
        assert.ok(!(await runningCaptures()).some((c) => c.id === id), 'stopped on the appliance');
        await page.locator(`.capture-item[data-capture="${id}"] .pill`, { hasText: 'Stopped' }).waitFor();
        assert.equal(await page.getByRole('button', { name: /^Stop capture/ }).count(), 0, 'nothing to stop');

        await page.getByRole('option').first().click();
        const detail = page.locator('.trace-detail');
        await detail.waitFor();
        const ladderBox = (await page.locator('.ladder').boundingBox())!;
        const detailBox = (await detail.boundingBox())!;
        assert.ok(detailBox.x >= ladderBox.x + ladderBox.width - 1, 'the message opens beside the ladder on a wide screen');
        await page.screenshot({ path: join(ARTIFACTS, 'trace-wide.png') });
        await page.emulateMedia({ colorScheme: 'dark' });
        // Let the buttons' colour transitions finish (the live dot pulses for ever).
        await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity));
        await page.screenshot({ path: join(ARTIFACTS, 'trace-wide-dark.png') });
        await page.emulateMedia({ colorScheme: 'light' });

        // Below 1100 px the columns stack and the message opens under the ladder.
        await page.setViewportSize({ width: 1000, height: 760 });
        const narrowLadder = (await page.locator('.ladder').boundingBox())!;
        const narrowDetail = (await detail.boundingBox())!;
        assert.ok(narrowDetail.y >= narrowLadder.y + narrowLadder.height - 1, 'the message opens under the ladder');
        await page.screenshot({ path: join(ARTIFACTS, 'trace-narrow.png'), fullPage: true });

        // A stopped capture stays on the appliance until discarded.
        await page.getByRole('button', { name: 'Discard', exact: true }).click();
        await page.getByText('No capture open').waitFor();
        assert.equal((await srv.api(`/api/trace/${id}`, { token })).status, 404, 'discarded on the appliance');
      } finally {
        sip.close();
      }
    });
  });

  test('the ladder follows new messages to the end, and offers to jump there when scrolled back', { timeout: 90_000 }, async () => {
    await withPage('trace-follow', { width: 1280, height: 720 }, async (page) => {
      await openTrace(page);
      const form = page.locator('form.trace-form');
      await form.getByLabel('Source').fill('127.0.0.1');
      await form.getByLabel('Max messages').fill('100');
      await form.getByRole('button', { name: 'Start capture' }).click();
      await page.getByText('Waiting for matching SIP messages…').waitFor();

      const scroller = page.locator('.ladder-scroll');
      const distanceToEnd = () => scroller.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
      const sip = await SipTestClient.open('udp', srv.sip('udp'));
      try {
        for (let i = 0; i < 20; i++) await options(sip);
        await page.getByTestId('capture-state').filter({ hasText: '40 messages' }).waitFor();
        // More rows than fit: the view has followed them to the newest.
        assert.ok(await scroller.evaluate((el) => el.scrollHeight > el.clientHeight * 1.5), 'the ladder overflows');
        await page.waitForFunction(() => {
          const el = document.querySelector('.ladder-scroll')!;
          return el.scrollHeight - el.scrollTop - el.clientHeight < 2;
        });
        assert.ok(await page.locator('.ladder-row').last().isVisible());

        // Scrolled back to the start, new messages do not move the view; a button counts them.
        await scroller.evaluate((el) => el.scrollTo({ top: 0 }));
        await page.waitForFunction(() => document.querySelector('.ladder-scroll')!.scrollTop === 0);
        for (let i = 0; i < 3; i++) await options(sip);
        const jump = page.getByRole('button', { name: '↓ 6 new messages' });
        await jump.waitFor();
        assert.equal(await scroller.evaluate((el) => el.scrollTop), 0, 'the view stayed where the operator put it');
        await page.screenshot({ path: join(ARTIFACTS, 'trace-new-messages.png') });
        await jump.click();
        await jump.waitFor({ state: 'detached' });
        assert.ok((await distanceToEnd()) < 2, 'back at the newest message');
        await page.getByRole('button', { name: 'Stop capture', exact: true }).click();
        await page.getByTestId('capture-state').filter({ hasText: /Stopped at/ }).waitFor();
      } finally {
        sip.close();
      }
    });
  });
});
