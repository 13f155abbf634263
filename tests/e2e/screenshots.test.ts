/**
 * The panel's looks: light and dark themes follow prefers-color-scheme, the empty state, a phone, a row with
 * actor, title and actions, and the settings view. With BELFRY_SCREENSHOTS=1 it also writes the PNGs in
 * docs/screenshots/.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { expectBadge, openPanel, startE2E, type E2E } from './harness.ts';

const save = process.env.BELFRY_SCREENSHOTS === '1';
const dir = resolve(import.meta.dir, '..', '..', 'docs', 'screenshots');

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
  // Spread over time, so relative times read naturally; two already read.
  const rows: Array<[string, string, string, string | null]> = [
    ['deploy', 'Deploy #481 to production finished in 3m 12s', '2 days', '2 days'],
    ['billing', 'Your invoice for November is ready', '5 hours', '4 hours'],
    ['mention', 'Grace mentioned you in #release-planning: "can you check the migration order?"', '42 minutes', null],
    ['comment', 'Ada replied to your comment on "Retry budget for webhooks"', '3 minutes', null],
    ['review', 'Linus requested your review on belfry#128', '20 seconds', null],
  ];
  for (const [type, message, age, readAge] of rows) {
    await e2e.belfry.sql`
      insert into notifications (user_id, type, message, created_at, read_at)
      values (
        'ada', ${type}, ${message},
        date_trunc('milliseconds', now() - ${age}::interval),
        ${readAge ? e2e.belfry.sql`now() - ${readAge}::interval` : null}
      )
    `;
  }
  await e2e.sendEvents(
    'rhea',
    { type: 'deploy', message: 'Deploy #481 to production finished in 3m 12s', category: 'deploys' },
    {
      type: 'review', title: 'Review requested', message: 'Linus asked you to review belfry#128: "Mute categories from the panel"',
      category: 'reviews', url: '/pulls/128', actor: { name: 'Linus Torvalds' },
      actions: [{ label: 'Review', url: '/pulls/128/files' }, { label: 'Open on GitHub', url: 'https://github.example.com/belfry/pull/128' }],
    },
  );
});
afterAll(async () => {
  await e2e?.close();
});

const panelBackground = (page: Page) =>
  page.getByTestId('panel').evaluate((panel) => getComputedStyle(panel).backgroundColor);

/** The top-right corner of the page: the bell and its open panel. */
async function shoot(page: Page, name: string) {
  if (save) await page.screenshot({ path: resolve(dir, name), clip: { x: 460, y: 0, width: 440, height: 620 } });
}

test('light and dark themes follow prefers-color-scheme', async () => {
  const light = await e2e.openAs('ada', { colorScheme: 'light' });
  await expectBadge(light, '3');
  await openPanel(light);
  await light.getByRole('button', { name: 'All', exact: true }).click();
  await light.getByText('Deploy #481').waitFor();
  expect(await panelBackground(light)).toBe('rgb(255, 255, 255)');
  expect(await light.locator('time').first().textContent()).toBe('now');
  expect(await light.locator('time').nth(1).textContent()).toBe('3 min. ago');
  await shoot(light, 'panel-light.png');

  const dark = await e2e.openAs('ada', { colorScheme: 'dark' });
  await expectBadge(dark, '3');
  await openPanel(dark);
  await dark.getByRole('button', { name: 'All', exact: true }).click();
  await dark.getByText('Deploy #481').waitFor();
  expect(await panelBackground(dark)).toBe('rgb(28, 33, 40)');
  await shoot(dark, 'panel-dark.png');
}, 20_000);

test('an empty panel says so, in both themes', async () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    const page = await e2e.openAs('nobody', { colorScheme });
    await openPanel(page);
    await page.getByText("You're all caught up").waitFor();
    expect(await page.getByTestId('badge').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Mark all as read' }).isDisabled()).toBe(true);
    await shoot(page, `panel-empty-${colorScheme}.png`);
  }
}, 20_000);

test('a phone (375×667): the panel is a sheet', async () => {
  const page = await e2e.openAs('ada', { prepare: (p) => p.setViewportSize({ width: 375, height: 667 }) });
  await openPanel(page);
  await page.getByText('Linus requested your review').waitFor();
  if (save) await page.screenshot({ path: resolve(dir, 'panel-mobile.png') });
}, 20_000);

test('a row with actor, title and actions, marked new; and the settings view', async () => {
  const page = await e2e.openAs('rhea');
  await openPanel(page);
  await page.getByText('Review requested').waitFor();
  await page.locator('belfry-bell').evaluate((el) => ((el as unknown as { labels: object }).labels = { reviews: 'Code review' }));
  expect(await page.locator('.item .fresh').count()).toBe(2);
  await shoot(page, 'panel-row.png');
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('checkbox', { name: 'Deploys' }).check();
  await expectBadge(page, '1');
  await shoot(page, 'panel-settings.png');
}, 20_000);

/** WCAG contrast of every text the panel shows, against the background actually behind it. */
function contrastReport(page: Page) {
  return page.locator('belfry-bell').evaluate((host) => {
    const parse = (color: string) => (color.match(/[\d.]+/g) ?? []).map(Number) as number[];
    const luminance = ([r = 0, g = 0, b = 0]: number[]) => {
      const channel = (value: number) => {
        const c = value / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const background = (element: Element | null): number[] => {
      for (let node = element; node; node = node.parentElement ?? ((node.getRootNode() as ShadowRoot).host ?? null)) {
        const rgba = parse(getComputedStyle(node).backgroundColor);
        if (rgba.length < 4 || (rgba[3] ?? 0) > 0.99) return rgba;
        if (node === document.documentElement) break;
      }
      return [255, 255, 255];
    };
    const root = host.shadowRoot!;
    const selectors = ['.title', '.link:not(:disabled)', '.tab', '.item-type', 'time', '.item-message', '.badge', '.end', '.group', '.item .fresh', '.item-title', '.action', '.check', '.settings-intro'];
    const report: Record<string, number> = {};
    for (const selector of selectors) {
      for (const element of root.querySelectorAll(selector)) {
        const fg = luminance(parse(getComputedStyle(element).color));
        const bg = luminance(background(element));
        const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
        report[selector] = Math.min(report[selector] ?? Infinity, Math.round(ratio * 100) / 100);
      }
    }
    return report;
  });
}

test('every text in the panel meets WCAG AA contrast (4.5:1) in both themes', async () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    const page = await e2e.openAs('ada', { colorScheme });
    await expectBadge(page, '3');
    await openPanel(page);
    await page.getByRole('button', { name: 'All', exact: true }).click();
    await page.getByText('Deploy #481').waitFor();
    const report = await contrastReport(page);
    // A second visit, with rows marked new, actions and the settings view.
    // A user of its own, whose rows nobody has seen yet: they are marked "New".
    const user = `rich-${colorScheme}`;
    await e2e.sendEvents(user, {
      type: 'review', title: 'Review requested', message: 'Linus asked for a review', category: 'reviews',
      actor: { name: 'Linus Torvalds' }, actions: [{ label: 'Review', url: '/pulls/128/files' }],
    });
    const rich = await e2e.openAs(user, { colorScheme });
    await openPanel(rich);
    await rich.locator('.item .fresh').first().waitFor();
    Object.assign(report, ...Object.entries(await contrastReport(rich)).map(([key, value]) => ({ [key]: Math.min(value, report[key] ?? Infinity) })));
    await rich.getByRole('button', { name: 'Settings' }).click();
    await rich.getByRole('checkbox', { name: 'Reviews' }).waitFor();
    Object.assign(report, ...Object.entries(await contrastReport(rich)).map(([key, value]) => ({ [key]: Math.min(value, report[key] ?? Infinity) })));
    if (process.env.BELFRY_SHOW_CONTRAST) console.log(colorScheme, report);
    expect(Object.keys(report)).toEqual(expect.arrayContaining(['.item .fresh', '.action', '.check', '.settings-intro', '.item-title']));
    for (const [selector, ratio] of Object.entries(report)) {
      if (ratio < 4.5) throw new Error(`${colorScheme}: ${selector} has contrast ${ratio}:1`);
    }
  }
}, 20_000);
