/**
 * Rows with the inbox fields (title, actor, category, actions, url) from real ingests, opening them, day
 * groups, states changed in one tab and seen in another, the Archived tab, mutes from the settings view,
 * "new since the last open", the locale and the element's events: all against a real belfry.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { Page } from 'playwright-core';
import { badge, bell, eventually, expectBadge, openPanel, rows, startE2E, type E2E } from './harness.ts';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(async () => {
  await e2e?.close();
});

/** Noon yesterday, local time: "Yesterday" whatever the hour the test runs at. */
const yesterdayNoon = () => {
  const date = new Date();
  date.setDate(date.getDate() - 1);
  date.setHours(12, 0, 0, 0);
  return date.toISOString();
};

/** Three rich notifications for `user`: one today, one yesterday, one six days ago (moved back in the database). */
async function seedRich(user: string): Promise<{ invoice: string; invite: string; deploy: string }> {
  const [deploy, invite, invoice] = await e2e.sendEvents(
    user,
    { type: 'deploy', message: 'Deploy finished', url: '/deploys/7' },
    {
      type: 'invite', message: 'Join the release team', category: 'team_invite',
      actor: { name: 'Grace Hopper' }, url: 'https://elsewhere.example.com/invite/8',
    },
    {
      type: 'invoice', message: 'November is ready.', title: 'Invoice ready', url: '/billing/9', category: 'billing',
      // Same origin as the demo page, whose CSP allows only its own images; unrouted, it is a 404.
      actor: { id: 'u-ada', name: 'Ada Lovelace', avatar_url: `${e2e.belfry.url}/avatars/ada.svg` },
      actions: [{ label: 'Pay now', url: 'https://pay.example.com/9' }, { label: 'View', url: '/billing/9' }],
      data: { invoice: 9 },
    },
  );
  await e2e.belfry.sql`update notifications set created_at = now() - interval '6 days' where id = ${deploy!}`;
  await e2e.belfry.sql`update notifications set created_at = ${yesterdayNoon()} where id = ${invite!}`;
  return { invoice: invoice!, invite: invite!, deploy: deploy! };
}

async function openRich(user: string, prepare?: (page: Page) => Promise<void>) {
  const ids = await seedRich(user);
  const page = await e2e.openAs(user, {
    prepare: async (p) => {
      await p.context().route('https://elsewhere.example.com/**', (route) => route.fulfill({ contentType: 'text/html', body: 'elsewhere' }));
      await prepare?.(p);
    },
  });
  await openPanel(page);
  await page.getByText('Invoice ready').waitFor();
  return { page, ids };
}

const inShadow = <T,>(page: Page, fn: (root: ShadowRoot) => T) =>
  page.locator('belfry-bell').evaluate((host, source) => new Function('root', `return (${source})(root)`)(host.shadowRoot), fn.toString()) as Promise<T>;

const row = (page: Page, id: string) => page.locator(`[data-id="${id}"] [data-item]`);

test('a row shows its title in bold, the avatar (or initials), the category label and its action links', async () => {
  const { page } = await openRich('rita');
  await page.locator('belfry-bell').evaluate((el) => ((el as unknown as { labels: object }).labels = { billing: 'Billing & invoices' }));
  // The picture is missing (404): the initials take its place. Grace never had one.
  await page.waitForFunction(() => document.querySelector('belfry-bell')!.shadowRoot!.querySelectorAll('.initials').length === 2);
  const shown = await inShadow(page, (root) =>
    [...root.querySelectorAll('[data-testid="notification"]')].map((li) => ({
      title: li.querySelector('.item-title')?.textContent ?? null,
      weight: li.querySelector('.item-title') ? getComputedStyle(li.querySelector('.item-title')!).fontWeight : null,
      label: li.querySelector('.item-type')?.textContent,
      initials: li.querySelector('.initials')?.textContent ?? null,
      actions: [...li.querySelectorAll('a.action')].map((a) => ({ text: a.textContent, href: a.getAttribute('href'), target: a.getAttribute('target'), rel: a.getAttribute('rel') })),
    })),
  );
  expect(shown.map((r) => r.label)).toEqual(['Billing & invoices', 'Team invite', 'Deploy']);
  expect(shown[0]!.title).toBe('Invoice ready');
  expect(Number(shown[0]!.weight)).toBeGreaterThanOrEqual(600);
  expect(shown.map((r) => r.initials)).toEqual(['AL', 'GH', null]);
  expect(shown[0]!.actions).toEqual([
    { text: 'Pay now (opens in a new tab)', href: 'https://pay.example.com/9', target: '_blank', rel: 'noopener noreferrer' },
    { text: 'View', href: `${e2e.belfry.url}/billing/9`, target: null, rel: null },
  ]);
}, 20_000);

test('the avatar picture is requested lazily, without a referrer, with the actor as alt text', async () => {
  let referer: string | undefined = 'unset';
  const { page } = await openRich('ravi', async (p) => {
    await p.route(`${e2e.belfry.url}/avatars/**`, async (route) => {
      referer = route.request().headers().referer;
      await route.fulfill({ contentType: 'image/svg+xml', body: '<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"/>' });
    });
  });
  const img = page.getByRole('img', { name: 'Ada Lovelace' });
  expect(await img.getAttribute('referrerpolicy')).toBe('no-referrer');
  expect(await img.getAttribute('loading')).toBe('lazy');
  expect(referer).toBeUndefined();
}, 20_000);

test('opening a row: a cancelable belfry-open first; same-origin links in place, others in a new tab with noopener', async () => {
  const { page, ids } = await openRich('rosa');
  await page.evaluate((cancel) => {
    const log: unknown[] = ((window as unknown as { opened: unknown[] }).opened = []);
    document.querySelector('belfry-bell')!.addEventListener('belfry-open', (event) => {
      const detail = (event as CustomEvent).detail;
      log.push({ id: detail.id, title: detail.title ?? null, data: detail.data ?? null, cancelable: event.cancelable });
      if (detail.id === cancel && !(window as unknown as { allow?: boolean }).allow) event.preventDefault();
    });
  }, ids.invoice);
  await row(page, ids.invoice).click();
  await expectBadge(page, '2');
  expect(page.url()).not.toContain('/billing/9');
  expect(await page.evaluate(() => (window as unknown as { opened: unknown[] }).opened)).toEqual([
    { id: ids.invoice, title: 'Invoice ready', data: { invoice: 9 }, cancelable: true },
  ]);
  const [popup] = await Promise.all([page.context().waitForEvent('page'), row(page, ids.invite).click()]);
  await popup.waitForLoadState();
  expect(popup.url()).toBe('https://elsewhere.example.com/invite/8');
  expect(await popup.evaluate(() => window.opener)).toBeNull();
  expect(page.url()).not.toContain('elsewhere');
  await page.evaluate(() => ((window as unknown as { allow: boolean }).allow = true));
  await Promise.all([page.waitForURL(/\/billing\/9$/), row(page, ids.invoice).click()]);
}, 20_000);

test('rows are grouped Today / Yesterday / Earlier, and locale="de" speaks German, dates included', async () => {
  const { page, ids } = await openRich('rudi');
  const headings = () => inShadow(page, (root) => [...root.querySelectorAll('.group')].map((h) => h.textContent));
  expect(await headings()).toEqual(['Today', 'Yesterday', 'Earlier']);
  await page.locator('belfry-bell').evaluate((el) => el.setAttribute('locale', 'de'));
  // German arrives as a script of its own (belfry-de.js) the first time it is asked for.
  await eventually(headings, (value) => value[0] === 'Heute');
  expect(await headings()).toEqual(['Heute', 'Gestern', 'Früher']);
  expect(await page.getByRole('button', { name: 'Ungelesen', exact: true }).count()).toBe(1);
  expect(await page.getByRole('button', { name: 'Alle als gelesen markieren' }).count()).toBe(1);
  expect(await page.locator(`[data-id="${ids.invite}"] time`).textContent()).toMatch(/^(vor \d+ Std\.|gestern)$/);
  expect(await page.locator(`[data-id="${ids.deploy}"] time`).textContent()).toBe('vor 6 Tagen');
  expect(await page.locator('.bell').getAttribute('aria-label')).toMatch(/^Benachrichtigungen, 3 ungelesen/);
  await page.getByRole('button', { name: 'Einstellungen' }).click();
  await page.getByRole('button', { name: /Zurück zu den Benachrichtigungen/ }).waitFor();
  await page.getByRole('checkbox', { name: 'Billing' }).waitFor();
}, 20_000);

test('archive, mark unread and delete in one tab show in the other; the Archived tab lists what was archived', async () => {
  const [a, b, c] = await e2e.send('tess', 'first', 'second', 'third');
  const one = await e2e.openAs('tess');
  const two = await e2e.openAs('tess');
  await openPanel(one);
  await openPanel(two);
  await two.getByText('first').waitFor();
  const messages = (page: Page) => rows(page).then((shown) => shown.map((r) => r.message));

  await one.getByRole('button', { name: 'More actions' }).first().click();
  await one.getByRole('menuitem', { name: 'Archive' }).click();
  await eventually(() => messages(two), (shown) => !shown.includes('third'));
  await expectBadge(two, '2');

  await one.locator(`[data-id="${b}"] .menu-button`).click();
  await one.getByRole('menuitem', { name: 'Delete' }).click();
  await eventually(() => messages(two), (shown) => shown.join() === 'first');
  await expectBadge(two, '1');

  // Read in tab two, made unread again in tab one (under All, where read rows stay).
  await two.locator(`[data-id="${a}"] .mark`).click();
  await expectBadge(one, null);
  await one.getByRole('button', { name: 'All', exact: true }).click();
  await one.locator(`[data-id="${a}"]:not(.unread)`).waitFor();
  await one.locator(`[data-id="${a}"] .menu-button`).click();
  await one.getByRole('menuitem', { name: 'Mark as unread' }).click();
  await expectBadge(two, '1');
  await eventually(() => rows(two), (shown) => shown.length === 1 && shown[0]!.unread);

  await two.getByRole('button', { name: 'Archived', exact: true }).click();
  await eventually(() => rows(two), (shown) => shown.map((r) => r.id).join() === c);
  // Unarchived from tab one's Archived tab: it leaves tab two's.
  await one.getByRole('button', { name: 'Archived', exact: true }).click();
  await one.locator(`[data-id="${c}"] .menu-button`).click();
  await one.getByRole('menuitem', { name: 'Unarchive' }).click();
  await eventually(() => rows(two), (shown) => shown.length === 0);
  await expectBadge(two, '2');
}, 30_000);

test('muting a category in the settings view: not pushed, not on the badge, still listed under All', async () => {
  await e2e.sendEvents('mona', { type: 'digest', message: 'Weekly digest', category: 'digest' }, { message: 'A reply' });
  const page = await e2e.openAs('mona', {
    prepare: async (p) => {
      await p.addInitScript(() => {
        const seen: string[] = ((window as unknown as { arrived: string[] }).arrived = []);
        document.addEventListener('belfry-notification', (event) => seen.push((event as CustomEvent).detail.message));
      });
    },
  });
  const other = await e2e.openAs('mona');
  await expectBadge(page, '2');
  await openPanel(page);
  await page.getByRole('button', { name: 'Settings' }).click();
  const digest = page.getByRole('checkbox', { name: 'Digest' });
  await digest.waitFor();
  expect(await digest.isChecked()).toBe(false);
  await digest.check();
  // The PUT makes the server tell every socket of the user; both tabs read the inbox and the count again.
  await expectBadge(page, '1');
  await expectBadge(other, '1');

  await e2e.sendEvents('mona', { type: 'digest', message: 'Another digest', category: 'digest' }, { message: 'Live one' });
  await eventually(() => page.evaluate(() => (window as unknown as { arrived: string[] }).arrived), (arrived) => arrived.includes('Live one'));
  expect(await page.evaluate(() => (window as unknown as { arrived: string[] }).arrived)).toEqual(['Live one']);
  await expectBadge(page, '2');

  await page.getByRole('button', { name: /Back to notifications/ }).click();
  expect(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.getAttribute('aria-label'))).toBe('Settings');
  expect((await rows(page)).map((r) => r.message)).toEqual(['Live one', 'A reply']);
  await page.getByRole('button', { name: 'All', exact: true }).click();
  await eventually(() => rows(page), (shown) => shown.length === 4);
  expect((await rows(page)).map((r) => r.message)).toEqual(['Live one', 'Another digest', 'A reply', 'Weekly digest']);

  // Unmuting brings them back to the inbox and the badge, in the other tab too.
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('checkbox', { name: 'Digest' }).uncheck();
  await expectBadge(other, '4');
}, 30_000);

test('opening the panel marks what it shows as seen, marks those rows "New" for this visit and the bell says how many are new', async () => {
  const ids = await e2e.send('nina', 'one', 'two');
  const page = await e2e.openAs('nina');
  await expectBadge(page, '2');
  expect(await bell(page).getAttribute('aria-label')).toBe('Notifications, 2 unread, 2 new');
  await openPanel(page);
  await page.getByText('two').waitFor();
  expect(await page.locator('.item .fresh').count()).toBe(2);
  const seen = () => e2e.belfry.sql<Array<{ id: string }>>`select id::text from notifications where user_id = 'nina' and seen_at is not null`;
  await eventually(seen, (found) => found.length === 2);
  await eventually(() => bell(page).getAttribute('aria-label'), (label) => label === 'Notifications, 2 unread');
  // Closed and opened again: nothing is new any more, until something arrives.
  await page.keyboard.press('Escape');
  const [three] = await e2e.send('nina', 'three');
  await eventually(() => bell(page).getAttribute('aria-label'), (label) => label === 'Notifications, 3 unread, 1 new');
  await openPanel(page);
  await page.getByText('three').waitFor();
  expect(await page.locator('.item .fresh').count()).toBe(1);
  expect(await page.locator(`[data-id="${three}"] .fresh`).textContent()).toBe('New');
  expect(ids).toHaveLength(2);
  await eventually(seen, (found) => found.length === 3);
}, 20_000);

test('the element announces live notifications (with their fields) and count changes; category tabs from the attribute', async () => {
  const page = await e2e.openAs('vic', {
    prepare: async (p) => {
      await p.addInitScript(() => {
        const seen: unknown[] = ((window as unknown as { seen: unknown[] }).seen = []);
        for (const type of ['belfry-notification', 'belfry-unread-change']) {
          document.addEventListener(type, (event) => seen.push({ type, detail: (event as CustomEvent).detail }));
        }
      });
    },
  });
  await page.locator('belfry-bell').evaluate((el) => el.setAttribute('categories', 'billing, team_invite'));
  const [id] = await e2e.sendEvents('vic', { message: 'live one', title: 'Live', category: 'billing', data: { n: 1 } });
  await expectBadge(page, '1');
  const seen = await page.evaluate(() => (window as unknown as { seen: unknown[] }).seen);
  expect(seen).toEqual([
    { type: 'belfry-notification', detail: expect.objectContaining({ id, message: 'live one', title: 'Live', category: 'billing', data: { n: 1 } }) },
    { type: 'belfry-unread-change', detail: { count: 1 } },
  ]);
  await openPanel(page);
  const tabs = await page.getByRole('group', { name: 'Show' }).getByRole('button').allTextContents();
  expect(tabs).toEqual(['Unread', 'All', 'Archived', 'Billing', 'Team invite']);
  await page.getByRole('button', { name: 'Team invite' }).click();
  await page.getByText('No notifications yet').waitFor();
  await page.getByRole('button', { name: 'Billing' }).click();
  await page.getByText('live one').waitFor();
  expect(await badge(page)).toBe('1');
}, 20_000);

test('the row menu works from the keyboard: open, arrows, Esc back to its button, archive moves focus on', async () => {
  const { page, ids } = await openRich('kai');
  const focused = () =>
    page.evaluate(() => {
      const inner = document.activeElement?.shadowRoot?.activeElement;
      return { label: inner?.getAttribute('aria-label') ?? inner?.textContent ?? null, role: inner?.getAttribute('role') ?? null };
    });
  await page.keyboard.press('Tab'); // row → "Mark as read"
  await page.keyboard.press('Tab'); // → "More actions"
  expect((await focused()).label).toBe('More actions');
  await page.keyboard.press('Enter');
  expect(await focused()).toEqual({ label: 'Mark as read', role: 'menuitem' });
  await page.keyboard.press('ArrowDown');
  expect((await focused()).label).toBe('Archive');
  await page.keyboard.press('End');
  expect((await focused()).label).toBe('Delete');
  await page.keyboard.press('ArrowDown');
  expect((await focused()).label).toBe('Mark as read');
  await page.keyboard.press('Escape');
  expect((await focused()).label).toBe('More actions');
  expect(await page.getByRole('menu').count()).toBe(0);
  expect(await page.getByTestId('panel').count()).toBe(1);
  await page.keyboard.press('Enter');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForFunction((id) => !document.querySelector('belfry-bell')!.shadowRoot!.querySelector(`[data-id="${id}"]`), ids.invoice);
  expect((await focused()).label).toContain('Join the release team');
  // The row leaves at once (optimistic); the server's commit follows.
  const archived = async () =>
    (await e2e.belfry.sql<[{ archived: boolean }]>`select archived_at is not null as archived from notifications where id = ${ids.invoice}`)[0].archived;
  await eventually(archived, (done) => done, 5000);
}, 20_000);
