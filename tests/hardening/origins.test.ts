/**
 * Origins: a cookie may open a socket only from the server's own origin (scheme, host and port as the request
 * reached it) or one in ALLOWED_ORIGINS, however the configured entry was written; the panel's CSP lets pages
 * connect to the server itself and the configured origins only.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { errorOf } from '../helpers/http.ts';

let belfry: Belfry;
beforeAll(async () => void (belfry = await startBelfry({ env: { ALLOWED_ORIGINS: 'https://app.example/', CORS_ORIGINS: 'https://embed.example' } })));
afterAll(() => belfry.stop());

/** Opens a socket with the cookie and an Origin; resolves with whether it opened (or the refusal's status). */
async function cookieUpgrade(origin: string): Promise<number> {
  const response = await fetch(`${belfry.url}/ws`, {
    headers: {
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      cookie: `belfry_token=${await belfry.tokenFor('origin-user')}`,
      origin,
    },
  });
  if (response.status !== 101) expect((await errorOf(response)).code).toBe('forbidden_origin');
  return response.status;
}

/** Same, through a real WebSocket client: true when the socket opened. */
async function opens(origin: string): Promise<boolean> {
  const token = await belfry.tokenFor('origin-user');
  const ws = new WebSocket(belfry.wsUrl, { headers: { cookie: `belfry_token=${token}`, origin } } as unknown as string[]);
  const opened = await new Promise<boolean>((resolve) => {
    ws.addEventListener('open', () => resolve(true));
    ws.addEventListener('error', () => resolve(false));
    ws.addEventListener('close', () => resolve(false));
  });
  ws.close();
  return opened;
}

describe('the cookie Origin check compares scheme, host and port', () => {
  test('the server’s own origin, as the request reached it, opens', async () => {
    expect(await opens(belfry.url)).toBe(true);
  });

  test('the same host over https, or on another port, is another origin', async () => {
    expect(await cookieUpgrade(`https://127.0.0.1:${belfry.port}`)).toBe(403);
    expect(await cookieUpgrade(`http://127.0.0.1:${belfry.port + 1}`)).toBe(403);
    expect(await cookieUpgrade('http://127.0.0.1')).toBe(403);
    expect(await cookieUpgrade(`ws://127.0.0.1:${belfry.port}`)).toBe(403);
  });

  test('an ALLOWED_ORIGINS entry written with a trailing slash matches what browsers send', async () => {
    expect(await opens('https://app.example')).toBe(true);
    expect(await opens('https://APP.example:443')).toBe(true);
    expect(await cookieUpgrade('http://app.example')).toBe(403);
    expect(await cookieUpgrade('https://app.example:8443')).toBe(403);
  });

  test('a forwarded scheme is not trusted', async () => {
    const response = await fetch(`${belfry.url}/ws`, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        cookie: `belfry_token=${await belfry.tokenFor('origin-user')}`,
        origin: `https://127.0.0.1:${belfry.port}`,
        'x-forwarded-proto': 'https',
      },
    });
    expect(response.status).toBe(403);
  });
});

test('the panel CSP connect-src names the server and the configured origins, not every ws:/wss: host', async () => {
  const response = await fetch(`${belfry.url}/`);
  const csp = response.headers.get('content-security-policy') ?? '';
  const connect = csp.split(';').map((directive) => directive.trim()).find((directive) => directive.startsWith('connect-src'))!;
  const sources = connect.split(/\s+/).slice(1);
  expect(sources).toEqual(["'self'", `ws://127.0.0.1:${belfry.port}`, `wss://127.0.0.1:${belfry.port}`, 'https://embed.example', 'https://app.example']);
  expect(sources).not.toContain('ws:');
  expect(sources).not.toContain('wss:');
});
