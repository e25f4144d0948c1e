import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startServer, type TestServer } from '../support/index.js';
import { launchChromium } from './browser.js';
import { MsrpTestClient } from '../msrp/msrp-client.js';

// The MSRP sessions page end to end: the real appliance, two MSRP clients in
// this process chatting through its relay over real TCP, the dashboard in
// Debian's Chromium.
const DOMAIN = 'example.com';

describe('MSRP sessions page', () => {
  let srv: TestServer;
  let browser: Browser;
  before(async () => {
    srv = await startServer({ env: { SIP_DOMAINS: DOMAIN } });
    const token = await srv.login();
    for (const u of ['alice', 'bob']) {
      const r = await srv.api('/api/subscribers', { method: 'POST', token, body: { username: u, domain: DOMAIN, password: `${u}-secret-1` } });
      assert.equal(r.status, 201);
    }
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await srv?.destroy();
  });

  test('two clients chat through the relay: their sessions show, counters move, Close drops the client', async () => {
    const port = srv.listeners.find((l) => l.protocol === 'msrp' && l.transport === 'tcp')!.port;
    const a = await MsrpTestClient.connect({ host: '127.0.0.1', port });
    const b = await MsrpTestClient.connect({ host: '127.0.0.1', port });
    const useA = await a.login('alice', 'alice-secret-1');
    const useB = await b.login('bob', 'bob-secret-1');
    const idA = useA.split('/').pop()!.split(';')[0]!;
    const idB = useB.split('/').pop()!.split(';')[0]!;

    const page = await browser.newPage();
    await page.goto(srv.httpUrl + '/msrp');
    await page.getByLabel('Password').fill(srv.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'MSRP sessions' }).waitFor();
    const table = page.getByRole('table', { name: 'MSRP sessions' });
    const rowA = table.locator(`tr[data-session-id="${idA}"]`);
    const rowB = table.locator(`tr[data-session-id="${idB}"]`);
    await rowA.waitFor();
    await rowB.waitFor();
    assert.match(await rowA.innerText(), /alice/);

    // Chat: counters move live (msrp.traffic every 2 s).
    for (let i = 0; i < 5; i++) {
      a.send([useB, b.uri], `hello ${i}`, { failureReport: 'no' });
      await b.next((f) => f.head.method === 'SEND');
    }
    await page.waitForFunction(
      (id) => / \/ 5$/.test(document.querySelector(`tr[data-session-id="${id}"] [data-testid="frames"]`)?.textContent?.trim() ?? ''),
      idB,
      { timeout: 10_000 },
    ).catch(async () => assert.fail(`frames of bob's session did not reach 5: ${await rowB.innerText()}`));
    assert.match(await rowB.locator('[data-testid="frames"]').innerText(), /^\d+ \/ 5$/);

    // Close both sessions from the page: both clients are dropped.
    await rowA.getByRole('button', { name: `Close session ${idA}` }).click();
    await a.waitClosed();
    await rowA.waitFor({ state: 'detached' });
    await rowB.getByRole('button', { name: `Close session ${idB}` }).click();
    await b.waitClosed();
    await table.getByText('No sessions').waitFor();
    await page.close();
  });
});
