import { describe, expect, test } from 'bun:test';
import { readClaims } from '../../web/src/jwt.ts';
import { createTokenRefresh, refreshDelay } from '../../web/src/token-refresh.ts';
import { deferred, fakeJwt, FakeSocket, ManualTimers, settle } from './fakes.ts';

const T0 = 1_800_000_000_000; // ms since the epoch, a whole second
const at = (secondsFromT0: number) => T0 / 1000 + secondsFromT0;

/** A refresher on a fake socket; `tokens` are handed out in order (the last one repeats). */
function setup(tokens: string[]) {
  const timers = new ManualTimers();
  const socket = new FakeSocket();
  let calls = 0;
  let gate: Promise<void> | null = null;
  const getToken = async () => {
    const token = tokens[Math.min(calls++, tokens.length - 1)]!;
    if (gate) await gate;
    return token;
  };
  const refresh = createTokenRefresh(getToken, { timers, now: () => T0 + timers.now });
  const stop = refresh.follow(socket);
  /** Opens a connection the way the socket does: a token for the URL, then READY. */
  const connect = async () => {
    const token = await refresh.connectToken();
    socket.setStatus('open');
    socket.emit({ type: 'READY', payload: { user_id: 'alice' } });
    return token;
  };
  /** Fires the next due timer and lets the async refresh finish. */
  const next = async () => {
    timers.advance(timers.pending()[0]!);
    await settle();
  };
  return {
    timers,
    socket,
    stop,
    connect,
    next,
    calls: () => calls,
    setGate: (value: Promise<void> | null) => (gate = value),
  };
}

const auth = (token: string) => ({ type: 'AUTH', payload: { token } });

describe('readClaims', () => {
  test('reads sub and exp from the payload without verifying, including base64url and UTF-8', () => {
    expect(readClaims(fakeJwt({ sub: 'zoë/?>~', exp: 1_900_000_000 }))).toEqual({ sub: 'zoë/?>~', exp: 1_900_000_000 });
  });

  test('anything that is not a readable JWT gives nulls', () => {
    for (const token of ['', 'opaque-token', 'a.b.c', `x.${btoa('{"exp":"soon"}')}.y`, null]) {
      expect(readClaims(token)).toEqual({ sub: null, exp: null });
    }
  });
});

describe('refreshDelay', () => {
  test('80% of the remaining life for long tokens, 60 s before expiry for shorter ones, half-way for the shortest', () => {
    expect(refreshDelay(at(3600), T0)).toBe(2_880_000);
    expect(refreshDelay(at(200), T0)).toBe(140_000);
    expect(refreshDelay(at(120), T0)).toBe(60_000);
    expect(refreshDelay(at(3), T0)).toBe(1_500);
  });
});

describe('createTokenRefresh', () => {
  test('before the socket token expires it sends a fresh one in-band; AUTHED moves the schedule', async () => {
    const first = fakeJwt({ sub: 'alice', exp: at(3600) });
    const second = fakeJwt({ sub: 'alice', exp: at(7200) });
    const { timers, socket, connect, next } = setup([first, second]);
    expect(await connect()).toBe(first);
    expect(timers.pending()).toEqual([2_880_000]);
    await next();
    expect(socket.sent).toEqual([auth(second)]);
    expect(timers.pending()).toEqual([]);
    socket.emit({ type: 'AUTHED', payload: { exp: at(7200) } });
    // 2 880 s have passed: 4 320 s left, 80% of which is 3 456 s.
    expect(timers.pending()).toEqual([3_456_000]);
  });

  test('3-second tokens are refreshed every half-life, each before the one in use expires', async () => {
    let exp = at(3);
    const tokens = Array.from({ length: 6 }, (_, i) => fakeJwt({ sub: 'alice', exp: at(3 + i), n: i }));
    const { timers, socket, connect, next } = setup(tokens);
    await connect();
    for (let i = 1; i <= 4; i += 1) {
      await next();
      expect((T0 + timers.now) / 1000).toBeLessThan(exp);
      expect(socket.sent.at(-1)).toEqual(auth(tokens[i]!));
      exp = at(3 + i);
      socket.emit({ type: 'AUTHED', payload: { exp } });
    }
    expect(socket.sent).toHaveLength(4);
  });

  test('an unchanged token is not sent; it asks again, less and less often, until the token runs out', async () => {
    const fixed = fakeJwt({ sub: 'alice', exp: at(3) });
    const { timers, socket, connect, next, calls } = setup([fixed]);
    await connect();
    for (let i = 0; i < 10 && timers.pending().length > 0; i += 1) await next();
    expect(socket.sent).toEqual([]);
    expect(timers.pending()).toEqual([]);
    // The connect, then 1.5 s, 2.25 s and 2.75 s in (a 0.5 s floor, so it never spins near the end); none after.
    expect(calls()).toBe(4);
  });

  test('a socket that closes cancels the refresh; the next READY schedules from the token it connected with', async () => {
    const { timers, socket, connect } = setup([fakeJwt({ sub: 'alice', exp: at(100) }), fakeJwt({ sub: 'alice', exp: at(1000) })]);
    await connect();
    expect(timers.pending()).toEqual([50_000]);
    socket.setStatus('reconnecting');
    expect(timers.pending()).toEqual([]);
    await connect();
    expect(timers.pending()).toEqual([800_000]);
  });

  test('a token that arrives after the socket dropped is not sent', async () => {
    const { socket, connect, next, setGate } = setup([fakeJwt({ sub: 'alice', exp: at(100) }), fakeJwt({ sub: 'alice', exp: at(200) })]);
    await connect();
    const gate = deferred();
    setGate(gate.promise);
    await next();
    socket.setStatus('reconnecting');
    socket.setStatus('open');
    gate.resolve();
    await settle();
    expect(socket.sent).toEqual([]);
  });

  test('a token the server rejects (ERROR invalid_token) is followed by another try', async () => {
    const tokens = [fakeJwt({ sub: 'alice', exp: at(100) }), 'bad-token', fakeJwt({ sub: 'alice', exp: at(300) })];
    const { timers, socket, connect, next } = setup(tokens);
    await connect();
    await next();
    expect(socket.sent).toEqual([auth('bad-token')]);
    socket.emit({ type: 'ERROR', payload: { code: 'invalid_token', message: 'rejected' } });
    expect(timers.pending()).toHaveLength(1);
    await next();
    expect(socket.sent).toEqual([auth('bad-token'), auth(tokens[2]!)]);
  });

  test('stop() cancels the refresh and stops listening', async () => {
    const { timers, socket, connect, stop } = setup([fakeJwt({ sub: 'alice', exp: at(100) })]);
    await connect();
    stop();
    expect(timers.pending()).toEqual([]);
    socket.emit({ type: 'AUTHED', payload: { exp: at(500) } });
    expect(timers.pending()).toEqual([]);
  });
});
