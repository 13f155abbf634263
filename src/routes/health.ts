/**
 * Liveness and readiness: /healthz answers while the process runs; /readyz only while Postgres and the bus answer
 * and the process is not draining for a shutdown (a balancer's health check takes it out of rotation first).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Sql } from '../db/client.ts';
import type { Bus } from '../bus/messages.ts';
import { methodNotAllowed } from './input.ts';

export interface HealthDeps {
  sql: Sql;
  bus: Bus;
  /** How long a check may take before it counts as down. */
  timeoutMs?: number;
  /** True once a shutdown began: /readyz fails while everything else still serves. */
  isDraining: () => boolean;
}

const checkState = z.enum(['ok', 'down']);
export const healthJson = z.strictObject({ status: z.literal('ok') });
export const readyJson = z.strictObject({
  status: z.enum(['ready', 'not_ready', 'draining']),
  checks: z.strictObject({ postgres: checkState, bus: checkState }),
});

/** Whether `probe` resolves within `timeoutMs` (a hung dependency counts as down, never as a hung check). */
export async function answers(probe: () => Promise<unknown>, timeoutMs = 1000): Promise<boolean> {
  return (await check(probe, timeoutMs)) === 'ok';
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
export function healthRoutes({ sql, bus, timeoutMs = 1000, isDraining }: HealthDeps) {
  return new Hono()
    .get('/healthz', (c) => c.json({ status: 'ok' } satisfies z.output<typeof healthJson>))
    .all('/healthz', methodNotAllowed)
    .get('/readyz', async (c) => {
      const [postgres, busState] = await Promise.all([check(() => sql`select 1`, timeoutMs), check(() => bus.ping(), timeoutMs)]);
      const ready = postgres === 'ok' && busState === 'ok';
      const status = isDraining() ? 'draining' : ready ? 'ready' : 'not_ready';
      const body: z.output<typeof readyJson> = { status, checks: { postgres, bus: busState } };
      return c.json(body, status === 'ready' ? 200 : 503);
    })
    .all('/readyz', methodNotAllowed);
}
