import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { SipResponse } from '@pbx/sip';
import { rand, SipTestClient, startServer, type TestServer } from '../support/index.js';
import { ARTIFACTS, launchChromium } from './browser.js';

// The Registrations page end to end: the real appliance in open lab mode
// (SIP_AUTH=off, so REGISTER needs no digest), phones played by SIP clients
// in this process over real UDP, the dashboard driven through Debian's
// Chromium. Screenshots land in test-artifacts/web/.
const DOMAIN = 'example.com';
const USER_AGENT = 'PBX-lite test phone/1.0';
/** How many AoRs the paging test loads (the budget: first render with 10,000 AoRs under 1 s). */
const BULK_AORS = Number(process.env.PBX_WEB_BULK_AORS ?? 10_000);
/** REGISTERs in flight at once while seeding: bounded, so no datagram is dropped by a full socket buffer. */
const SEED_WINDOW = 100;

interface RegistrationItem {
  aor: string;
  contacts: Array<{ id: string; contact: string; callId: string; cseq: number; userAgent: string | null; expires: number; transport: string }>;
}

/** A phone: one UDP socket, one AoR, its own Call-ID and CSeq (RFC 3261 §10.2: refreshes reuse the Call-ID). */
class Phone {
  readonly callId = `${rand()}@phone.test`;
  private cseq = 0;
  private constructor(
    readonly sip: SipTestClient,
    readonly user: string,
  ) {}

  static async open(srv: TestServer, user: string): Promise<Phone> {
    return new Phone(await SipTestClient.open('udp', srv.sip('udp')), user);
  }

  get aorUri(): string {
    return `sip:${this.user}@${DOMAIN}`;
  }

  get contactUri(): string {
    return `sip:${this.user}@${this.sip.localAddress}:${this.sip.localPort};transport=udp`;
  }

  /** REGISTER with our Contact (expires seconds), or a query without one (RFC 3261 §10.2.3). */
  register(expires: number | 'query' = 3600): Promise<SipResponse> {
    this.cseq += 1;
    return this.sip.call({
      method: 'REGISTER',
      uri: `sip:${DOMAIN}`,
      from: this.aorUri,
      to: this.aorUri,
      callId: this.callId,
      cseq: this.cseq,
      ...(expires === 'query' ? {} : { contact: `<${this.contactUri}>` }),
      headers: [...(expires === 'query' ? [] : [`Expires: ${expires}`]), `User-Agent: ${USER_AGENT}`],
    });
  }

  close(): void {
    this.sip.close();
  }
}

describe('registrations page (Playwright + SIP over UDP)', () => {
  let srv: TestServer;
  let browser: Browser;
  let token: string;
  const phones: Phone[] = [];

  before(async () => {
    // usrloc.db_mode 0: this suite is about the page and the listing API. In the default write-back mode
    // the embedded database flushes the 10k seeded bindings on the process's one thread, which under a
    // loaded machine held the first page load past its timeout (a known cost of PGlite, see the README).
    const cfgDir = mkdtempSync(join(tmpdir(), 'pbx-web-reg-'));
    writeFileSync(join(cfgDir, 'pbx.yaml'), 'usrloc:\n  db_mode: 0\n');
    srv = await startServer({ env: { SIP_AUTH: 'off', PBX_CONFIG: join(cfgDir, 'pbx.yaml') } });
    token = await srv.login();
    browser = await launchChromium();
  });

  after(async () => {
    for (const p of phones) p.close();
    await browser?.close();
    await srv?.destroy();
  });

  async function phone(prefix: string): Promise<Phone> {
    const p = await Phone.open(srv, `${prefix}${rand().slice(0, 6)}`);
    phones.push(p);
    return p;
  }

  /** A fresh tab (its own sessionStorage); on failure its screen is kept for the post-mortem. */
  async function withPage(
    name: string,
    fn: (page: Page) => Promise<void>,
    opts: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {},
  ): Promise<void> {
    const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 800 }, colorScheme: opts.colorScheme ?? 'light' });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    try {
      await fn(page);
      assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    } catch (err) {
      await page.screenshot({ path: join(ARTIFACTS, `failed-registrations-${name}.png`), fullPage: true }).catch(() => {});
      throw err;
    } finally {
      await context.close();
    }
  }

  /** Signs in on the Registrations page and waits for its first answer (rows or the empty state). */
  async function openRegistrations(page: Page): Promise<void> {
    await page.goto(srv.httpUrl + '/registrations');
    await page.getByLabel('Password').fill(srv.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Registrations' }).waitFor();
    await page.locator('.conn[data-state="connected"]').waitFor();
    await page.waitForFunction(() => !document.querySelector('.registration-grid .state[role="status"]'));
    // Survives only as long as the document does: proves later rows came without a reload.
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
  }

  const sameDocument = (page: Page) => page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument === true);
  const table = (page: Page) => page.getByRole('table', { name: 'Registrations' });
  /** Every table row of an AoR's bindings (the AoR's user is unique to the test). */
  const rowsOf = (page: Page, p: Phone) => table(page).getByRole('row').filter({ hasText: p.contactUri });

  async function apiAor(p: Phone): Promise<RegistrationItem | undefined> {
    const r = await srv.api(`/api/registrations?search=${encodeURIComponent(p.user)}&page=1&pageSize=50&sort=aor&order=asc`, { token });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return (r.body.items as RegistrationItem[]).find((i) => i.aor.includes(p.user));
  }

  test('RFC 3261 §10.2: a phone that REGISTERs over UDP appears without a reload, counts down, and its detail shows every attribute', { timeout: 90_000 }, async () => {
    await withPage('live-row', async (page) => {
      await openRegistrations(page);
      const alice = await phone('alice');
      await page.screenshot({ path: join(ARTIFACTS, 'registrations-before.png') });

      const res = await alice.register(3600);
      assert.equal(res.status, 200, 'REGISTER accepted in open lab mode');
      const row = rowsOf(page, alice);
      await row.waitFor();
      assert.ok(await sameDocument(page), 'the row arrived live (registration.changed), not by reloading');
      const rowText = await row.innerText();
      assert.ok(rowText.includes(alice.user), 'the AoR is on its row');
      assert.match(rowText, /UDP/, 'the transport is shown');

      // Expires counts down on the client, second by second.
      const countdown = row.locator('time.countdown');
      const first = Number(await countdown.getAttribute('data-left'));
      assert.ok(first > 3500 && first <= 3601, `about an hour left (${first} s; the server rounds to the second)`);
      await page.waitForFunction(
        ([user, left]) => {
          const rows = Array.from(document.querySelectorAll('[aria-label="Registrations"] tbody tr'));
          const t = rows.find((r) => r.textContent?.includes(user!))?.querySelector('time.countdown');
          return t !== undefined && t !== null && Number(t.getAttribute('data-left')) < Number(left);
        },
        [alice.user, String(first)],
      );
      await page.screenshot({ path: join(ARTIFACTS, 'registrations.png') });

      // The detail view: every attribute of the binding, as the server holds it.
      const item = await apiAor(alice);
      assert.ok(item, 'the API lists the AoR');
      await row.getByRole('button', { name: /^Details of / }).click();
      const dialog = page.getByRole('dialog', { name: 'Registration details' });
      await dialog.waitFor();
      const text = await dialog.innerText();
      for (const label of ['Expires', 'Received', 'Transport', 'Socket', 'q', 'User agent', 'Instance', 'Reg-id', 'Path', 'Call-ID', 'CSeq', 'Last modified', 'Methods', 'Binding id'])
        assert.ok(await dialog.locator(`.prop[data-prop="${label}"]`).isVisible(), `${label} is shown`);
      assert.ok(text.includes(alice.callId), 'the Call-ID of the REGISTER');
      assert.ok(text.includes(USER_AGENT), 'the User-Agent of the REGISTER');
      assert.ok(text.includes(item.aor), 'the AoR as the server names it');
      assert.ok(text.includes(item.contacts[0]!.id), 'the binding id');
      assert.equal((await dialog.locator('.prop[data-prop="CSeq"] dd').innerText()).trim(), '1');
      await page.screenshot({ path: join(ARTIFACTS, 'registration-detail.png') });
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
    });
  });

  test('RFC 3261 §10.2.1.1/§10.2.2: a refresh updates the row and an Expires: 0 removes it live', { timeout: 90_000 }, async () => {
    await withPage('refresh-remove', async (page) => {
      await openRegistrations(page);
      const bob = await phone('bob');
      assert.equal((await bob.register(3600)).status, 200);
      const row = rowsOf(page, bob);
      await row.waitFor();

      // Same Call-ID, higher CSeq, shorter lifetime: the binding is refreshed in place.
      assert.equal((await bob.register(600)).status, 200);
      await page.waitForFunction(
        (user) => {
          const rows = Array.from(document.querySelectorAll('[aria-label="Registrations"] tbody tr'));
          const t = rows.find((r) => r.textContent?.includes(user))?.querySelector('time.countdown');
          return t !== undefined && t !== null && Number(t.getAttribute('data-left')) <= 600;
        },
        bob.user,
      );
      assert.equal(await row.count(), 1, 'still one row: refreshed, not added');

      // The phone unregisters itself: the row vanishes.
      assert.equal((await bob.register(0)).status, 200);
      await row.waitFor({ state: 'detached' });
      assert.ok(await sameDocument(page));
    });
  });

  test('the admin unregisters a contact after a confirmation that starts on Cancel; the phone then finds no binding (RFC 3261 §10.2.4 query)', { timeout: 90_000 }, async () => {
    await withPage('unregister-contact', async (page) => {
      await openRegistrations(page);
      const carol = await phone('carol');
      assert.equal((await carol.register(3600)).status, 200);
      const row = rowsOf(page, carol);
      await row.waitFor();
      const item = (await apiAor(carol))!;

      const button = row.getByRole('button', { name: /^Unregister / });
      await button.click();
      const confirm = page.getByRole('dialog', { name: 'Unregister contact' });
      await confirm.waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Cancel', 'focus starts on the safe choice');
      assert.ok((await confirm.innerText()).includes(carol.contactUri), 'the dialog names the contact');
      await page.screenshot({ path: join(ARTIFACTS, 'registration-unregister.png') });

      // Escape cancels: nothing is removed.
      await page.keyboard.press('Escape');
      await confirm.waitFor({ state: 'hidden' });
      assert.equal(await row.count(), 1);

      // Keyboard only: focus the button, Enter opens the dialog, Tab to Unregister, Enter confirms.
      await button.focus();
      await page.keyboard.press('Enter');
      await confirm.waitFor();
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Unregister');
      await page.keyboard.press('Enter');
      await page.getByText(`Unregistered ${carol.contactUri}`).waitFor();
      await row.waitFor({ state: 'detached' });

      // The SIP side agrees: a REGISTER without Contact lists the bindings, and there are none.
      const q = await carol.register('query');
      assert.equal(q.status, 200);
      assert.deepEqual(q.getAll('Contact'), [], 'no binding left for the AoR');
      assert.equal((await srv.api(`/api/registrations/${encodeURIComponent(item.aor)}`, { token })).status, 404);
    });
  });

  test('per-AoR unregister from the detail view removes every contact of the AoR', { timeout: 90_000 }, async () => {
    await withPage('unregister-aor', async (page) => {
      await openRegistrations(page);
      // Two phones of one user: two bindings of one AoR.
      const desk = await phone('dave');
      const mobile = await Phone.open(srv, desk.user);
      phones.push(mobile);
      assert.equal((await desk.register(3600)).status, 200);
      assert.equal((await mobile.register(1800)).status, 200);
      await rowsOf(page, desk).waitFor();
      await rowsOf(page, mobile).waitFor();
      const item = (await apiAor(desk))!;
      assert.equal(item.contacts.length, 2);

      // The AoR's first row carries its name (opening the detail) and its contact count.
      await table(page).getByRole('button', { name: item.aor, exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Registration details' });
      await dialog.waitFor();
      assert.equal(await dialog.locator('section.binding').count(), 2, 'both bindings are listed');
      await dialog.getByRole('button', { name: 'Unregister all 2 contacts' }).click();
      const confirm = page.getByRole('dialog', { name: 'Unregister AoR' });
      await confirm.waitFor();
      await confirm.getByRole('button', { name: 'Unregister' }).click();
      await page.getByText(`Unregistered ${item.aor}`).waitFor();
      await dialog.waitFor({ state: 'hidden' });
      await rowsOf(page, desk).waitFor({ state: 'detached' });
      await rowsOf(page, mobile).waitFor({ state: 'detached' });

      const q = await desk.register('query');
      assert.equal(q.status, 200);
      assert.deepEqual(q.getAll('Contact'), []);
    });
  });

  test(`search, sort and server-side paging over ${BULK_AORS} AoRs (first render figure printed)`, { timeout: 300_000 }, async () => {
    // Seed the location table over the wire, as phones would.
    const seeder = await SipTestClient.open('udp', srv.sip('udp'));
    const prefix = `bulk${rand().slice(0, 4)}`;
    const seedStart = performance.now();
    try {
      for (let base = 0; base < BULK_AORS; base += SEED_WINDOW) {
        const batch: Array<Promise<SipResponse>> = [];
        for (let i = base; i < Math.min(BULK_AORS, base + SEED_WINDOW); i++) {
          const aor = `sip:${prefix}${String(i).padStart(5, '0')}@${DOMAIN}`;
          batch.push(
            seeder.call(
              {
                method: 'REGISTER',
                uri: `sip:${DOMAIN}`,
                from: aor,
                to: aor,
                contact: `<sip:${prefix}${i}@${seeder.localAddress}:${seeder.localPort}>`,
                headers: ['Expires: 3600', `User-Agent: bulk-seeder`],
              },
              15_000,
            ),
          );
        }
        for (const r of await Promise.all(batch)) assert.equal(r.status, 200);
      }
    } finally {
      seeder.close();
    }
    const seedMs = performance.now() - seedStart;

    await withPage('paging', async (page) => {
      await openRegistrations(page);
      const summary = page.getByTestId('registration-count');
      await summary.filter({ hasText: 'AoRs registered' }).waitFor();

      // First render of the page with the database full: navigation to the first row on screen.
      const start = performance.now();
      await page.goto(srv.httpUrl + '/registrations');
      // A data row (the loading placeholder row has no aria-rowindex).
      await table(page).locator('tbody tr[aria-rowindex]').first().waitFor();
      const firstRenderMs = performance.now() - start;
      console.log(
        `registrations page: first render with ${BULK_AORS} AoRs ${firstRenderMs.toFixed(0)} ms (budget 1000 ms); ` +
          `seeding ${BULK_AORS} REGISTERs over UDP took ${seedMs.toFixed(0)} ms`,
      );
      await summary.filter({ hasText: 'AoRs registered' }).waitFor();
      const summaryText = await summary.innerText();
      const total = Number(summaryText.match(/^([\d,.\u00a0\u202f ]+) AoRs/)?.[1]?.replace(/\D/g, ''));
      assert.ok(total >= BULK_AORS, `the summary counts every AoR (${summaryText})`);
      // Only a window of rows is in the DOM, however many AoRs there are.
      const rendered = await table(page).locator('tbody tr[aria-rowindex]').count();
      assert.ok(rendered > 0 && rendered < 100, `virtualised: ${rendered} rows in the DOM`);

      // Scrolling to the end of what is loaded fetches the next server page.
      const before = await page.evaluate(() => document.querySelectorAll('[aria-label="Registrations"] tbody tr').length);
      assert.ok(before > 0);
      const shownBefore = await summary.innerText();
      await page.locator('.registration-grid').evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await page.waitForFunction((s) => document.querySelector('[data-testid="registration-count"]')?.textContent !== s, shownBefore);
      assert.match(await summary.innerText(), /(\d+) contacts shown/);
      const shown = Number((await summary.innerText()).match(/([\d,]+) contacts shown/)![1]!.replace(/,/g, ''));
      assert.ok(shown > 50, `a second page was loaded (${shown} contacts shown)`);
      await page.screenshot({ path: join(ARTIFACTS, 'registrations-bulk.png') });

      // Sort: descending by AoR puts the last seeded AoR first.
      const header = table(page).getByRole('columnheader', { name: 'AoR' });
      assert.equal(await header.getAttribute('aria-sort'), 'ascending');
      await header.getByRole('button').click();
      await page.waitForFunction(() => document.querySelector('th[aria-sort="descending"]') !== null);
      const last = `${prefix}${String(BULK_AORS - 1).padStart(5, '0')}`;
      await table(page).locator('tbody tr[aria-rowindex]').first().filter({ hasText: last }).waitFor();

      // Search is server-side: one AoR out of thousands.
      const one = `${prefix}${String(Math.floor(BULK_AORS / 2)).padStart(5, '0')}`;
      await page.getByRole('searchbox', { name: 'Search registrations' }).fill(one);
      await summary.filter({ hasText: `1 AoR matching “${one}”` }).waitFor();
      assert.equal(await table(page).locator('tbody tr[aria-rowindex]').count(), 1);
      await page.getByRole('searchbox', { name: 'Search registrations' }).fill(`${prefix}-nothing`);
      await page.getByText(`No registration matches “${prefix}-nothing”`).waitFor();
    });
  });

  test('sorting by contact count (sort=contacts) puts the AoR with most bindings first', { timeout: 60_000 }, async () => {
    const one = await phone('sortc');
    const two = await Phone.open(srv, `${one.user}x`);
    const twoB = await Phone.open(srv, two.user);
    phones.push(two, twoB);
    for (const p of [one, two, twoB]) assert.equal((await p.register(3600)).status, 200);
    await withPage('sort-contacts', async (page) => {
      await openRegistrations(page);
      await page.getByRole('searchbox', { name: 'Search registrations' }).fill(one.user);
      await rowsOf(page, twoB).waitFor();
      const header = table(page).getByRole('columnheader', { name: 'Contacts' });
      await header.getByRole('button').click();
      await page.waitForFunction(() => document.querySelector('th[aria-sort="descending"]')?.textContent?.includes('Contacts'));
      await table(page).locator('tbody tr[aria-rowindex="2"]').filter({ hasText: two.user }).waitFor();
      assert.equal(await page.getByRole('alert').count(), 0, 'the server accepted the sort');
    });
  });

  test('keyboard: arrow keys move between rows, Enter opens the detail', { timeout: 60_000 }, async () => {
    await withPage('keyboard', async (page) => {
      const a = await phone('kbda');
      const b = await phone('kbdb');
      assert.equal((await a.register(3600)).status, 200);
      assert.equal((await b.register(3600)).status, 200);
      await openRegistrations(page);
      await page.getByRole('searchbox', { name: 'Search registrations' }).fill('kbd');
      await rowsOf(page, a).waitFor();
      await rowsOf(page, b).waitFor();
      await rowsOf(page, a).getByRole('button', { name: /^Details of / }).focus();
      await page.keyboard.press('ArrowDown');
      const focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
      assert.match(focused, new RegExp(`^Details of .*${b.user}`), 'ArrowDown reaches the next row');
      await page.keyboard.press('ArrowRight');
      assert.match(await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? ''), /^Unregister /);
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('Enter');
      await page.getByRole('dialog', { name: 'Registration details' }).waitFor();
    });
  });

  test('a laptop-to-wide layout: narrow screens keep the essential columns', { timeout: 60_000 }, async () => {
    const p = await phone('wide');
    assert.equal((await p.register(3600)).status, 200);
    for (const [width, height, name, colorScheme] of [
      [1920, 1080, 'wide', 'light'],
      [1920, 1080, 'wide-dark', 'dark'],
      [1000, 760, 'narrow', 'light'],
    ] as const) {
      await withPage(`layout-${name}`, async (page) => {
        await openRegistrations(page);
        await page.getByRole('searchbox', { name: 'Search registrations' }).fill(p.user);
        await rowsOf(page, p).waitFor();
        const headers = await table(page).getByRole('columnheader').allInnerTexts();
        for (const h of ['AoR', 'Contacts', 'Contact', 'Transport', 'Expires']) assert.ok(headers.some((x) => x.trim() === h), `${h} at ${width}px`);
        if (width === 1920) for (const h of ['User agent', 'Received', 'q', 'Instance / reg-id', 'Path']) assert.ok(headers.some((x) => x.trim() === h), `${h} on a wide screen`);
        // Nothing is cut off sideways: the table fits its box.
        const overflow = await page.locator('.registration-grid').evaluate((el) => el.scrollWidth - el.clientWidth);
        assert.ok(overflow <= 1, `no sideways scroll at ${width}px (${overflow}px)`);
        await page.screenshot({ path: join(ARTIFACTS, `registrations-${name}.png`) });
      }, { viewport: { width, height }, colorScheme });
    }
  });
});
