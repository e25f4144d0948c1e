import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../support/index.js';
import { ARTIFACTS, launchChromium } from './browser.js';

// The Settings page end to end: Export on one appliance downloads the
// backup file, Restore on a fresh one loads it (confirmation, result), and
// the page shows the server's refusals (a bad field, a non-empty target).
const DOMAIN = 'example.com';

describe('settings page: backup export and restore (Playwright)', () => {
  let source: TestServer;
  let target: TestServer;
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'pbx-web-settings-'));
  let downloaded = '';

  before(async () => {
    source = await startServer();
    target = await startServer();
    const token = await source.login();
    for (const username of ['dora', 'emil']) {
      const r = await source.api('/api/subscribers', { method: 'POST', token, body: { username, domain: DOMAIN, password: `${username}-secret-1` } });
      assert.equal(r.status, 201);
    }
    const m = await source.api('/api/messages', { method: 'POST', token, body: { from: `sip:emil@${DOMAIN}`, to: `sip:dora@${DOMAIN}`, body: 'see you at ten' } });
    assert.equal(m.body.outcome, 'stored');
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await Promise.all([source?.destroy(), target?.destroy()]);
    rmSync(dir, { recursive: true, force: true });
  });

  async function withPage(srv: TestServer, name: string, fn: (page: Page) => Promise<void>): Promise<void> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    try {
      await page.goto(srv.httpUrl + '/settings');
      await page.getByLabel('Password').fill(srv.adminPassword);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
      await fn(page);
      assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    } catch (err) {
      await page.screenshot({ path: join(ARTIFACTS, `failed-settings-${name}.png`), fullPage: true }).catch(() => {});
      throw err;
    } finally {
      await context.close();
    }
  }

  /** Chooses a file and confirms the restore in the dialog. */
  async function restore(page: Page, file: string, opts: { replace?: boolean } = {}): Promise<void> {
    await page.getByLabel('Backup file').setInputFiles(file);
    await page.getByTestId('restore-chosen').waitFor();
    if (opts.replace) await page.getByLabel('Replace the data this appliance holds').check();
    await page.getByRole('button', { name: 'Restore…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Restore backup' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: opts.replace ? 'Replace and restore' : 'Restore', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
  }

  test('Export downloads one backup file with the subscribers and the stored message', { timeout: 90_000 }, async () => {
    await withPage(source, 'export', async (page) => {
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Download backup' }).click();
      const d = await download;
      assert.match(d.suggestedFilename(), /^pbx-lite-backup-\d{8}T\d{6}Z\.json$/);
      downloaded = join(dir, d.suggestedFilename());
      await d.saveAs(downloaded);
      const text = await page.getByTestId('export-result').innerText();
      assert.match(text, /2 subscribers, 0 registrations, 1 stored message, 0 SCA subscriptions/);
      await page.screenshot({ path: join(ARTIFACTS, 'settings-export.png') });
    });
    const file = JSON.parse(readFileSync(downloaded, 'utf8'));
    assert.equal(file.format, 'pbx-lite-backup');
    assert.equal(file.version, 1);
    assert.deepEqual(file.subscribers.map((s: { username: string }) => s.username), ['dora', 'emil']);
    assert.equal(file.messages.length, 1);
  });

  test('Restore into an empty appliance shows what was restored; again it shows the 409; a bad file names its field', { timeout: 90_000 }, async () => {
    assert.ok(downloaded, 'the export test ran first');
    const bad = join(dir, 'bad.json');
    const file = JSON.parse(readFileSync(downloaded, 'utf8'));
    file.subscribers[0].username = 5;
    writeFileSync(bad, JSON.stringify(file));
    const notJson = join(dir, 'notes.json');
    writeFileSync(notJson, 'this is not a backup');

    await withPage(target, 'restore', async (page) => {
      await page.getByLabel('Backup file').setInputFiles(notJson);
      await page.getByRole('alert').filter({ hasText: 'notes.json is not a JSON file' }).waitFor();
      assert.ok(await page.getByRole('button', { name: 'Restore…' }).isDisabled(), 'nothing to restore');

      await restore(page, bad);
      const error = page.getByTestId('restore-error');
      await error.waitFor();
      assert.match(await error.innerText(), /subscribers\.0\.username/);
      await page.screenshot({ path: join(ARTIFACTS, 'settings-restore-bad-field.png') });

      await restore(page, downloaded);
      const result = page.getByTestId('restore-result');
      await result.waitFor();
      assert.match(await result.innerText(), /Restored 2 subscribers, 0 registrations, 1 stored message, 0 SCA subscriptions/);
      await page.screenshot({ path: join(ARTIFACTS, 'settings-restore.png') });

      await restore(page, downloaded);
      await page.getByTestId('restore-error').filter({ hasText: 'already holds 2 subscriber(s)' }).waitFor();
      await restore(page, downloaded, { replace: true });
      await page.getByTestId('restore-result').waitFor();
    });

    const token = await target.login();
    const subs = await target.api('/api/subscribers?sort=username&order=asc', { token });
    assert.deepEqual(subs.body.items.map((s: { username: string }) => s.username), ['dora', 'emil'], 'restored once, replaced not doubled');
    const msgs = await target.api(`/api/messages?to=dora@${DOMAIN}`, { token });
    assert.equal(msgs.body.total, 1);
    assert.equal(msgs.body.items[0].body, 'see you at ten');
  });
});
