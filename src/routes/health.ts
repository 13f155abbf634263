/**
 * Liveness and readiness: /healthz answers while the process runs; /readyz only while Postgres and the bus answer.
 */
import { Hono } from 'hono';
import type { Sql } from '../db/client.ts';
import type { Bus } from '../bus/messages.ts';
import { methodNotAllowed } from './input.ts';

export interface HealthDeps {
  sql: Sql;
  bus: Bus;
  /** How long a check may take before it counts as down. */
  timeoutMs?: number;
}

async function check(probe: () => Promise<unknown>, timeoutMs: number): Promise<'ok' | 'down'> {
  let timer: Timer | undefined;
  const timeout = new Promise<'down'>((resolve) => (timer = setTimeout(() => resolve('down'), timeoutMs)));
  try {
    return await Promise.race([probe().then(() => 'ok' as const, () => 'down' as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The routes, to mount at /. */
export function healthRoutes({ sql, bus, timeoutMs = 1000 }: HealthDeps) {
  return new Hono()
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .all('/healthz', methodNotAllowed)
    .get('/readyz', async (c) => {
      const [postgres, busState] = await Promise.all([check(() => sql`select 1`, timeoutMs), check(() => bus.ping(), timeoutMs)]);
      const ready = postgres === 'ok' && busState === 'ok';
      return c.json({ status: ready ? 'ready' : 'not_ready', checks: { postgres, bus: busState } }, ready ? 200 : 503);
    })
    .all('/readyz', methodNotAllowed);
}
