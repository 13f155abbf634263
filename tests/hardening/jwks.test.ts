/**
 * JWT_JWKS_URL: RS256/ES256 tokens from an identity provider's JWKS are accepted only when issued by that provider
 * (JWT_ISSUER) for belfry (JWT_AUDIENCE); the allowlist holds (no HS256 signed with a public key, no RS384, no
 * unknown key); HS256 with the shared secret works and is held to the audience too; and JWT_MAX_TTL caps lifetimes.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWTPayload } from 'jose';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { call } from '../helpers/http.ts';
import { connect } from '../helpers/ws-client.ts';

const issuer = 'https://idp.example/';
const audience = 'belfry-test';
let belfry: Belfry;
let jwks: ReturnType<typeof Bun.serve>;
let rsa: { privateKey: CryptoKey; publicKey: CryptoKey };
let ec: { privateKey: CryptoKey; publicKey: CryptoKey };

beforeAll(async () => {
  rsa = await generateKeyPair('RS256');
  ec = await generateKeyPair('ES256');
  const keys = [
    { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
  ];
  jwks = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => Response.json({ keys }) });
  belfry = await startBelfry({
    env: { JWT_JWKS_URL: `http://127.0.0.1:${jwks.port}/.well-known/jwks.json`, JWT_ISSUER: issuer, JWT_AUDIENCE: audience, JWT_MAX_TTL: '1h' },
  });
});
afterAll(async () => {
  await belfry.stop();
  jwks.stop(true);
});

const now = () => Math.floor(Date.now() / 1000);
const status = async (token: string) => (await call(belfry.url, '/api/notifications/unread-count', { token })).status;
const fromIdp = (claims: JWTPayload, alg: 'RS256' | 'ES256' = 'RS256') =>
  new SignJWT({ sub: 'idp-user', iss: issuer, aud: audience, iat: now(), exp: now() + 600, ...claims })
    .setProtectedHeader({ alg, kid: alg === 'RS256' ? 'rsa-1' : 'ec-1' })
    .sign(alg === 'RS256' ? rsa.privateKey : ec.privateKey);
const withSecret = (claims: JWTPayload) =>
  new SignJWT({ sub: 'local-user', iat: now(), exp: now() + 600, ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(belfry.jwtSecret));

test('RS256 and ES256 tokens the identity provider issued for belfry are accepted', async () => {
  expect(await status(await fromIdp({}, 'RS256'))).toBe(200);
  expect(await status(await fromIdp({}, 'ES256'))).toBe(200);
  expect(await status(await fromIdp({ aud: ['another-app', audience] }))).toBe(200);
});

test('a token the identity provider issued for another app, by another issuer, or without iss/aud gets 401', async () => {
  const tokens = [
    await fromIdp({ aud: 'another-app' }),
    await fromIdp({ iss: 'https://evil.example/' }),
    await fromIdp({ aud: undefined }),
    await fromIdp({ iss: undefined }),
  ];
  for (const token of tokens) expect(await status(token)).toBe(401);
});

test('the same checks hold on the WebSocket upgrade', async () => {
  const good = await connect(belfry.wsUrl, await fromIdp({}));
  good.close();
  const upgrade = await fetch(`${belfry.url}/ws?token=${await fromIdp({ aud: 'another-app' })}`, {
    headers: { upgrade: 'websocket', connection: 'upgrade', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
  });
  expect(upgrade.status).toBe(401);
});

test('HS256 with the shared secret works, and is held to JWT_AUDIENCE when it is set', async () => {
  expect(await status(await belfry.tokenFor('local-user'))).toBe(200);
  expect(await status(await withSecret({ aud: audience }))).toBe(200);
  expect(await status(await withSecret({}))).toBe(401);
  expect(await status(await withSecret({ aud: 'another-app' }))).toBe(401);
});

test('JWT_MAX_TTL: a token whose exp − iat is longer is rejected, from either source', async () => {
  expect(await status(await fromIdp({ exp: now() + 3600 }))).toBe(200);
  expect(await status(await fromIdp({ exp: now() + 3601 }))).toBe(401);
  expect(await status(await withSecret({ aud: audience, exp: now() + 7200 }))).toBe(401);
  // Minted long ago and still valid for a while: judged by exp − iat, not by what is left.
  expect(await status(await withSecret({ aud: audience, iat: now() - 86_400, exp: now() + 60 }))).toBe(401);
  // Without iat, the remaining lifetime counts.
  expect(await status(await withSecret({ aud: audience, iat: undefined, exp: now() + 7200 }))).toBe(401);
  expect(await status(await withSecret({ aud: audience, iat: undefined, exp: now() + 600 }))).toBe(200);
});

test('a key the JWKS does not publish, an algorithm outside the allowlist, or a missing exp are rejected', async () => {
  const stranger = await generateKeyPair('RS256');
  const claims = { sub: 'x', iss: issuer, aud: audience, exp: now() + 600 };
  const unknownKey = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' }).sign(stranger.privateKey);
  const rs384 = await generateKeyPair('RS384');
  const wrongAlg = await new SignJWT(claims).setProtectedHeader({ alg: 'RS384', kid: 'rsa-1' }).sign(rs384.privateKey);
  const noExp = await new SignJWT({ ...claims, exp: undefined }).setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' }).sign(rsa.privateKey);
  const hsWithPublicKey = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' })
    .sign(new TextEncoder().encode(JSON.stringify(await exportJWK(rsa.publicKey))));
  for (const token of [unknownKey, wrongAlg, noExp, hsWithPublicKey]) expect(await status(token)).toBe(401);
});
