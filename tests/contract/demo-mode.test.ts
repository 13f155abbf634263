/**
 * Contract: the demo page and its token endpoint exist in demo mode only; elsewhere `/` says what the server is
 * and hands out nothing.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';

let demo: Belfry;
let product: Belfry;

beforeAll(async () => {
  [demo, product] = await Promise.all([startBelfry({ bus: 'local', demo: true }), startBelfry({ bus: 'local', demo: false })]);
});
afterAll(async () => {
  await Promise.all([demo.stop(), product.stop()]);
});

test('demo mode: / is the demo page and /api/demo/session hands out a token', async () => {
  const page = await fetch(`${demo.url}/`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('demo');
  expect((await fetch(`${demo.url}/api/demo/session`)).status).toBe(200);
});

test('outside demo mode: / and /index.html are a plain page, the demo routes are 404, the bell script is served', async () => {
  for (const path of ['/', '/index.html']) {
    const page = await fetch(`${product.url}${path}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('belfry is running');
    expect(html).not.toContain('<script');
  }
  expect((await fetch(`${product.url}/api/demo/session`)).status).toBe(404);
  expect((await fetch(`${product.url}/belfry-bell.js`)).status).toBe(200);
});
