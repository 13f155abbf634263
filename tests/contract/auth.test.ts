/**
 * Contract: every kind of bad token is rejected, on REST with a JSON 401 and on /ws with HTTP 401 and no socket.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { checkResponsesAgainstOpenApi, documentedFetch } from '../helpers/openapi-recorder.ts';
import { call, errorOf } from '../helpers/http.ts';

checkResponsesAgainstOpenApi();

let belfry: Belfry;
beforeAll(async () => void (belfry = await startBelfry()));
afterAll(() => belfry.stop());

const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const sign = (secret: string, claims: Record<string, unknown>, alg = 'HS256') =>
  new SignJWT(claims).setProtectedHeader({ alg }).sign(new TextEncoder().encode(secret));

const badTokens: Record<string, () => Promise<string>> = {
  'alg none': async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'alice', exp: now() + 600 })}.`,
  'HS384 with the right secret': () => sign(belfry.jwtSecret, { sub: 'alice', exp: now() + 600 }, 'HS384'),
  'RS256': async () => {
    const { privateKey } = await generateKeyPair('RS256');
    return new SignJWT({ sub: 'alice', exp: now() + 600 }).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
  },
  'RS256 public key confusion': async () => {
    const { publicKey } = await generateKeyPair('RS256');
    return sign(JSON.stringify(await exportJWK(publicKey)), { sub: 'alice', exp: now() + 600 });
  },
  'wrong key': () => sign(`${belfry.jwtSecret}-other`, { sub: 'alice', exp: now() + 600 }),
  'tampered payload': async () => {
    const [header, , signature] = (await belfry.tokenFor('alice')).split('.');
    return `${header}.${b64({ sub: 'bob', exp: now() + 600 })}.${signature}`;
  },
  'tampered signature': async () => {
    const token = await belfry.tokenFor('alice');
    return `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
  },
  expired: () => sign(belfry.jwtSecret, { sub: 'alice', exp: now() - 5 }),
  'without exp': () => sign(belfry.jwtSecret, { sub: 'alice' }),
  'without sub': () => sign(belfry.jwtSecret, { exp: now() + 600 }),
  'sub not a string': () => sign(belfry.jwtSecret, { sub: 42, exp: now() + 600 }),
  'sub with control characters': () => sign(belfry.jwtSecret, { sub: 'ali\u0000ce', exp: now() + 600 }),
  'not yet valid (nbf)': () => sign(belfry.jwtSecret, { sub: 'alice', exp: now() + 600, nbf: now() + 300 }),
  garbage: async () => 'not.a.jwt',
  empty: async () => '',
  huge: async () => 'a'.repeat(10_000),
};

describe('REST rejects', () => {
  for (const [kind, make] of Object.entries(badTokens)) {
    test(kind, async () => {
      const response = await call(belfry.url, '/api/notifications', { token: await make() });
      expect(response.status).toBe(401);
      expect((await errorOf(response)).code).toBe('unauthorized');
    });
  }
  test('no Authorization header', async () => {
    const response = await call(belfry.url, '/api/notifications/unread-count');
    expect(response.status).toBe(401);
    expect((await errorOf(response)).code).toBe('unauthorized');
  });
  test('another scheme', async () => {
    const token = await belfry.tokenFor('alice');
    const response = await call(belfry.url, '/api/notifications', { headers: { authorization: `Basic ${token}` } });
    expect(response.status).toBe(401);
  });
  test('the ingest key is not a user token', async () => {
    const response = await call(belfry.url, '/api/notifications', { token: belfry.ingestKey });
    expect(response.status).toBe(401);
  });
});

describe('WebSocket upgrade rejects with HTTP 401', () => {
  for (const [kind, make] of Object.entries(badTokens)) {
    test(kind, async () => {
      const token = await make();
      const response = await documentedFetch(`${belfry.url}/ws?token=${encodeURIComponent(token)}`, {
        headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
      });
      expect(response.status).toBe(401);
      expect((await errorOf(response)).code).toBe('unauthorized');
    });
  }
  test('no token: the socket never opens', async () => {
    const ws = new WebSocket(`${belfry.wsUrl}`);
    const outcome = await new Promise<string>((resolve) => {
      ws.addEventListener('open', () => resolve('open'));
      ws.addEventListener('error', () => resolve('error'));
    });
    expect(outcome).toBe('error');
  });
});

describe('a valid token', () => {
  test('is accepted on REST', async () => {
    const response = await call(belfry.url, '/api/notifications', { token: await belfry.tokenFor('alice') });
    expect(response.status).toBe(200);
  });
  test('is accepted from the belfry_token cookie on /ws from the same origin', async () => {
    const token = await belfry.tokenFor('alice');
    const ws = new WebSocket(belfry.wsUrl, { headers: { cookie: `other=1; belfry_token=${token}`, origin: belfry.url } } as unknown as string[]);
    const first = await new Promise<string>((resolve, reject) => {
      ws.addEventListener('message', (event) => resolve(String(event.data)));
      ws.addEventListener('error', () => reject(new Error('socket failed')));
    });
    expect(JSON.parse(first)).toEqual({ type: 'READY', payload: { user_id: 'alice' } });
    ws.close();
  });
});

describe('cookie tokens and Origin (cross-site WebSocket hijacking)', () => {
  const upgradeWithCookie = async (origin?: string) =>
    documentedFetch(`${belfry.url}/ws`, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        cookie: `belfry_token=${await belfry.tokenFor('alice')}`,
        ...(origin ? { origin } : {}),
      },
    });
  test('another site → 403 forbidden_origin', async () => {
    const response = await upgradeWithCookie('https://evil.example');
    expect(response.status).toBe(403);
    expect((await errorOf(response)).code).toBe('forbidden_origin');
  });
  test('no Origin → 403', async () => {
    expect((await upgradeWithCookie()).status).toBe(403);
  });
  test('an allow-listed origin is accepted', async () => {
    const other = await startBelfry({ env: { ALLOWED_ORIGINS: 'https://app.example' } });
    try {
      const token = await other.tokenFor('alice');
      const ws = new WebSocket(other.wsUrl, { headers: { cookie: `belfry_token=${token}`, origin: 'https://app.example' } } as unknown as string[]);
      const opened = await new Promise<boolean>((resolve) => {
        ws.addEventListener('open', () => resolve(true));
        ws.addEventListener('error', () => resolve(false));
      });
      expect(opened).toBe(true);
      ws.close();
    } finally {
      await other.stop();
    }
  });
});

describe('ingest key', () => {
  test('missing → 401', async () => {
    const response = await call(belfry.url, '/api/events', { body: { user_id: 'a', type: 't', message: 'm' } });
    expect(response.status).toBe(401);
    expect((await errorOf(response)).code).toBe('unauthorized');
  });
  test('wrong → 401', async () => {
    const response = await call(belfry.url, '/api/events', { token: `${belfry.ingestKey}x`, body: { user_id: 'a', type: 't', message: 'm' } });
    expect(response.status).toBe(401);
  });
  test('a user JWT is not the ingest key → 401', async () => {
    const response = await call(belfry.url, '/api/events', { token: await belfry.tokenFor('a'), body: { user_id: 'a', type: 't', message: 'm' } });
    expect(response.status).toBe(401);
  });
});
