import { afterAll, beforeAll, expect, test } from 'bun:test';
import { dbUnread, eventually, expectBadge, openPanel, rows, startE2E, type E2E } from './harness.ts';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(async () => {
  await e2e?.close();
}, 20_000);

const unreadCountFromApi = async (userId: string) => {
  const response = await fetch(`${e2e.belfry.url}/api/notifications/unread-count`, {
    headers: { authorization: `Bearer ${await e2e.belfry.tokenFor(userId)}` },
  });
  return ((await response.json()) as { count: number }).count;
};

test('clicking a notification marks it read: item and badge at once, and the server agrees', async () => {
  const [a = '', b = '', c = ''] = await e2e.send('alice', 'first', 'second', 'third');
  const page = await e2e.openAs('alice');
  await expectBadge(page, '3');
  await openPanel(page);
  await page.getByRole('button', { name: /second/ }).click();
  await expectBadge(page, '2');
  expect((await rows(page)).map((row) => [row.id, row.unread])).toEqual([
    [c, true],
    [b, false],
    [a, true],
  ]);
  await eventually(() => dbUnread(e2e.belfry, 'alice'), (count) => count === 2);
  const [row] = await e2e.belfry.sql<[{ read_at: Date | null }]>`
    select read_at
    from notifications
    where id = ${b}
  `;
  expect(row.read_at).not.toBeNull();

  // The explicit "mark as read" control does the same.
  await page.getByTestId('notification').filter({ hasText: 'first' }).getByRole('button', { name: 'Mark as read' }).click();
  await expectBadge(page, '1');
  await eventually(() => unreadCountFromApi('alice'), (count) => count === 1);
}, 20_000);

test('"Mark all as read" clears the badge and every item, and the server agrees', async () => {
  await e2e.send('bob', 'one', 'two', 'three', 'four');
  const page = await e2e.openAs('bob');
  await expectBadge(page, '4');
  await openPanel(page);
  await page.getByRole('button', { name: 'Mark all as read' }).click();
  await expectBadge(page, null);
  expect((await rows(page)).every((row) => !row.unread)).toBe(true);
  expect(await page.getByTestId('live-count').textContent()).toBe('No unread notifications');
  await eventually(() => dbUnread(e2e.belfry, 'bob'), (count) => count === 0);
  expect(await unreadCountFromApi('bob')).toBe(0);
}, 20_000);

test('two tabs of one user: a read in one shows in the other, and both badges follow the server', async () => {
  const [x, y] = await e2e.send('carol', 'tab test x', 'tab test y');
  const first = await e2e.openAs('carol');
  const second = await e2e.openAs('carol');
  await expectBadge(first, '2');
  await expectBadge(second, '2');
  await openPanel(second);
  await openPanel(first);
  await first.getByRole('button', { name: /tab test x/ }).click();
  await expectBadge(second, '1');
  await eventually(() => rows(second), (list) => list.find((row) => row.id === x)?.unread === false);
  expect((await rows(second)).find((row) => row.id === y)?.unread).toBe(true);

  await second.getByRole('button', { name: 'Mark all as read' }).click();
  await expectBadge(first, null);
  await eventually(() => rows(first), (list) => list.every((row) => !row.unread));
  // A new one afterwards counts up in both from the server's count.
  await e2e.send('carol', 'after');
  await expectBadge(first, '1');
  await expectBadge(second, '1');
}, 20_000);

test('a failed mark-as-read is rolled back with a visible message', async () => {
  await e2e.send('dana', 'will fail');
  const page = await e2e.openAs('dana');
  await expectBadge(page, '1');
  await openPanel(page);
  await page.route('**/api/notifications/read', (route) =>
    route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":{"code":"unavailable","message":"down"}}' }),
  );
  await page.getByRole('button', { name: /will fail/ }).click();
  await page.getByTestId('notice').waitFor();
  expect(await page.getByTestId('notice').textContent()).toContain('Could not mark the notification as read');
  await expectBadge(page, '1');
  expect((await rows(page))[0]?.unread).toBe(true);
  expect(await dbUnread(e2e.belfry, 'dana')).toBe(1);
}, 20_000);
