/**
 * Shared setup for the browser tests: a real belfry (tests/helpers/belfry.ts) serving the built panel,
 * a headless Chromium, and helpers that reach into `<belfry-bell>`'s open shadow root.
 */
import { expect } from 'bun:test';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';

const root = resolve(import.meta.dir, '..', '..');

/** Builds web/dist once if a test run starts without it (`bun run test` builds first anyway). */
function ensureBuilt() {
  if (existsSync(resolve(root, 'web', 'dist', 'index.html'))) return;
  const build = Bun.spawnSync(['bun', 'run', 'build:web'], { cwd: root, stdout: 'ignore', stderr: 'inherit' });
  if (build.exitCode !== 0) throw new Error('bun run build:web failed');
}

/** Launches the system Chromium with the flags this environment needs. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}

/** A belfry plus a browser, started together and stopped together. */
export interface E2E {
  belfry: Belfry;
  browser: Browser;
  /** Opens the demo page as `userId` (token in the fragment) and waits for the bell. */
  openAs(
    userId: string,
    options?: { colorScheme?: 'light' | 'dark'; prepare?: (page: Page) => Promise<void> },
  ): Promise<Page>;
  /** Content-Security-Policy violations any page reported (the server's CSP allows no inline code). */
  cspViolations: string[];
  /** Ingests one notification per message for `userId`; returns the ids. */
  send(userId: string, ...messages: string[]): Promise<string[]>;
  /** Ingests whole events (title, url, actor, actions, category, data…) for `userId`, in order; returns the ids. */
  sendEvents(userId: string, ...events: Array<Record<string, unknown>>): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Starts belfry and Chromium for one test file. In demo mode unless told otherwise: `/` is the demo page only there,
 * and the tests open it with a token in the fragment (its "your token" mode), as a person trying belfry would.
 */
export async function startE2E(options: Parameters<typeof startBelfry>[0] = {}): Promise<E2E> {
  ensureBuilt();
  const [belfry, browser] = await Promise.all([startBelfry({ demo: true, ...options }), launchBrowser()]);
  const pages: Page[] = [];
  const cspViolations: string[] = [];
  return {
    belfry,
    browser,
    cspViolations,
    async openAs(userId, { colorScheme = 'light', prepare } = {}) {
      const context = await browser.newContext({ colorScheme, viewport: { width: 900, height: 720 } });
      const page = await context.newPage();
      pages.push(page);
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
      });
      page.on('dialog', (dialog) => {
        throw new Error(`unexpected dialog: ${dialog.message()}`);
      });
      await prepare?.(page);
      await page.goto(`${belfry.url}/#token=${await belfry.tokenFor(userId)}`);
      await bell(page).waitFor();
      return page;
    },
    async send(userId, ...messages) {
      const response = await belfry.ingest({ events: messages.map((message) => ({ user_id: userId, type: 'comment', message })) });
      if (response.status !== 201) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
      return ((await response.json()) as { ids: string[] }).ids;
    },
    async sendEvents(userId, ...events) {
      const response = await belfry.ingest({ events: events.map((event) => ({ user_id: userId, type: 'comment', ...event })) });
      if (response.status !== 201) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
      return ((await response.json()) as { ids: string[] }).ids;
    },
    async close() {
      await Promise.allSettled(pages.map((page) => page.context().close()));
      await browser.close();
      await belfry.stop();
    },
  };
}

/** The bell button (inside the shadow root; Playwright's role locators pierce open shadow roots). */
export const bell = (page: Page): Locator => page.getByRole('button', { name: /^Notifications/ });

/** The badge text, or null when the badge is hidden. */
export async function badge(page: Page): Promise<string | null> {
  // One read that never waits: a badge that disappears between a count and a textContent would stall 30 s.
  return page.getByTestId('badge').evaluateAll((badges) => badges[0]?.textContent ?? null);
}

/** Waits until the badge shows `text` (null: hidden). */
export async function expectBadge(page: Page, text: string | null, timeout = 5000): Promise<void> {
  const deadline = Date.now() + timeout;
  let last: string | null = null;
  while (Date.now() < deadline) {
    last = await badge(page);
    if (last === text) return;
    await page.waitForTimeout(25);
  }
  throw new Error(`badge is ${JSON.stringify(last)}, expected ${JSON.stringify(text)}`);
}

/** Opens the panel if it is closed and waits for it. */
export async function openPanel(page: Page): Promise<Locator> {
  if ((await bell(page).getAttribute('aria-expanded')) !== 'true') await bell(page).click();
  const panel = page.getByTestId('panel');
  await panel.waitFor();
  return panel;
}

/** The rows shown, top to bottom: id, message and whether each is unread. */
export async function rows(page: Page): Promise<Array<{ id: string; message: string; unread: boolean }>> {
  return page.getByTestId('notification').evaluateAll((items) =>
    items.map((item) => ({
      id: item.getAttribute('data-id') ?? '',
      message: item.querySelector('.item-message')?.textContent ?? '',
      unread: item.classList.contains('unread'),
    })),
  );
}

/** Polls `read` until `check` accepts its value (or fails with the last value seen). */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeout = 5000): Promise<T> {
  const deadline = Date.now() + timeout;
  let value = await read();
  while (!check(value)) {
    if (Date.now() > deadline) throw new Error(`condition not met; last value: ${JSON.stringify(value)}`);
    await Bun.sleep(25);
    value = await read();
  }
  return value;
}

/** The server's unread count for `userId`, straight from its database. */
export async function dbUnread(belfry: Belfry, userId: string): Promise<number> {
  const [row] = await belfry.sql<[{ count: number }]>`
    select count(*)::int as count
    from notifications
    where user_id = ${userId}
      and read_at is null
  `;
  return row.count;
}

/**
 * Ingests `count` (at most 1000) single events for `userId`, one after another, retrying while the server is away;
 * gives up with an error once `timeoutMs` has passed, so a server that never comes back fails the test, not hangs it.
 */
export async function trickle(e2e: E2E, userId: string, count: number, label: string, { timeoutMs = 30_000 } = {}): Promise<string[]> {
  if (count > 1000) throw new Error('trickle sends at most 1000 events');
  const deadline = Date.now() + timeoutMs;
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    for (;;) {
      try {
        ids.push(...(await e2e.send(userId, `${label} ${i}`)));
        break;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`trickle: ${ids.length} of ${count} sent within ${timeoutMs} ms`, { cause: error });
        await Bun.sleep(20); // backoff while the server is away
      }
    }
    await Bun.sleep(10); // spread over time: the point is a trickle across a reconnect, not a burst
  }
  return ids;
}

/** Every id exactly once, newest first (ids grow with time here). */
export function expectExactly(shown: Array<{ id: string }>, ids: string[]): void {
  expect(shown.map((row) => row.id)).toEqual([...ids].sort((a, b) => Number(b) - Number(a)));
}
