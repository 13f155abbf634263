/**
 * `belfry token --user U [--ttl 1h]`: mints a user's HS256 token with the server's secret, as the server will
 * verify it (JWT_AUDIENCE, at most JWT_MAX_TTL), and prints it alone on stdout.
 */
import { signToken, userIdSchema } from '../auth/tokens.ts';
import { parseDuration } from '../duration.ts';
import { UsageError } from './commands.ts';
import { clientKey, type CliContext } from './context.ts';

const defaultTtlSeconds = 3600;

/** Reads --user and --ttl; the TTL may not exceed what the server accepts. */
export function tokenRequest(values: Record<string, string | boolean | undefined>, maxTtlSeconds: number): { userId: string; ttlSeconds: number } {
  const user = values.user;
  if (typeof user !== 'string') throw new UsageError('belfry token: --user is required (see belfry token --help)');
  const checked = userIdSchema.safeParse(user);
  if (!checked.success) throw new UsageError(`belfry token: --user ${checked.error.issues[0]?.message ?? 'is not a valid user id'}`);
  const ttl = values.ttl;
  if (ttl === undefined) return { userId: user, ttlSeconds: Math.min(defaultTtlSeconds, maxTtlSeconds) };
  const seconds = typeof ttl === 'string' ? parseDuration(ttl) : undefined;
  if (!seconds) throw new UsageError(`belfry token: --ttl must be a duration such as 3600, 90s, 15m, 1h or 7d`);
  if (seconds > maxTtlSeconds) throw new UsageError(`belfry token: --ttl ${ttl} is longer than JWT_MAX_TTL (${maxTtlSeconds} s): the server would refuse the token`);
  return { userId: user, ttlSeconds: seconds };
}

/** Prints a token for --user. */
export async function tokenCommand(context: CliContext, values: Record<string, string | boolean | undefined>): Promise<void> {
  const { auth } = context.config;
  const { userId, ttlSeconds } = tokenRequest(values, auth.maxTokenTtlSeconds);
  const secret = clientKey(context, 'jwtSecret');
  context.out(await signToken(secret, userId, ttlSeconds, auth.audience));
}
