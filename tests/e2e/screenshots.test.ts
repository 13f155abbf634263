/**
 * The panel's looks: light and dark themes follow prefers-color-scheme, and the empty state.
 * With BELFRY_SCREENSHOTS=1 it also writes the PNGs in docs/screenshots/.
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
  expect(await light.locator('time').first().textContent()).toBe('just now');
  expect(await light.locator('time').nth(1).textContent()).toBe('3 min ago');
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
