import { afterAll, beforeAll, expect, test } from 'bun:test';
import { resolve } from 'node:path';
import { bell, expectBadge, openPanel, rows, startE2E, type E2E } from './harness.ts';

let demo: E2E;
let plain: E2E;
beforeAll(async () => {
  [demo, plain] = await Promise.all([startE2E({ demo: true }), startE2E({ demo: false })]);
});
afterAll(async () => {
  await Promise.allSettled([demo?.close(), plain?.close()]);
});

test('demo mode: `/` signs in the demo user, and the form sends a notification to the bell', async () => {
  const page = await demo.browser.newPage({ viewport: { width: 1100, height: 760 }, colorScheme: 'light' });
  try {
    await page.goto(demo.belfry.url);
    await page.locator('#demo').waitFor();
    expect(await page.locator('#user-id').textContent()).toBe('demo');
    await bell(page).waitFor();
    await page.fill('textarea[name="message"]', 'Hello from the demo form');
    await page.getByRole('button', { name: 'Send test notification' }).click();
    await page.getByText(/Sent \(id \d+\)/).waitFor();
    await expectBadge(page, '1');
    await openPanel(page);
    expect((await rows(page)).map((row) => row.message)).toEqual(['Hello from the demo form']);
    expect(await page.locator('#snippet').textContent()).toContain(`${demo.belfry.url}/belfry-bell.js`);
    if (process.env.BELFRY_SCREENSHOTS === '1') {
      await page.screenshot({ path: resolve(import.meta.dir, '..', '..', 'docs', 'screenshots', 'demo-page.png') });
    }
  } finally {
    await page.close();
  }
}, 20_000);

test('without demo mode, `/` is a short note on embedding the bell, not the demo page', async () => {
  const page = await plain.browser.newPage();
  try {
    await page.goto(plain.belfry.url);
    expect(await page.locator('body').textContent()).toContain('belfry is running');
    expect(await page.locator('code').first().textContent()).toContain('/belfry-bell.js');
    expect(await page.locator('belfry-bell').count()).toBe(0);
  } finally {
    await page.close();
  }
}, 20_000);

test('a list that fails to load shows an error with a retry that recovers', async () => {
  await demo.send('olga', 'eventually visible');
  const page = await demo.openAs('olga', {
    prepare: async (p) => {
      await p.route(/\/api\/notifications\?/, (route) =>
        route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":{"code":"unavailable","message":"down"}}' }),
      );
    },
  });
  await openPanel(page);
  await page.getByText("Couldn't load notifications").waitFor();
  await page.unroute(/\/api\/notifications\?/);
  await page.getByRole('button', { name: 'Try again' }).click();
  await page.getByText('eventually visible').waitFor();
  expect(await page.getByText("Couldn't load notifications").count()).toBe(0);
}, 20_000);
