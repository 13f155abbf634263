/** Mints the HS256 user tokens the load generators present at upgrade. */

import { SignJWT } from "jose";

/** Returns a signer for `sub` = user id tokens valid for `ttlSeconds`. */
export function tokenSigner(secret: string, ttlSeconds = 3600): (userId: string) => Promise<string> {
  const key = new TextEncoder().encode(secret);
  const exp = Math.floor(Date.now() / 1000) + ttlSeconds;
  return (userId) => new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject(userId).setExpirationTime(exp).sign(key);
}
