import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { Page } from 'playwright-core';
import { bell, expectBadge, rows, startE2E, type E2E } from './harness.ts';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(async () => {
  await e2e?.close();
});

/** What has focus inside the widget: its text, whether it is the bell, and its focus outline. */
function focused(page: Page) {
  return page.evaluate(() => {
    const host = document.activeElement;
    const inner = host?.shadowRoot?.activeElement ?? null;
    if (!host || host.tagName !== 'BELFRY-BELL' || !inner) return null;
    const style = getComputedStyle(inner);
    return {
      isBell: inner.classList.contains('bell'),
      text: inner.textContent ?? '',
      outline: `${style.outlineStyle} ${style.outlineWidth}`,
    };
  });
}

test('keyboard only: Tab to the bell, open, arrow through, read one, Esc closes and focus returns', async () => {
  await e2e.send('kim', 'oldest one', 'middle one', 'newest one');
  const page = await e2e.openAs('kim');
  await expectBadge(page, '3');

  await page.keyboard.press('Tab');
  const onBell = await focused(page);
  expect(onBell?.isBell).toBe(true);
  // The focus ring is drawn (2px solid), not left to chance.
  expect(onBell?.outline).toBe('solid 2px');
  expect(await bell(page).getAttribute('aria-expanded')).toBe('false');

  await page.keyboard.press('Enter');
  expect(await bell(page).getAttribute('aria-expanded')).toBe('true');
  expect(await page.getByRole('dialog', { name: 'Notifications' }).count()).toBe(1);
  expect((await focused(page))?.text).toContain('newest one');

  await page.keyboard.press('ArrowDown');
  expect((await focused(page))?.text).toContain('middle one');
  await page.keyboard.press('End');
  expect((await focused(page))?.text).toContain('oldest one');
  await page.keyboard.press('Home');
  expect((await focused(page))?.text).toContain('newest one');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expectBadge(page, '2');
  expect((await rows(page)).map((row) => row.unread)).toEqual([true, false, true]);

  // Tab reaches the row's own "mark as read" control too.
  await page.keyboard.press('Home');
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.getAttribute('aria-label'))).toBe(
    'Mark as read',
  );
  await page.keyboard.press('Space');
  await expectBadge(page, '1');
  // The control vanished with the unread state; focus moved to its row instead of being lost.
  expect((await focused(page))?.text).toContain('newest one');

  await page.keyboard.press('Escape');
  expect(await page.getByTestId('panel').count()).toBe(0);
  expect(await bell(page).getAttribute('aria-expanded')).toBe('false');
  expect((await focused(page))?.isBell).toBe(true);

  // Space toggles it too, and a second press on the bell closes it.
  await page.keyboard.press('Space');
  expect(await page.getByTestId('panel').count()).toBe(1);
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Escape');
  expect(await page.getByTestId('panel').count()).toBe(0);
  expect((await focused(page))?.isBell).toBe(true);
}, 20_000);

test('the count is announced politely, and the bell names itself with the count', async () => {
  const page = await e2e.openAs('lee');
  const live = page.getByTestId('live-count');
  expect(await live.getAttribute('aria-live')).toBe('polite');
  expect(await live.textContent()).toBe('No unread notifications');
  await e2e.send('lee', 'ping');
  await expectBadge(page, '1');
  expect(await live.textContent()).toBe('1 unread notifications');
  // Never shown yet, so it is also new.
  expect(await bell(page).getAttribute('aria-label')).toBe('Notifications, 1 unread, 1 new');
}, 20_000);
