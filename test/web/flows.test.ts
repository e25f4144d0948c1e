import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { SipTestClient, type TestServer } from '../support/index.js';
import { ARTIFACTS, launchChromium } from './browser.js';
import { DOMAIN, REGISTRAR_YAML, obRegister, serverWith, startEdge, urn } from '../edge/edge-support.js';

// The Flows page (role: edge) end to end: a registrar and an edge in front
// of it, phones registering through the edge over TCP from this process,
// the dashboard driven through Debian's Chromium.

describe('flows page (Playwright, edge role)', () => {
  let registrar: TestServer;
  let edge: TestServer;
  let browser: Browser;
  const phones: SipTestClient[] = [];

  before(async () => {
    registrar = await serverWith(REGISTRAR_YAML);
    edge = await startEdge(registrar.sip('udp'), 20);
    browser = await launchChromium();
  });
  after(async () => {
    for (const p of phones) p.close();
    await browser?.close();
    await edge?.destroy();
    await registrar?.destroy();
  });

  test('the live table shows a flow as it opens, and Close ends its connection', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    try {
      await page.goto(edge.httpUrl + '/flows');
      await page.getByLabel('Password').fill(edge.adminPassword);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'Flows' }).waitFor();
      await page.locator('.conn[data-state="connected"]').waitFor();
      await page.getByRole('link', { name: 'Flows' }).waitFor();

      // Registered after the page loaded: the row arrives through flow.opened, not a reload.
      const phone = await SipTestClient.open('tcp', edge.sip('tcp'));
      phones.push(phone);
      const res = await phone.call(obRegister('flowpage', `127.0.0.1:${phone.localPort}`, urn(), 1));
      assert.equal(res.status, 200);
      const table = page.getByRole('table', { name: 'Flows' });
      const row = table.getByRole('row').filter({ hasText: `sip:flowpage@${DOMAIN}` });
      await row.waitFor();
      assert.match(await row.innerText(), /TCP/);
      assert.match(await row.innerText(), new RegExp(`127\\.0\\.0\\.1:${phone.localPort}`));

      const closed = new Promise<void>((resolve) => (phone as unknown as { stream: import('node:net').Socket }).stream.once('close', () => resolve()));
      await row.getByRole('button', { name: /Close flow/ }).click();
      await closed;
      await row.waitFor({ state: 'detached' });
      await page.screenshot({ path: join(ARTIFACTS, 'flows.png'), fullPage: true });
      assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    } catch (err) {
      await page.screenshot({ path: join(ARTIFACTS, 'failed-flows.png'), fullPage: true }).catch(() => {});
      throw err;
    } finally {
      await context.close();
    }
  });
});
