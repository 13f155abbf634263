/**
 * Who may open a socket (GET /ws): a WebSocket handshake, a valid token (query or cookie), the page's Origin when the
 * token came from a cookie (cross-site WebSocket hijacking), and no more than a few sockets per user. Every refusal
 * is an AppError thrown from the check that failed; `createUpgrade` maps them to a response in one place.
 */
import type { Server } from 'bun';
import type { VerifyToken } from '../auth/tokens.ts';
import { AppError, errorResponse, toAppError } from '../errors.ts';
import { socketData, type SocketData } from './socket-data.ts';

export interface UpgradePolicy {
  maxSocketsPerUser: number;
  /** Origins allowed to open a socket with the cookie, besides the server's own (normalised, see config.ts). */
  allowedOrigins: readonly string[];
}

export interface UpgradeDeps {
  verifyToken: VerifyToken;
  policy: UpgradePolicy;
  /** Sockets the user already has on this process. */
  socketsOf(userId: string): number;
  /** Runs once the user is known, before the socket opens (the gateway's mutes for that user are loaded here). */
  beforeOpen?: ((userId: string) => Promise<void>) | undefined;
}

/** Answers a /ws request: undefined once upgraded (Bun sends the 101), else the JSON error Response. */
export type Upgrade = (request: Request, server: Server<SocketData>) => Promise<Response | undefined>;

const unauthorized = () => new AppError(401, 'unauthorized', 'Missing or invalid token');

function cookieToken(request: Request): string | undefined {
  return request.headers.get('cookie')?.match(/(?:^|;\s*)belfry_token=([^;]+)/)?.[1];
}

/**
 * The server's own origin is the scheme, host and port this request reached it on (Bun builds request.url from the
 * Host header and whether the listener is TLS). X-Forwarded-Proto is not read: behind a TLS-terminating proxy the
 * public https origin goes in ALLOWED_ORIGINS (docs/decisions.md#socket-origins).
 */
export function originAllowed(request: Request, allowed: readonly string[]): boolean {
  const origin = request.headers.get('origin');
  if (!origin || !URL.canParse(origin)) return false;
  // URL.origin lower-cases the host and drops a default port, as config.ts does with ALLOWED_ORIGINS.
  const presented = new URL(origin).origin;
  if (presented === 'null') return false;
  return presented === new URL(request.url).origin || allowed.includes(presented);
}

function checkHandshake(request: Request) {
  if (request.method !== 'GET') throw new AppError(405, 'method_not_allowed', 'Open the socket with GET');
  const handshake = request.headers.get('upgrade')?.toLowerCase() === 'websocket';
  if (handshake && (request.headers.get('sec-websocket-version') !== '13' || !request.headers.get('sec-websocket-key'))) {
    throw new AppError(426, 'upgrade_required', 'Use WebSocket version 13 with a Sec-WebSocket-Key');
  }
}

async function checkUser(request: Request, { verifyToken, policy, socketsOf }: UpgradeDeps) {
  let token = new URL(request.url).searchParams.get('token') ?? undefined;
  if (!token) {
    token = cookieToken(request);
    if (token && !originAllowed(request, policy.allowedOrigins)) {
      throw new AppError(403, 'forbidden_origin', 'This origin may not open a socket with the cookie');
    }
  }
  if (!token) throw unauthorized();
  // Every token failure is the same 401: the client learns nothing about why.
  const verified = await verifyToken(token).catch(() => {
    throw unauthorized();
  });
  if (socketsOf(verified.userId) >= policy.maxSocketsPerUser) {
    throw new AppError(429, 'too_many_connections', `At most ${policy.maxSocketsPerUser} sockets per user`);
  }
  return verified;
}

/** Creates the /ws handler for Bun.serve's fetch. */
export function createUpgrade(deps: UpgradeDeps): Upgrade {
  return async (request, server) => {
    try {
      checkHandshake(request);
      const { userId, exp } = await checkUser(request, deps);
      await deps.beforeOpen?.(userId);
      if (server.upgrade(request, { data: socketData(userId, exp) })) return undefined;
      throw new AppError(426, 'upgrade_required', 'Expected a WebSocket upgrade');
    } catch (error) {
      const appError = toAppError(error);
      // RFC 6455 4.4: a refused handshake names the version the server speaks.
      return errorResponse(appError, appError.status === 426 ? { 'Sec-WebSocket-Version': '13' } : undefined);
    }
  };
}
