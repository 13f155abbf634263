/**
 * mintUserToken: the HS256 JWT belfry verifies for end users (the bell, the WebSocket, /api/notifications).
 * A module of its own so a backend that only sends events never loads jose.
 */
import { SignJWT } from 'jose';

export interface MintUserTokenOptions {
  /** The server's JWT_SECRET. */
  secret: string | Uint8Array;
  /** Becomes `sub`. */
  userId: string;
  /** Lifetime: `exp` is `iat` plus this. */
  ttlSeconds: number;
  /** `aud`: required to contain the server's JWT_AUDIENCE when that is set. `iss` is not checked on HS256 tokens. */
  audience?: string | string[];
  issuer?: string;
}

/** Signs a token for `userId` that belfry accepts until `ttlSeconds` from now. */
export async function mintUserToken({ secret, userId, ttlSeconds, audience, issuer }: MintUserTokenOptions): Promise<string> {
  if (!userId) throw new TypeError('userId must not be empty');
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw new RangeError('ttlSeconds must be a positive whole number');
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(userId).setIssuedAt(now).setExpirationTime(now + ttlSeconds);
  if (audience !== undefined) jwt.setAudience(audience);
  if (issuer !== undefined) jwt.setIssuer(issuer);
  return jwt.sign(typeof secret === 'string' ? new TextEncoder().encode(secret) : secret);
}
