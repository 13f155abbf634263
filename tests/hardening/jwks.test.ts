/**
 * JWT_JWKS_URL: RS256/ES256 tokens from an identity provider's JWKS are accepted; the allowlist holds
 * (no HS256 signed with a public key, no RS384, no unknown key), and HS256 with the shared secret still works.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { call } from '../helpers/http.ts';

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
  belfry = await startBelfry({ tuning: { jwksUrl: `http://127.0.0.1:${jwks.port}/.well-known/jwks.json` } });
});
afterAll(async () => {
  await belfry.stop();
  jwks.stop(true);
});

const exp = () => Math.floor(Date.now() / 1000) + 600;
const status = async (token: string) => (await call(belfry.url, '/api/notifications/unread-count', { token })).status;

test('RS256 and ES256 tokens from the JWKS are accepted', async () => {
  const rs = await new SignJWT({ sub: 'idp-user', exp: exp() }).setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' }).sign(rsa.privateKey);
  const es = await new SignJWT({ sub: 'idp-user', exp: exp() }).setProtectedHeader({ alg: 'ES256', kid: 'ec-1' }).sign(ec.privateKey);
  expect(await status(rs)).toBe(200);
  expect(await status(es)).toBe(200);
});

test('HS256 with the shared secret still works', async () => {
  expect(await status(await belfry.tokenFor('local-user'))).toBe(200);
});

test('a key the JWKS does not publish, an algorithm outside the allowlist, or a missing exp are rejected', async () => {
  const stranger = await generateKeyPair('RS256');
  const unknownKey = await new SignJWT({ sub: 'x', exp: exp() }).setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' }).sign(stranger.privateKey);
  const rs384 = await generateKeyPair('RS384');
  const wrongAlg = await new SignJWT({ sub: 'x', exp: exp() }).setProtectedHeader({ alg: 'RS384', kid: 'rsa-1' }).sign(rs384.privateKey);
  const noExp = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' }).sign(rsa.privateKey);
  const hsWithPublicKey = await new SignJWT({ sub: 'x', exp: exp() })
    .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' })
    .sign(new TextEncoder().encode(JSON.stringify(await exportJWK(rsa.publicKey))));
  for (const token of [unknownKey, wrongAlg, noExp, hsWithPublicKey]) expect(await status(token)).toBe(401);
});
