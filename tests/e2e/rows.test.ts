/**
 * Rows with the inbox fields (title, actor, category, actions, url), opening them, day groups, the locale
 * and the element's events. The list is stubbed in the browser until the server sends these fields;
 * live events come from the real belfry.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { Page } from 'playwright-core';
import { expectBadge, openPanel, startE2E, type E2E } from './harness.ts';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(async () => {
  await e2e?.close();
});

const HOUR = 3600_000;
/** Noon yesterday, local time: "Yesterday" whatever the hour the test runs at. */
const yesterdayNoon = (now: number) => {
  const date = new Date(now);
  date.setDate(date.getDate() - 1);
  date.setHours(12, 0, 0, 0);
  return date.toISOString();
};
const rich = (now: number) => [
  {
    id: '9', type: 'invoice', message: 'November is ready.', created_at: new Date(now - 60_000).toISOString(), read_at: null,
    title: 'Invoice ready', url: '/billing/9', category: 'billing',
    // Same origin as the demo page, whose CSP allows only its own images; unrouted, it is a 404.
    actor: { name: 'Ada Lovelace', avatar_url: `${e2e.belfry.url}/avatars/ada.svg` },
    actions: [{ label: 'Pay now', url: 'https://pay.example.com/9' }, { label: 'Sneaky', url: 'javascript:alert(1)' }, { label: 'View', url: '/billing/9' }],
  },
  {
    id: '8', type: 'invite', message: 'Join the release team', created_at: yesterdayNoon(now), read_at: null,
    category: 'team_invite', actor: { name: 'Grace Hopper' }, url: 'https://elsewhere.example.com/invite/8',
  },
  { id: '7', type: 'deploy', message: 'Deploy finished', created_at: new Date(now - 6 * 24 * HOUR).toISOString(), read_at: null, url: 'javascript:alert(2)' },
];

async function openRich(prepare?: (page: Page) => Promise<void>): Promise<Page> {
  const page = await e2e.openAs('rita', {
    prepare: async (p) => {
      await p.route(/\/api\/notifications\?/, (route) => route.fulfill({ json: rich(Date.now()) }));
      await p.route(/\/api\/notifications\/read$/, (route) => route.fulfill({ status: 204 }));
      await p.context().route('https://elsewhere.example.com/**', (route) => route.fulfill({ contentType: 'text/html', body: 'elsewhere' }));
      await prepare?.(p);
    },
  });
  await openPanel(page);
  await page.getByText('Invoice ready').waitFor();
  return page;
}

const inShadow = <T,>(page: Page, fn: (root: ShadowRoot) => T) =>
  page.locator('belfry-bell').evaluate((host, source) => new Function('root', `return (${source})(root)`)(host.shadowRoot), fn.toString()) as Promise<T>;

test('a row shows its title in bold, the avatar (or initials), the category label and safe action links', async () => {
  const page = await openRich();
  await page.locator('belfry-bell').evaluate((el) => ((el as unknown as { labels: object }).labels = { billing: 'Billing & invoices' }));
  const row = await inShadow(page, (root) => {
    const rows = [...root.querySelectorAll('[data-testid="notification"]')];
    return rows.map((li) => ({
      title: li.querySelector('.item-title')?.textContent ?? null,
      weight: li.querySelector('.item-title') ? getComputedStyle(li.querySelector('.item-title')!).fontWeight : null,
      label: li.querySelector('.item-type')?.textContent,
      img: li.querySelector('img') && {
        alt: li.querySelector('img')!.alt,
        referrer: li.querySelector('img')!.getAttribute('referrerpolicy'),
        loading: li.querySelector('img')!.getAttribute('loading'),
      },
      initials: li.querySelector('.initials')?.textContent ?? null,
      actions: [...li.querySelectorAll('a.action')].map((a) => ({ text: a.textContent, href: a.getAttribute('href'), target: a.getAttribute('target'), rel: a.getAttribute('rel') })),
    }));
  });
  expect(row[0]!.title).toBe('Invoice ready');
  expect(Number(row[0]!.weight)).toBeGreaterThanOrEqual(600);
  expect(row[0]!.label).toBe('Billing & invoices');
  expect(row[1]!.label).toBe('Team invite');
  expect(row[2]!.label).toBe('Deploy');
  // The picture is missing (404): the initials take its place. Grace never had one.
  await page.waitForFunction(() => !!document.querySelector('belfry-bell')!.shadowRoot!.querySelector('[data-id="9"] .initials'));
  expect(row[1]!.initials).toBe('GH');
  expect(row[0]!.actions).toEqual([
    { text: 'Pay now (opens in a new tab)', href: 'https://pay.example.com/9', target: '_blank', rel: 'noopener noreferrer' },
    { text: 'View', href: `${e2e.belfry.url}/billing/9`, target: null, rel: null },
  ]);
}, 20_000);

test('the avatar picture is requested lazily, without a referrer, with the actor as alt text', async () => {
  let referer: string | undefined = 'unset';
  const page = await openRich(async (p) => {
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

test('opening a row: a cancelable belfry-open first; same-origin links in place, others in a new tab, unsafe ones never', async () => {
  const page = await openRich();
  await page.evaluate(() => {
    const log: unknown[] = ((window as unknown as { opened: unknown[] }).opened = []);
    document.querySelector('belfry-bell')!.addEventListener('belfry-open', (event) => {
      const detail = (event as CustomEvent).detail;
      log.push({ id: detail.id, title: detail.title ?? null, cancelable: event.cancelable });
      if (detail.id === '9' && !(window as unknown as { allow?: boolean }).allow) event.preventDefault();
    });
  });
  const row = (id: string) => page.locator(`[data-id="${id}"] [data-item]`);
  await row('9').click();
  expect(page.url()).not.toContain('/billing/9');
  // Unsafe URL: the event still fires, nothing is followed.
  await row('7').click();
  expect(await page.evaluate(() => (window as unknown as { opened: unknown[] }).opened)).toEqual([
    { id: '9', title: 'Invoice ready', cancelable: true },
    { id: '7', title: null, cancelable: true },
  ]);
  const [popup] = await Promise.all([page.context().waitForEvent('page'), row('8').click()]);
  await popup.waitForLoadState();
  expect(popup.url()).toBe('https://elsewhere.example.com/invite/8');
  expect(await popup.evaluate(() => window.opener)).toBeNull();
  expect(page.url()).not.toContain('elsewhere');
  await page.evaluate(() => ((window as unknown as { allow: boolean }).allow = true));
  await Promise.all([page.waitForURL(/\/billing\/9$/), row('9').click()]);
}, 20_000);

test('rows are grouped Today / Yesterday / Earlier, and locale="de" speaks German', async () => {
  const page = await openRich();
  const headings = () => inShadow(page, (root) => [...root.querySelectorAll('.group')].map((h) => h.textContent));
  expect(await headings()).toEqual(['Today', 'Yesterday', 'Earlier']);
  await page.locator('belfry-bell').evaluate((el) => el.setAttribute('locale', 'de'));
  expect(await headings()).toEqual(['Heute', 'Gestern', 'Früher']);
  expect(await page.getByRole('button', { name: 'Ungelesen', exact: true }).count()).toBe(1);
  expect(await page.locator('[data-id="8"] time').textContent()).toMatch(/^(vor \d+ Std\.|gestern)$/);
}, 20_000);

test('category tabs from the attribute; the element announces live notifications and count changes', async () => {
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
  const [id] = await e2e.send('vic', 'live one');
  await expectBadge(page, '1');
  const seen = (await page.evaluate(() => (window as unknown as { seen: Array<{ type: string; detail: { id?: string; count?: number; message?: string } }> }).seen));
  expect(seen).toEqual([
    { type: 'belfry-notification', detail: expect.objectContaining({ id, message: 'live one' }) },
    { type: 'belfry-unread-change', detail: { count: 1 } },
  ]);
  await openPanel(page);
  const tabs = await page.getByRole('group', { name: 'Show' }).getByRole('button').allTextContents();
  expect(tabs).toEqual(['Unread', 'All', 'Archived', 'Billing', 'Team invite']);
  // Today's server has no archive: the tab says so instead of failing.
  await page.getByRole('button', { name: 'Archived' }).click();
  await page.getByText('Not available yet').waitFor();
}, 20_000);

test('the row menu works from the keyboard: open, arrows, Esc back to its button, archive moves focus on', async () => {
  const page = await openRich(async (p) => {
    await p.route(/\/api\/notifications\/archive$/, (route) => route.fulfill({ status: 204 }));
  });
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
  await page.waitForFunction(() => !document.querySelector('belfry-bell')!.shadowRoot!.querySelector('[data-id="9"]'));
  expect((await focused()).label).toContain('Join the release team');
}, 20_000);
