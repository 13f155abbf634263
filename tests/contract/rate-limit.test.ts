/**
 * Contract: the per-key limiter allows `burst` at once, then `perSecond` sustained; refusals say how many whole
 * seconds to wait; keys whose budget is full again are forgotten, so memory follows recently active keys only.
 */
import { expect, test } from 'bun:test';
import { createLimiter } from '../../src/rate-limit.ts';

function clock() {
  let at = 1_000_000;
  return { now: () => at, advance: (ms: number) => void (at += ms) };
}

test('a burst at once, then refused with the seconds to wait, then one per interval', () => {
  const c = clock();
  const limiter = createLimiter({ perSecond: 2, burst: 10 }, c.now);
  for (let i = 0; i < 10; i++) expect(limiter.take('k')).toBe(0);
  expect(limiter.take('k')).toBe(1);
  c.advance(499);
  expect(limiter.take('k')).toBe(1);
  c.advance(1);
  expect(limiter.take('k')).toBe(0);
  expect(limiter.take('k')).toBe(1);
  // Keys are independent.
  expect(limiter.take('other')).toBe(0);
});

test('a long wait is reported in whole seconds, rounded up', () => {
  const c = clock();
  const limiter = createLimiter({ perSecond: 0.25, burst: 1 }, c.now);
  expect(limiter.take('k')).toBe(0);
  expect(limiter.take('k')).toBe(4);
  c.advance(2500);
  expect(limiter.take('k')).toBe(2);
});

test('refusals do not spend: a client hammering while refused is let in once the interval passed', () => {
  const c = clock();
  const limiter = createLimiter({ perSecond: 1, burst: 1 }, c.now);
  expect(limiter.take('k')).toBe(0);
  for (let i = 0; i < 100; i++) expect(limiter.take('k')).toBeGreaterThan(0);
  c.advance(1000);
  expect(limiter.take('k')).toBe(0);
});

test('keys whose budget is full again are forgotten', () => {
  const c = clock();
  const limiter = createLimiter({ perSecond: 10, burst: 50 }, c.now);
  for (let i = 0; i < 1000; i++) limiter.take(`user-${i}`);
  expect(limiter.size()).toBe(1000);
  c.advance(11_000);
  limiter.take('late');
  expect(limiter.size()).toBe(1);
});
