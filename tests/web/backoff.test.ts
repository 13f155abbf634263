import { describe, expect, test } from 'bun:test';
import { fullJitterDelay } from '../../web/src/backoff.ts';

describe('fullJitterDelay', () => {
  test('is uniform between 0 and base·2^attempt: random() picks the point', () => {
    expect(fullJitterDelay(0, { baseMs: 500, random: () => 0.999999 })).toBe(499);
    expect(fullJitterDelay(3, { baseMs: 500, random: () => 0.5 })).toBe(2000);
    expect(fullJitterDelay(3, { baseMs: 500, random: () => 0 })).toBe(0);
  });

  test('the ceiling doubles per attempt until the cap', () => {
    const ceilings = [0, 1, 2, 3, 4, 5, 6, 7].map((attempt) =>
      fullJitterDelay(attempt, { baseMs: 500, capMs: 30_000, random: () => 1 }),
    );
    expect(ceilings).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  test('never exceeds the cap, even for absurd attempt numbers', () => {
    expect(fullJitterDelay(5000, { capMs: 30_000, random: () => 1 })).toBe(30_000);
    expect(Number.isFinite(fullJitterDelay(1e9, { random: () => 0.3 }))).toBe(true);
  });

  test('with real randomness, delays spread over the whole range (not clustered at the ceiling)', () => {
    const delays = Array.from({ length: 2000 }, () => fullJitterDelay(4, { baseMs: 100 }));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(1600);
    expect(delays.filter((delay) => delay < 800).length).toBeGreaterThan(800);
    expect(delays.filter((delay) => delay >= 800).length).toBeGreaterThan(800);
  });
});
