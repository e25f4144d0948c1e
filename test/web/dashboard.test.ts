import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../support/index.js';
import { ARTIFACTS, launchChromium } from './browser.js';

// The dashboard end to end: the real appliance (which serves web/dist at `/`)
// driven through Debian's Chromium. Screenshots land in test-artifacts/web/.
const SESSION_KEY = 'pbx-lite.session';
const EXPIRED = 'Your session has expired, please sign in again';

describe('dashboard (Playwright)', () => {
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
      await page.screenshot({ path: join(ARTIFACTS, `failed-${name}.png`), fullPage: true }).catch(() => {});
      throw err;
    } finally {
      await context.close();
    }
  }

  async function signIn(page: Page, path = '/'): Promise<void> {
    await page.goto(srv.httpUrl + path);
    await page.getByLabel('Password').fill(srv.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  }

  async function createSubscriber(username: string, password = `${username}-secret-1`) {
    const r = await srv.api('/api/subscribers', { method: 'POST', token, body: { username, domain: 'example.com', password } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body as { id: number; username: string; domain: string; updatedAt: string };
  }

  async function findSubscriber(username: string) {
    const r = await srv.api(`/api/subscribers?search=${encodeURIComponent(username)}`, { token });
    assert.equal(r.status, 200);
    return (r.body.items as Array<{ id: number; username: string; updatedAt: string }>).find((s) => s.username === username);
  }

  test('login: a wrong password shows the error, the right one lands on the Overview', { timeout: 60_000 }, async () => {
    await withPage('login', async (page) => {
      await page.goto(srv.httpUrl + '/');
      assert.equal(await page.getByLabel('Username').inputValue(), 'admin');
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      assert.match(await alert.innerText(), /Invalid username or password/);
      assert.equal(await page.evaluate((k) => sessionStorage.getItem(k), SESSION_KEY), null, 'no session after a refusal');
      await page.screenshot({ path: join(ARTIFACTS, 'login-error.png') });

      await page.getByLabel('Password').fill(srv.adminPassword);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/');
      assert.equal(await page.getByRole('link', { name: 'Overview', exact: true }).getAttribute('aria-current'), 'page');
      // The registrar role's navigation: its engines' pages, not the edge role's Flows.
      await page.getByRole('link', { name: 'Registrations', exact: true }).waitFor();
      assert.equal(await page.getByRole('link', { name: 'Flows', exact: true }).count(), 0);
    });
  });

  test('overview: listeners, counters, live updates and the connection indicator', { timeout: 60_000 }, async () => {
    await withPage('overview', async (page) => {
      await signIn(page);
      await page.locator('.conn[data-state="connected"]').waitFor();
      assert.equal(await page.locator('.conn').innerText(), 'Live');

      // The system panel lists every listener the appliance reports.
      const system = (await srv.api('/api/system', { token })).body as { version: string; listeners: Array<{ protocol: string; transport: string; port: number }> };
      const listeners = page.getByRole('table', { name: 'Listeners' });
      await listeners.waitFor();
      const text = await listeners.innerText();
      for (const l of system.listeners) {
        assert.ok(text.includes(String(l.port)), `listener ${l.protocol}/${l.transport}:${l.port} shown`);
        assert.ok(text.toUpperCase().includes(l.transport.toUpperCase()));
      }
      assert.ok(system.listeners.length > 0, 'the server reports its listeners');
      assert.match(await page.locator('.system-panel').innerText(), new RegExp(system.version.replace(/\./g, '\\.')));

      // Every headline counter renders: a number, or "—" while its engine has not reported.
      for (const label of ['Subscribers', 'Registered users', 'Registered contacts', 'Accepted registrations', 'Rejected registrations', 'Stored messages', 'Delivered messages', 'Failed messages']) {
        const value = await page.locator(`section.stat-card[aria-label="${label}"] .stat-value`).innerText();
        assert.match(value, /^(\d[\d,.\u00a0\u202f ]*|—)$/, `${label} shows a figure`);
      }

      // stats.tick: the "figures as of" time moves without a reload.
      const stamp = page.getByTestId('stats-updated');
      const first = await stamp.getAttribute('data-at');
      await page.waitForFunction(
        ([f]) => document.querySelector('[data-testid="stats-updated"]')?.getAttribute('data-at') !== f,
        [first],
        { timeout: 15_000 },
      );

      // subscriber.changed: a subscriber created elsewhere (here: the API) is counted live.
      const card = '[aria-label="Subscribers"] .stat-value';
      await page.waitForFunction((sel) => /^\d+$/.test(document.querySelector(sel)?.getAttribute('data-value') ?? ''), card);
      const before = Number(await page.locator(card).getAttribute('data-value'));
      await createSubscriber(`live${Date.now() % 100000}`);
      await page.waitForFunction(([sel, want]) => document.querySelector(sel!)?.getAttribute('data-value') === want, [card, String(before + 1)]);
      await page.screenshot({ path: join(ARTIFACTS, 'overview.png'), fullPage: true });
    });
  });

  test('subscribers: create, field errors, search, change password, delete', { timeout: 90_000 }, async () => {
    await withPage('subscribers', async (page) => {
      await signIn(page);
      await page.getByRole('link', { name: 'Subscribers' }).click();
      await page.getByRole('heading', { level: 1, name: 'Subscribers' }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/subscribers');

      // Validation errors from the API appear beside their fields.
      await page.locator('.toolbar').getByRole('button', { name: 'Add subscriber' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add subscriber' });
      await dialog.waitFor();
      await dialog.getByLabel('Username').fill('bad user');
      await dialog.getByLabel('Domain').fill('example.com');
      await dialog.getByLabel('Password', { exact: true }).fill('short');
      await dialog.getByRole('button', { name: 'Add subscriber' }).click();
      const userError = dialog.locator('[data-field-error="username"]');
      await userError.waitFor();
      assert.ok((await userError.innerText()).length > 0);
      assert.ok(await dialog.locator('[data-field-error="password"]').isVisible(), 'the password error too');
      assert.equal(await dialog.locator('[data-field-error="domain"]').count(), 0, 'no error on a valid field');
      const describedBy = (await dialog.getByLabel('Username').getAttribute('aria-describedby')) ?? '';
      assert.ok(describedBy.split(' ').includes((await userError.getAttribute('id'))!), 'the error is tied to its input');
      assert.equal(await dialog.getByLabel('Username').getAttribute('aria-invalid'), 'true');
      await page.screenshot({ path: join(ARTIFACTS, 'subscriber-validation.png') });

      // Create through the form.
      await dialog.getByLabel('Username').fill('webalice');
      await dialog.getByLabel('Password', { exact: true }).fill('alice-secret-1');
      await dialog.getByRole('button', { name: 'Add subscriber' }).click();
      await page.getByText('Added webalice@example.com').waitFor();
      assert.equal(await dialog.isVisible(), false, 'the dialog closed');
      const table = page.getByRole('table', { name: 'Subscribers' });
      await table.getByRole('cell', { name: 'webalice', exact: true }).waitFor();
      const created = await findSubscriber('webalice');
      assert.ok(created, 'the subscriber exists on the server');

      // A duplicate is refused (409) with the message beside the username.
      await page.locator('.toolbar').getByRole('button', { name: 'Add subscriber' }).click();
      await dialog.getByLabel('Username').fill('webalice');
      await dialog.getByLabel('Domain').fill('example.com');
      await dialog.getByLabel('Password', { exact: true }).fill('alice-secret-9');
      await dialog.getByRole('button', { name: 'Add subscriber' }).click();
      await dialog.locator('[data-field-error="username"]', { hasText: 'already exists' }).waitFor();
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });

      // Search is server-side and narrows the table.
      await createSubscriber('webbob');
      const search = page.getByRole('searchbox', { name: 'Search subscribers' });
      await search.fill('webbob');
      await page.getByTestId('subscriber-count').filter({ hasText: '1 subscriber matches' }).waitFor();
      await table.getByRole('cell', { name: 'webbob', exact: true }).waitFor();
      assert.equal(await table.getByRole('cell', { name: 'webalice', exact: true }).count(), 0);
      await search.fill('');
      await table.getByRole('cell', { name: 'webalice', exact: true }).waitFor();

      // Sorting by a header asks the server for the other order.
      const header = table.getByRole('columnheader', { name: 'Username' });
      assert.equal(await header.getAttribute('aria-sort'), 'ascending');
      await header.getByRole('button').click();
      await page.waitForFunction(() => document.querySelector('th[aria-sort="descending"]') !== null);
      // The rows in the new order come with the server's answer: act on them only once it is in.
      await page.waitForFunction(() => {
        const cells = [...document.querySelectorAll('td, [role="cell"]')].map((c) => c.textContent?.trim());
        const bob = cells.indexOf('webbob');
        return bob >= 0 && bob < cells.indexOf('webalice');
      });

      // Change password, with the mismatch caught beside the second field.
      await page.getByRole('button', { name: 'Change password of webalice@example.com' }).click();
      const pw = page.getByRole('dialog', { name: 'Change password' });
      await pw.waitFor();
      await pw.getByLabel('New password', { exact: true }).fill('alice-secret-2');
      await pw.getByLabel('Repeat the new password').fill('alice-secret-3');
      await pw.getByRole('button', { name: 'Change password' }).click();
      await pw.locator('[data-field-error="confirm"]', { hasText: 'do not match' }).waitFor();
      await pw.getByLabel('Repeat the new password').fill('alice-secret-2');
      await pw.getByRole('button', { name: 'Change password' }).click();
      await page.getByText('Password changed for webalice@example.com').waitFor();
      const changed = await findSubscriber('webalice');
      assert.ok(changed && Date.parse(changed.updatedAt) >= Date.parse(created!.updatedAt));
      await page.screenshot({ path: join(ARTIFACTS, 'subscribers.png') });

      // Delete, after a confirmation that starts on Cancel.
      await page.getByRole('button', { name: 'Delete webalice@example.com' }).click();
      const del = page.getByRole('dialog', { name: 'Delete subscriber' });
      await del.waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Cancel');
      await page.screenshot({ path: join(ARTIFACTS, 'subscriber-delete.png') });
      await del.getByRole('button', { name: 'Delete' }).click();
      await page.getByText('Deleted webalice@example.com').waitFor();
      await table.getByRole('cell', { name: 'webalice', exact: true }).waitFor({ state: 'detached' });
      assert.equal(await findSubscriber('webalice'), undefined, 'gone on the server');
    });
  });

  test('an invalid token sends the user back to the login page with the message', { timeout: 60_000 }, async () => {
    await withPage('expired', async (page) => {
      await signIn(page, '/subscribers');
      await page.evaluate((k) => {
        const s = JSON.parse(sessionStorage.getItem(k)!);
        sessionStorage.setItem(k, JSON.stringify({ ...s, token: 'v1.not-a-valid.token' }));
      }, SESSION_KEY);
      await page.reload();
      await page.getByRole('status').filter({ hasText: EXPIRED }).waitFor();
      assert.ok(await page.getByLabel('Password').isVisible(), 'back on the login page');
      assert.equal(await page.evaluate((k) => sessionStorage.getItem(k), SESSION_KEY), null, 'the bad token is dropped');
      await page.screenshot({ path: join(ARTIFACTS, 'session-expired.png') });

      // Signing in again returns to the page that was open.
      await page.getByLabel('Password').fill(srv.adminPassword);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'Subscribers' }).waitFor();
    });
  });

  test('logout returns to the login page and revokes the token', { timeout: 60_000 }, async () => {
    await withPage('logout', async (page) => {
      await signIn(page);
      const session = await page.evaluate((k) => JSON.parse(sessionStorage.getItem(k)!) as { token: string }, SESSION_KEY);
      assert.equal((await srv.api('/api/system', { token: session.token })).status, 200);
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      assert.equal(await page.evaluate((k) => sessionStorage.getItem(k), SESSION_KEY), null);
      assert.equal((await srv.api('/api/system', { token: session.token })).status, 401, 'the token no longer works');
    });
  });
});
