/**
 * Logs never carry tokens (query string or header), secrets or message bodies, even at debug level.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { signToken } from '../../src/auth/tokens.ts';
import { createSharedEnv, spawnBelfry, type BelfryProcess, type SharedEnv } from '../helpers/process.ts';
import { call } from '../helpers/http.ts';
import { connect } from '../helpers/ws-client.ts';

let shared: SharedEnv;
let belfry: BelfryProcess;

beforeAll(async () => {
  shared = await createSharedEnv({ LOG_LEVEL: 'debug' });
  belfry = await spawnBelfry(shared.env);
});
afterAll(async () => {
  await belfry.stop();
  await shared.database.drop();
});

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
  await Bun.sleep(200);

  const logs = belfry.output();
  expect(logs).toContain('"msg":"request"');
  for (const forbidden of [token, token.split('.')[2]!, jwtSecret, ingestKey, secretMessage]) expect(logs).not.toContain(forbidden);
});
