/**
 * Runs once before the suite: finds Postgres and Redis for the tests and exports them as
 * BELFRY_TEST_DATABASE_URL / BELFRY_TEST_REDIS_URL.
 *   1. DATABASE_URL / REDIS_URL when set;
 *   2. else Postgres at 127.0.0.1:5432 and Redis at 127.0.0.1:6379 when they answer;
 *   3. else an embedded Postgres and a throwaway redis-server (if the binary is on PATH).
 * Redis found nowhere fails the run with one line saying how to get it: the Redis tests never skip silently.
 */
import { resolveTestServices } from './helpers/services.ts';

const services = await resolveTestServices();
process.env.BELFRY_TEST_DATABASE_URL = services.databaseUrl;
process.env.BELFRY_TEST_REDIS_URL = services.redisUrl;
