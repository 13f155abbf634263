/**
 * Phones: below 480 px the open panel is a sheet pinned inside the viewport, on the demo page and in a host
 * page whose bell sits at the right edge, and every touch target is at least 44 px, the settings view's too.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { Page } from 'playwright-core';
import { bell, openPanel, startE2E, type E2E } from './harness.ts';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
  await e2e.sendEvents('phil', { message: 'An older one that is long enough to wrap over a few lines on a narrow phone screen', category: 'digest' });
  await e2e.send('phil', 'The newest one');
});
afterAll(async () => {
  await e2e?.close();
});

const widths = [320, 375, 414];

/** A host page of belfry's origin (so no CORS is involved) with the bell flush against the right edge. */
async function hostPage(width: number): Promise<Page> {
  const context = await e2e.browser.newContext({ viewport: { width, height: 700 } });
  const page = await context.newPage();
  const token = await e2e.belfry.tokenFor('phil');
  await page.route(`${e2e.belfry.url}/host.html`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><meta name="viewport" content="width=device-width, initial-scale=1">
        <body style="margin:0"><header style="display:flex;justify-content:flex-end;align-items:center;height:48px">
        <belfry-bell token="${token}"></belfry-bell></header>
        <script type="module" src="/belfry-bell.js"></script></body>`,
    }),
  );
  await page.goto(`${e2e.belfry.url}/host.html`);
  await bell(page).waitFor();
  return page;
}

/** Boxes of the panel and of every touch target inside the shadow root (one row menu opened). */
function measure(page: Page) {
  return page.locator('belfry-bell').evaluate((host) => {
    const root = host.shadowRoot!;
    const box = (element: Element) => {
      const { x, y, width, height } = element.getBoundingClientRect();
      return { x, y, width, height };
    };
    const targets: Array<{ name: string; width: number; height: number }> = [];
    for (const selector of ['.bell', '.tab', '.item-main', '.mark', '.menu-button', '.menu-item', '.close-panel', '.panel-head .link', '.settings-toggle', '.back', '.check']) {
      for (const element of root.querySelectorAll(selector)) targets.push({ name: selector, ...box(element) });
    }
    return { panel: box(root.querySelector('.panel')!), targets, viewport: { width: innerWidth, height: innerHeight } };
  });
}

/** The panel inside the viewport and every touch target at least 44 px; `expected` must be among them. */
async function checkBoxes(page: Page, expected: string[]) {
  const { panel, targets, viewport } = await measure(page);
  expect(panel.x).toBeGreaterThanOrEqual(0);
  expect(panel.y).toBeGreaterThanOrEqual(0);
  expect(panel.x + panel.width).toBeLessThanOrEqual(viewport.width);
  expect(panel.y + panel.height).toBeLessThanOrEqual(viewport.height);
  const names = new Set(targets.map((target) => target.name));
  for (const name of expected) expect(names).toContain(name);
  for (const target of targets) {
    if (target.width < 44 || target.height < 44) throw new Error(`${target.name} is ${target.width}×${target.height} px`);
  }
}

/** The settings view open on a phone: inside the sheet, 44 px switches, and back to the list. */
async function checkSettings(page: Page) {
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('checkbox', { name: 'Digest' }).waitFor();
  await checkBoxes(page, ['.settings-toggle', '.back', '.check', '.close-panel']);
  await page.getByRole('button', { name: /Back to notifications/ }).click();
  await page.getByText('The newest one').waitFor();
}

async function check(page: Page) {
  await openPanel(page);
  await page.getByText('The newest one').waitFor();
  await page.getByRole('button', { name: 'More actions' }).first().click();
  await page.getByRole('menuitem', { name: 'Archive' }).waitFor();
  await checkBoxes(page, ['.bell', '.tab', '.item-main', '.mark', '.menu-button', '.menu-item', '.close-panel', '.settings-toggle']);
}

for (const width of widths) {
  test(`${width} px, demo page: the panel stays inside the viewport and targets are 44 px`, async () => {
    const page = await e2e.openAs('phil', { prepare: (p) => p.setViewportSize({ width, height: 700 }) });
    await check(page);
    await checkSettings(page);
  }, 20_000);

  test(`${width} px, host page with the bell at the right edge: the same`, async () => {
    const page = await hostPage(width);
    try {
      await check(page);
      await checkSettings(page);
      // The close button in the sheet's header closes it and hands focus back to the bell.
      await page.getByRole('button', { name: 'Close', exact: true }).click();
      expect(await page.getByTestId('panel').count()).toBe(0);
    } finally {
      await page.context().close();
    }
  }, 20_000);
}

test('wider than a phone, the panel still hangs from the bell as before', async () => {
  const page = await e2e.openAs('phil');
  await openPanel(page);
  const { panel, viewport } = await measure(page);
  const bellBox = await bell(page).boundingBox();
  expect(Math.round(panel.x + panel.width)).toBe(Math.round(bellBox!.x + bellBox!.width));
  expect(panel.x + panel.width).toBeLessThanOrEqual(viewport.width);
  expect(await page.locator('belfry-bell').evaluate((host) => getComputedStyle(host.shadowRoot!.querySelector('.close-panel')!).display)).toBe('none');
}, 20_000);
