/**
 * Who may open a socket: a valid token (query or cookie), a same-site or allow-listed Origin when the token came
 * from a cookie (cross-site WebSocket hijacking), and no more than a few sockets per user.
 */
import type { VerifyToken } from '../auth/tokens.ts';
import { AppError, errorResponse, type ErrorCode } from '../errors.ts';

export interface UpgradePolicy {
  maxSocketsPerUser: number;
  /** Origins allowed to open a socket with the cookie, besides the server's own. */
  allowedOrigins: readonly string[];
}

export interface UpgradeCheckDeps {
  verifyToken: VerifyToken;
  policy: UpgradePolicy;
  /** Sockets the user already has on this process. */
  socketsOf(userId: string): number;
}

const reject = (status: 401 | 403 | 429, code: ErrorCode, message: string) => errorResponse(new AppError(status, code, message));

function cookieToken(request: Request): string | undefined {
  return request.headers.get('cookie')?.match(/(?:^|;\s*)belfry_token=([^;]+)/)?.[1];
}

/** A browser sends its cookies with a cross-site upgrade too, so the Origin must be ours or allow-listed. */
function originAllowed(request: Request, allowed: readonly string[]): boolean {
  const origin = request.headers.get('origin');
  if (!origin) return false;
  const host = request.headers.get('host');
  try {
    if (host && new URL(origin).host === host) return true;
  } catch {
    return false;
  }
  return allowed.includes(origin);
}

/** Checks an upgrade request; returns the user, or the Response that refuses it. */
export async function checkUpgrade(request: Request, { verifyToken, policy, socketsOf }: UpgradeCheckDeps): Promise<Response | { userId: string; exp: number }> {
  const { maxSocketsPerUser, allowedOrigins } = policy;
  let token = new URL(request.url).searchParams.get('token') ?? undefined;
  if (!token) {
    token = cookieToken(request);
    if (token && !originAllowed(request, allowedOrigins)) return reject(403, 'forbidden_origin', 'This origin may not open a socket with the cookie');
  }
  if (!token) return reject(401, 'unauthorized', 'Missing or invalid token');
  let verified: { userId: string; exp: number };
  try {
    verified = await verifyToken(token);
  } catch {
    return reject(401, 'unauthorized', 'Missing or invalid token');
  }
  if (socketsOf(verified.userId) >= maxSocketsPerUser) {
    return reject(429, 'too_many_connections', `At most ${maxSocketsPerUser} sockets per user`);
  }
  return verified;
}
