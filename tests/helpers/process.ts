/**
 * Runs belfry as a real process (`bun src/main.ts`), for tests that need separate processes or the start-up path.
 */
import type { Subprocess } from 'bun';
import { resolve } from 'node:path';
import { createTestDatabase, freePort, testServices, type TestDatabase } from './services.ts';

const mainPath = resolve(import.meta.dir, '..', '..', 'src', 'main.ts');

export interface BelfryProcess {
  url: string;
  wsUrl: string;
  port: number;
  child: Subprocess;
  /** Everything the process printed so far. */
  output(): string;
  /** SIGTERM, then wait for the exit code. */
  stop(): Promise<number>;
}

/**
 * Spawns belfry with `env` (merged over a minimal environment) and waits until /readyz says ready; `program` runs
 * another copy (a clone's src/main.ts, dist/belfry).
 */
export async function spawnBelfry(env: Record<string, string>, { timeoutMs = 20_000, program = [process.execPath, mainPath], cwd }: { timeoutMs?: number; program?: string[]; cwd?: string } = {}): Promise<BelfryProcess> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const child = Bun.spawn(program, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env, PORT: String(port) },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  let printed = '';
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const reader = stream.getReader();
    const decoder = new TextDecoder();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) printed += decoder.decode(chunk.value, { stream: true });
  };
  void drain(child.stdout as ReadableStream<Uint8Array>);
  void drain(child.stderr as ReadableStream<Uint8Array>);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`belfry exited with ${child.exitCode}: ${printed}`);
    const ready = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`belfry not ready within ${timeoutMs} ms: ${printed}`);
    }
    await Bun.sleep(50);
  }
  return {
    url,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    port,
    child,
    output: () => printed,
    async stop() {
      child.kill('SIGTERM');
      return child.exited;
    },
  };
}

export interface SharedEnv {
  database: TestDatabase;
  jwtSecret: string;
  ingestKey: string;
  /** The environment for spawnBelfry: one database, one Redis channel, one pair of secrets. */
  env: Record<string, string>;
}

/** A fresh database, Redis channel and secrets that several spawned processes share; drop the database when done. */
export async function createSharedEnv(extra: Record<string, string> = {}): Promise<SharedEnv> {
  const database = await createTestDatabase();
  const jwtSecret = `process-secret-${crypto.randomUUID()}`;
  const ingestKey = `process-ingest-${crypto.randomUUID()}`;
  return {
    database,
    jwtSecret,
    ingestKey,
    env: {
      DATABASE_URL: database.url,
      REDIS_URL: testServices().redisUrl,
      REDIS_PREFIX: `belfry-test:${crypto.randomUUID()}:`,
      JWT_SECRET: jwtSecret,
      INGEST_API_KEY: ingestKey,
      ...extra,
    },
  };
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one belfry command (`bun src/main.ts …`, or `program` such as dist/belfry) to its end. */
export async function runBelfry(args: string[], env: Record<string, string>, { program = [process.execPath, mainPath], cwd }: { program?: string[]; cwd?: string } = {}): Promise<CommandResult> {
  const child = Bun.spawn([...program, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', LOG_LEVEL: 'warn', ...env },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [code, stdout, stderr] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);
  return { code, stdout, stderr };
}

/** Collects everything a child prints on stdout and stderr, for error messages; read it through the getter. */
export function collectOutput(child: { stdout: ReadableStream<Uint8Array>; stderr: ReadableStream<Uint8Array> }): { readonly text: string } {
  let printed = '';
  for (const stream of [child.stdout, child.stderr]) {
    void (async () => {
      const reader = stream.getReader();
      const decoder = new TextDecoder();
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) printed += decoder.decode(chunk.value, { stream: true });
    })();
  }
  return {
    get text() {
      return printed;
    },
  };
}
