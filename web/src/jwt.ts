/**
 * Reads a JWT's claims without verifying it. The panel never trusts them: the subject only tells it
 * that the token now names someone else, the expiry only when to fetch a fresh one. The server verifies.
 */

/** The claims the panel looks at. */
export interface Claims {
  sub: string | null;
  /** Seconds since the epoch. */
  exp: number | null;
}

/** `sub` and `exp` of a JWT, each null when absent or unreadable (an opaque token, say). */
export function readClaims(token: string | null): Claims {
  const claims: Claims = { sub: null, exp: null };
  const payload = token?.split('.')[1];
  if (!payload) return claims;
  try {
    const bytes = Uint8Array.from(atob(payload.replace(/-/g, '+').replace(/_/g, '/')), (char) => char.charCodeAt(0));
    const json = JSON.parse(new TextDecoder().decode(bytes)) as { sub?: unknown; exp?: unknown };
    if (typeof json.sub === 'string') claims.sub = json.sub;
    if (typeof json.exp === 'number' && Number.isFinite(json.exp)) claims.exp = json.exp;
  } catch {
    // Not base64url JSON: nothing to read.
  }
  return claims;
}
