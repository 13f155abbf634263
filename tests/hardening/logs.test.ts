/**
 * Logs never carry tokens (query string or header), secrets, message bodies or the user id of a personal-data
 * request, even at debug level. Each test waits for a sentinel request's log line: lines are written in order.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { signToken } from '../../src/auth/tokens.ts';
import { createSharedEnv, spawnBelfry, type BelfryProcess, type SharedEnv } from '../helpers/process.ts';
import { call } from '../helpers/http.ts';
import { connect } from '../helpers/ws-client.ts';

let shared: SharedEnv;
let belfry: BelfryProcess;
const adminKey = `logs-admin-${crypto.randomUUID()}`;

beforeAll(async () => {
  shared = await createSharedEnv({ LOG_LEVEL: 'debug', ADMIN_API_KEY: adminKey });
  belfry = await spawnBelfry(shared.env);
});
afterAll(async () => {
  await belfry.stop();
  await shared.database.drop();
});

/** Sends a request whose log line, once printed, shows every earlier line was printed too. */
async function flushed(): Promise<string> {
  const sentinels = () => belfry.output().split('"route":"/healthz"').length;
  const before = sentinels();
  await fetch(`${belfry.url}/healthz`);
  const deadline = Date.now() + 5000;
  // Polling the captured output with a deadline: a printed line has no event of its own.
  while (sentinels() <= before) {
    if (Date.now() > deadline) throw new Error(`the sentinel request was not logged:\n${belfry.output()}`);
    await Bun.sleep(10);
  }
  return belfry.output();
}

test('a session of ordinary and hostile traffic leaves no token, secret or message body in the logs', async () => {
  const { jwtSecret, ingestKey } = shared;
  const token = await signToken(jwtSecret, 'logged-user');
  const secretMessage = `private message ${crypto.randomUUID()}`;
  const socket = await connect(belfry.wsUrl, token);
  await call(belfry.url, '/api/events', { token: ingestKey, body: { user_id: 'logged-user', type: 't', message: secretMessage } });
  await socket.next((f) => f.type === 'NOTIFICATION');
  await call(belfry.url, '/api/events', { token: ingestKey, body: { user_id: 'logged-user', type: 't', message: `${secretMessage}\u0000` } });
  await call(belfry.url, `/api/notifications?token=${token}`, { token });
  await call(belfry.url, '/api/notifications', { token: `${token}x` });
  await call(belfry.url, '/api/events', { token: `${ingestKey}-wrong`, body: { message: secretMessage } });
  await fetch(`${belfry.url}/ws?token=${token}x`);
  socket.close();
  await socket.closed;

  const logs = await flushed();
  expect(logs).toContain('"msg":"request"');
  for (const forbidden of [token, token.split('.')[2]!, jwtSecret, ingestKey, adminKey, secretMessage]) expect(logs).not.toContain(forbidden);
});

test('erase and export log their route pattern, never the user id in the path', async () => {
  const userId = `subject-${crypto.randomUUID()}`;
  await call(belfry.url, '/api/events', { token: shared.ingestKey, body: { user_id: userId, type: 't', message: 'to be erased' } });
  const exported = await call(belfry.url, `/api/users/${userId}/notifications/export`, { token: adminKey });
  expect(exported.status).toBe(200);
  const erased = await call(belfry.url, `/api/users/${userId}/notifications`, { token: adminKey, method: 'DELETE' });
  expect(await erased.json()).toEqual({ deleted: 1 });
  // A refused one too: the error path logs as well.
  await call(belfry.url, `/api/users/${userId}/notifications`, { token: adminKey, method: 'PUT' });

  const logs = await flushed();
  expect(logs).toContain('"route":"/api/users/:user_id/notifications"');
  expect(logs).toContain('"route":"/api/users/:user_id/notifications/export"');
  expect(logs).not.toContain(userId);
  expect(logs).not.toContain(userId.slice('subject-'.length));
});
