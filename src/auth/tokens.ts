/**
 * End-user tokens: HS256 JWTs whose `sub` is the user id. Verification allows exactly one algorithm,
 * requires `exp` and `sub`, and turns every failure into the same 401.
 */
import { SignJWT, createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { z } from 'zod';
import { AppError } from '../errors.ts';

/** A user id: what `sub` and ingest `user_id` may hold. Control characters are refused (NUL cannot be stored). */
export const userIdSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'must not contain control characters')
  // A lone surrogate would be stored as U+FFFD, so two different ids could become one user.
  .refine((value) => value.isWellFormed(), 'must be well-formed Unicode (no lone surrogates)')
  // A URL resolves `.` and `..` as path segments, so such a user could never be erased or exported.
  .refine((value) => value !== '.' && value !== '..', 'must not be "." or ".."');

export interface VerifiedToken {
  userId: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

export type VerifyToken = (token: string) => Promise<VerifiedToken>;

const claimsSchema = z.object({ sub: userIdSchema, exp: z.number().int().positive(), iat: z.number().int().nonnegative().optional() });

/** The one 401 every bad token gets: the client learns nothing about why. */
export const invalidToken = () => new AppError(401, 'unauthorized', 'Missing or invalid token');

export interface VerifierOptions {
  /** Also accept RS256/ES256 tokens whose keys this JWKS URL publishes (an identity provider). */
  jwksUrl: string | undefined;
  /** Required `iss` of JWKS tokens. */
  issuer: string | undefined;
  /** Required `aud` of JWKS tokens, and of HS256 tokens when set. */
  audience: string | undefined;
  /** Longest accepted lifetime, `exp − iat` (`exp − now` for a token without `iat`), in seconds. */
  maxTokenTtlSeconds: number;
}

/** Asymmetric algorithms accepted from the JWKS; the shared secret is only ever used for HS256. */
const jwksAlgorithms = ['RS256', 'ES256'];

/** Returns a verifier for HS256 tokens signed with `secret` (and, optionally, RS256/ES256 tokens from a JWKS). */
export function createTokenVerifier(secret: string, { jwksUrl, issuer, audience, maxTokenTtlSeconds }: VerifierOptions): VerifyToken {
  const key = new TextEncoder().encode(secret);
  const jwks = jwksUrl ? createRemoteJWKSet(new URL(jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000, timeoutDuration: 5_000 }) : undefined;
  // An identity provider serves many apps: its tokens count only when issued by it for us (config makes both required).
  const jwksClaims = { algorithms: jwksAlgorithms, requiredClaims: ['exp', 'sub', 'iss', 'aud'], issuer, audience };
  const secretClaims = { algorithms: ['HS256'], requiredClaims: audience ? ['exp', 'sub', 'aud'] : ['exp', 'sub'], audience };
  return async (token) => {
    // A JWT is three base64url parts; anything longer than a few KB is not one of ours.
    if (token.length > 4096) throw invalidToken();
    try {
      const useJwks = jwks !== undefined && jwksAlgorithms.includes(String(decodeProtectedHeader(token).alg));
      const { payload } = useJwks ? await jwtVerify(token, jwks, jwksClaims) : await jwtVerify(token, key, secretClaims);
      const claims = claimsSchema.safeParse(payload);
      if (!claims.success) throw invalidToken();
      // A stolen long-lived token is a long-lived session: cap the lifetime whoever minted it.
      const issuedAt = claims.data.iat ?? Math.floor(Date.now() / 1000);
      if (claims.data.exp - issuedAt > maxTokenTtlSeconds) throw invalidToken();
      return { userId: claims.data.sub, exp: claims.data.exp };
    } catch {
      throw invalidToken();
    }
  };
}

/** Signs an HS256 token for `userId` (with `aud` when the server holds tokens to one); for demo mode, the CLI and tests. */
export async function signToken(secret: string, userId: string, expiresInSeconds = 3600, audience?: string): Promise<string> {
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSeconds);
  if (audience) jwt.setAudience(audience);
  return jwt.sign(new TextEncoder().encode(secret));
}
