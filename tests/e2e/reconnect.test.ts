import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { Page, WebSocketRoute } from 'playwright-core';
import { dbUnread, eventually, expectBadge, expectExactly, openPanel, rows, startE2E, trickle, type E2E } from './harness.ts';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(async () => {
  await e2e?.close();
}, 20_000);

/** Puts the test between the page and the server's /ws, so it can cut, refuse or silence the socket. */
async function interceptSocket(page: Page) {
  const control = { refuse: false, sockets: [] as Array<{ route: WebSocketRoute; muted: boolean }> };
  await page.routeWebSocket(/\/ws/, (ws) => {
    if (control.refuse) return ws.close({ code: 4000, reason: 'refused by test' });
    const entry = { route: ws, muted: false };
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      if (!entry.muted) server.send(message);
    });
    server.onMessage((message) => {
      if (!entry.muted) ws.send(message);
    });
    control.sockets.push(entry);
  });
  return control;
}


test('socket cut while events are ingested: "Reconnecting…", then every missed event once, in order', async () => {
  let control!: Awaited<ReturnType<typeof interceptSocket>>;
  const page = await e2e.openAs('gina', {
    prepare: async (p) => {
      control = await interceptSocket(p);
    },
  });
  const before = await e2e.send('gina', 'before 1', 'before 2', 'before 3');
  await expectBadge(page, '3');
  await openPanel(page);

  // Cut the socket and refuse reconnects while events keep coming in.
  control.refuse = true;
  const during = trickle(e2e, 'gina', 25, 'during');
  await control.sockets.at(-1)!.route.close();
  await page.getByTestId('reconnecting').waitFor();
  expect(await page.locator('belfry-bell').evaluate((el) => el.shadowRoot!.querySelector('.bell')!.classList.contains('offline'))).toBe(true);
  await Bun.sleep(300);
  // Another tab reads one of the early ones while this tab is deaf.
  await fetch(`${e2e.belfry.url}/api/notifications/read`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await e2e.belfry.tokenFor('gina')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id: before[0] }),
  });

  // Let it back in mid-stream; "online" skips whatever backoff step it is waiting in.
  control.refuse = false;
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  const duringIds = await during;
  const all = [...before, ...duringIds];

  // The refetch after the gap reaches the end of the unread list, which no longer holds the one read elsewhere:
  // the panel drops it (a complete refetch is the truth; docs/decisions.md#erasure-reaches-local-sockets-first).
  const unread = all.filter((id) => id !== before[0]);
  const shown = await eventually(() => rows(page), (list) => list.length === unread.length, 8000);
  expectExactly(shown, unread);
  await expectBadge(page, String(all.length - 1));
  expect(await dbUnread(e2e.belfry, 'gina')).toBe(all.length - 1);
  await page.getByTestId('reconnecting').waitFor({ state: 'detached' });
}, 20_000);

test('server restart while events are ingested: nothing missed, nothing doubled, live again after', async () => {
  const page = await e2e.openAs('hank');
  const before = await e2e.send('hank', 'pre 1', 'pre 2');
  await expectBadge(page, '2');
  await openPanel(page);

  const during = trickle(e2e, 'hank', 20, 'across restart');
  await Bun.sleep(60);
  await e2e.belfry.restart();
  const all = [...before, ...(await during)];

  const shown = await eventually(() => rows(page), (list) => list.length === all.length, 8000);
  expectExactly(shown, all);
  await expectBadge(page, String(all.length));

  const [after] = await e2e.send('hank', 'after restart');
  await eventually(() => rows(page), (list) => list[0]?.id === after);
  await expectBadge(page, String(all.length + 1));
}, 20_000);

test('a silently dead socket is noticed when the tab becomes visible again, and the gap is filled', async () => {
  let control!: Awaited<ReturnType<typeof interceptSocket>>;
  const page = await e2e.openAs('iris', {
    prepare: async (p) => {
      control = await interceptSocket(p);
    },
  });
  await e2e.send('iris', 'awake');
  await expectBadge(page, '1');
  // The connection stays "open" but nothing passes either way, as after a laptop sleeps on Wi-Fi.
  for (const socket of control.sockets) socket.muted = true;
  await e2e.send('iris', 'while asleep');
  await page.waitForTimeout(200);
  // Nothing has noticed yet: still the first socket. (The badge may already say 2: the store re-reads the server's
  // count shortly after a push, and the server's count is authoritative.)
  expect(control.sockets.length).toBe(1);
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
  // No PONG within the check's deadline: the socket is replaced and the gap refetched.
  await eventually(async () => control.sockets.length, (count) => count === 2, 9000);
  await openPanel(page);
  const shown = await eventually(() => rows(page), (list) => list.length === 2, 5000);
  expect(shown.map((row) => row.message)).toEqual(['while asleep', 'awake']);
  await expectBadge(page, '2');
}, 20_000);
