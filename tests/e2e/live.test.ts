import { afterAll, beforeAll, expect, test } from 'bun:test';
import { bell, dbUnread, eventually, expectBadge, openPanel, rows, startE2E, type E2E } from './harness.ts';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(async () => {
  await e2e?.close();
}, 20_000);

test('an event posted to /api/events appears at the top and the badge counts up, without a reload', async () => {
  const page = await e2e.openAs('alice');
  expect(await page.getByTestId('badge').count()).toBe(0);
  await openPanel(page);
  await page.getByText("You're all caught up").waitFor();

  const [first] = await e2e.send('alice', 'Ada replied to you');
  await expectBadge(page, '1');
  expect(await rows(page)).toEqual([{ id: first!, message: 'Ada replied to you', unread: true }]);

  const [second, third] = await e2e.send('alice', 'Grace mentioned you', 'Deploy finished');
  await expectBadge(page, '3');
  const shown = await eventually(() => rows(page), (list) => list.length === 3);
  expect(shown.map((row) => row.id)).toEqual([third!, second!, first!]);
  expect(await bell(page).getAttribute('aria-label')).toBe('Notifications, 3 unread');
  expect(await page.getByTestId('live-count').textContent()).toBe('3 unread notifications');
  // Intl.RelativeTimeFormat's English for zero seconds, numeric: 'auto'.
  expect(await page.locator('time').first().textContent()).toBe('now');
}, 20_000);

test("another user's notifications never reach this user's panel", async () => {
  const page = await e2e.openAs('carol');
  await openPanel(page);
  await e2e.send('dave', 'for dave only');
  await e2e.send('dave', 'also for dave');
  const [mine] = await e2e.send('carol', 'for carol');
  await expectBadge(page, '1');
  await e2e.send('dave', 'dave again');
  await page.waitForTimeout(200);
  expect(await rows(page)).toEqual([{ id: mine!, message: 'for carol', unread: true }]);
  expect(await page.getByText('dave', { exact: false }).count()).toBe(0);
  expect(await dbUnread(e2e.belfry, 'carol')).toBe(1);
}, 20_000);

test('a message full of markup is shown as text and never executed', async () => {
  const page = await e2e.openAs('erin');
  await openPanel(page);
  const message = '<img src=x onerror=alert(1)><script>alert(2)</script><b>bold?</b>';
  await e2e.send('erin', message);
  await expectBadge(page, '1');
  const [row] = await rows(page);
  expect(row?.message).toBe(message);
  const injected = await page.getByTestId('panel').evaluate((panel) => panel.querySelectorAll('img, script, b').length);
  expect(injected).toBe(0);
}, 20_000);

test('the badge says 99+ past 99 and the list pages in older notifications on scroll', async () => {
  const page = await e2e.openAs('frank');
  const messages = Array.from({ length: 105 }, (_, i) => `bulk ${i + 1}`);
  const ids = await e2e.send('frank', ...messages);
  await expectBadge(page, '99+');
  // Closed, so the bell also names what is new since the panel was last open (capped like the badge).
  // The unseen count comes with the count read that follows the pushes: wait for it, not for a fixed time.
  await eventually(() => bell(page).getAttribute('aria-label'), (label) => label === 'Notifications, 99+ unread, 99+ new');
  const panel = await openPanel(page);
  await eventually(() => rows(page), (list) => list.length >= 20);
  // Scroll to the end repeatedly: each time the sentinel shows, the next cursor page is fetched.
  const all = await eventually(
    async () => {
      await panel.locator('.scroller').evaluate((scroller) => scroller.scrollTo(0, scroller.scrollHeight));
      return rows(page);
    },
    (list) => list.length === 105,
    10_000,
  );
  expect(all.map((row) => row.id)).toEqual([...ids].reverse());
  await page.getByText("That's everything.").waitFor();
}, 20_000);
