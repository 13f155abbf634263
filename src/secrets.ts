/**
 * Generated secrets for when they are not configured (never in production): created once and kept in a local file
 * (mode 600) beside the embedded database, so tokens handed out survive a restart.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

const fileSchema = z.object({
  jwtSecret: z.string().min(32).optional(),
  ingestApiKey: z.string().min(24).optional(),
  adminApiKey: z.string().min(24).optional(),
});

export interface GeneratedSecrets {
  jwtSecret: string;
  ingestApiKey: string;
  adminApiKey: string;
}

const random = (bytes: number) => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('base64url');

function read(path: string): z.infer<typeof fileSchema> {
  if (!existsSync(path)) return {};
  try {
    const parsed = fileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** Reads the secrets file, adding any secret it lacks (older files had no admin key), and writes it back if changed. */
export function loadOrCreateSecrets(path: string): GeneratedSecrets {
  const stored = read(path);
  const secrets = {
    jwtSecret: stored.jwtSecret ?? random(48),
    ingestApiKey: stored.ingestApiKey ?? random(32),
    adminApiKey: stored.adminApiKey ?? random(32),
  };
  if (stored.jwtSecret && stored.ingestApiKey && stored.adminApiKey) return secrets;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(secrets), { mode: 0o600 });
  chmodSync(path, 0o600);
  return secrets;
}
