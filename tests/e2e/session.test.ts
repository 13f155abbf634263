/**
 * The socket's session in a real browser against a real belfry: in-band token refresh with short-lived
 * tokens from a `getToken` callback, a fixed token running out, a server restart, and an erasure.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { Page } from 'playwright-core';
import type { BelfryBellElement } from '../../web/src/element.ts';
import { bell, dbUnread, eventually, expectBadge, expectExactly, openPanel, rows, startE2E, trickle, type E2E } from './harness.ts';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(async () => {
  await e2e?.close();
}, 20_000);

/** What the page's WebSockets did, as the browser saw it. */
interface Traffic {
  /** Every WebSocket the page opened (or tried to). */
  sockets: number;
  /** Server frames by type, over all sockets. */
  received: Record<string, number>;
  /** Client frames by type. */
  sent: Record<string, number>;
  /** Tokens the page's getToken callback handed out. */
  minted: number;
}

const typeOf = (payload: string | Buffer) => {
  try {
    return String((JSON.parse(String(payload)) as { type?: unknown }).type);
  } catch {
    return '?';
  }
};

/** Records the page's WebSocket traffic; must run before the page connects. */
function watchTraffic(page: Page): Traffic {
  const traffic: Traffic = { sockets: 0, received: {}, sent: {}, minted: 0 };
  const count = (into: Record<string, number>, payload: string | Buffer) => {
    const type = typeOf(payload);
    into[type] = (into[type] ?? 0) + 1;
  };
  page.on('websocket', (ws) => {
    traffic.sockets += 1;
    ws.on('framereceived', (frame) => count(traffic.received, frame.payload));
    ws.on('framesent', (frame) => count(traffic.sent, frame.payload));
  });
  return traffic;
}

/**
 * Opens the page (demo mode is off, so the page leaves the bell to us) and gives the bell a `getToken`
 * that mints a fresh token living `lifetimeSeconds`, as a host backend would.
 */
async function openWithGetToken(userId: string, lifetimeSeconds: number): Promise<{ page: Page; traffic: Traffic }> {
  const context = await e2e.browser.newContext({ viewport: { width: 900, height: 720 } });
  const page = await context.newPage();
  const traffic = watchTraffic(page);
  await page.exposeFunction('mintBelfryToken', async () => {
    traffic.minted += 1;
    return e2e.belfry.tokenFor(userId, { expiresInSeconds: lifetimeSeconds });
  });
  // A host page whose bell gets its tokens from getToken only: the demo page, with the demo session refused.
  await page.route('**/api/demo/session', (route) =>
    route.fulfill({ status: 404, contentType: 'application/json', body: JSON.stringify({ error: { code: 'not_found', message: 'Not found' } }) }),
  );
  await page.goto(`${e2e.belfry.url}/`);
  await page.locator('#no-demo').waitFor();
  await page.evaluate(() => {
    const element = document.getElementById('bell') as BelfryBellElement;
    const mint = (window as unknown as { mintBelfryToken: () => Promise<string> }).mintBelfryToken;
    element.getToken = () => mint();
  });
  await bell(page).waitFor();
  return { page, traffic };
}


test('3-second tokens from getToken are refreshed in-band: one socket for 7 s, live all along, never closed 4001', async () => {
  const { page, traffic } = await openWithGetToken('sam', 3);
  await eventually(async () => traffic.received.READY ?? 0, (ready) => ready === 1, 10_000);
  await openPanel(page);
  const connectedAt = Date.now();

  // One notification a second for more than two token lifetimes; each must arrive live.
  const ids: string[] = [];
  while (Date.now() - connectedAt < 7_000) {
    ids.push(...(await e2e.send('sam', `tick ${ids.length + 1}`)));
    await expectBadge(page, String(ids.length), 5_000);
    await Bun.sleep(800);
  }
  expect(ids.length).toBeGreaterThanOrEqual(6);
  expectExactly(await rows(page), ids);

  // The browser: the one socket it opened is still the only one, and it was refreshed in-band, repeatedly.
  expect(traffic.sockets).toBe(1);
  expect(traffic.sent.AUTH ?? 0).toBeGreaterThanOrEqual(3);
  expect(traffic.received.AUTHED).toBe(traffic.sent.AUTH!);
  expect(traffic.received.ERROR ?? 0).toBe(0);
  expect(await page.getByTestId('reconnecting').count()).toBe(0);
  // The server: still exactly one socket for this page; a token it did not see refreshed would have been
  // closed with 4001 by now (its expiry sweep runs every second), which would have opened a second socket.
  expect(e2e.belfry.process.gateway.connections()).toBe(1);
  expect(await dbUnread(e2e.belfry, 'sam')).toBe(ids.length);
  await page.context().close();
}, 45_000);

test('server restart (RECONNECT after_ms 0, then 1012): the bell reconnects and catches up, nothing missed or doubled', async () => {
  const { page, traffic } = await openWithGetToken('rita', 60);
  const before = await e2e.send('rita', 'pre 1', 'pre 2');
  await expectBadge(page, '2', 10_000);
  await openPanel(page);

  const during = trickle(e2e, 'rita', 20, 'across restart');
  await Bun.sleep(60);
  await e2e.belfry.restart();
  const all = [...before, ...(await during)];

  const shown = await eventually(() => rows(page), (list) => list.length === all.length, 15_000);
  expectExactly(shown, all);
  await expectBadge(page, String(all.length), 10_000);
  expect(traffic.received.RECONNECT).toBe(1);
  expect(traffic.sockets).toBeGreaterThanOrEqual(2);

  const [after] = await e2e.send('rita', 'after restart');
  await eventually(() => rows(page), (list) => list[0]?.id === after, 10_000);
  await expectBadge(page, String(all.length + 1), 10_000);
  await page.getByTestId('reconnecting').waitFor({ state: 'detached', timeout: 10_000 });
  await page.context().close();
}, 60_000);

test('a fixed token that runs out: a quiet "Session expired", no retries; a new token brings the bell back', async () => {
  const context = await e2e.browser.newContext({ viewport: { width: 900, height: 720 } });
  const page = await context.newPage();
  const traffic = watchTraffic(page);
  await page.goto(`${e2e.belfry.url}/#token=${await e2e.belfry.tokenFor('tess', { expiresInSeconds: 3 })}`);
  await bell(page).waitFor();
  await openPanel(page);

  // The server closes the socket with 4001 once the token's second has passed.
  await page.getByTestId('expired').waitFor({ timeout: 10_000 });
  expect(await page.getByTestId('expired').getAttribute('role')).toBe('status');
  expect(await page.getByRole('alert').count()).toBe(0);
  expect(await bell(page).getAttribute('title')).toBe('Session expired');
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await Bun.sleep(2_000);
  expect(traffic.sockets).toBe(1);

  // The host hands over a fresh token for the same user: the socket starts again, and the panel is live.
  const fresh = await e2e.belfry.tokenFor('tess', { expiresInSeconds: 600 });
  await page.evaluate((token) => {
    (document.getElementById('bell') as BelfryBellElement).token = token;
  }, fresh);
  await page.getByTestId('expired').waitFor({ state: 'detached', timeout: 10_000 });
  await eventually(async () => traffic.sockets, (sockets) => sockets === 2, 10_000);
  const [id] = await e2e.send('tess', 'back again');
  await eventually(() => rows(page), (list) => list[0]?.id === id, 10_000);
  await expectBadge(page, '1', 10_000);
  await context.close();
}, 45_000);

test("erasing the user's notifications (personal-data request) empties the open panel and the badge", async () => {
  const { page } = await openWithGetToken('uma', 60);
  await e2e.send('uma', 'one', 'two', 'three');
  await expectBadge(page, '3', 10_000);
  await openPanel(page);
  await eventually(() => rows(page), (list) => list.length === 3, 10_000);

  const response = await fetch(`${e2e.belfry.url}/api/users/uma/notifications`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${e2e.belfry.adminKey}` },
  });
  expect(await response.json()).toEqual({ deleted: 3 });
  await expectBadge(page, null, 10_000);
  await page.getByText("You're all caught up").waitFor({ timeout: 10_000 });
  expect(await rows(page)).toEqual([]);

  const [id] = await e2e.send('uma', 'after erasure');
  await eventually(() => rows(page), (list) => list.length === 1 && list[0]?.id === id, 10_000);
  await expectBadge(page, '1', 10_000);
  await page.context().close();
}, 45_000);
