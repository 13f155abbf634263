/**
 * Does a Postgres or Redis answer at this URL? One bounded attempt each, no retries; shared by the test helpers and
 * the test command's prerequisite check.
 */
import postgres from 'postgres';
import Redis from 'ioredis';

/** True when `select 1` succeeds within `timeoutSeconds`. */
export async function postgresAnswers(url: string, timeoutSeconds = 2): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: timeoutSeconds, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** True when PING answers PONG within `timeoutSeconds`. */
export async function redisAnswers(url: string, timeoutSeconds = 2): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: timeoutSeconds * 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
