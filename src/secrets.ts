/**
 * Demo-mode secrets: generated once and kept in a local file (mode 600) beside the embedded database, so
 * tokens handed to the panel survive a restart. Never used when the secrets are configured.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

const fileSchema = z.object({ jwtSecret: z.string().min(32), ingestApiKey: z.string().min(24) });

export type DemoSecrets = z.infer<typeof fileSchema>;

const random = (bytes: number) => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('base64url');

/** Reads the secrets file, or creates it with fresh random secrets. */
export function loadOrCreateDemoSecrets(path: string): DemoSecrets {
  if (existsSync(path)) {
    const parsed = fileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (parsed.success) return parsed.data;
  }
  const secrets = { jwtSecret: random(48), ingestApiKey: random(32) };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(secrets), { mode: 0o600 });
  chmodSync(path, 0o600);
  return secrets;
}
