import { describe, expect, test } from 'bun:test';
import { compareIds, insertSorted, keepRead, mergeById, newestFirst } from '../../web/src/order.ts';
import { parseFrame } from '../../web/src/protocol.ts';
import { badgeText, relativeTime } from '../../web/src/format.ts';

const at = (id: string, created_at: string, read_at: string | null = null) => ({
  id,
  type: 't',
  message: id,
  created_at,
  read_at,
});

describe('ordering and merging', () => {
  test('ids compare as 64-bit numbers, not strings', () => {
    expect(compareIds('9', '10')).toBeLessThan(0);
    expect(compareIds('9223372036854775807', '9223372036854775806')).toBeGreaterThan(0);
  });

  test('newest first by created_at, then by id', () => {
    const t = '2026-01-01T00:00:00.000Z';
    const list = [at('9', t), at('10', t), at('11', '2026-01-01T00:00:01.000Z')].sort(newestFirst);
    expect(list.map((item) => item.id)).toEqual(['11', '10', '9']);
  });

  test('merge by id keeps one copy, and read state never goes back to unread', () => {
    const t = '2026-01-01T00:00:00.000Z';
    const merged = mergeById([at('1', t, t), at('2', t)], [at('1', t, null), at('3', t)], keepRead);
    expect(merged.map((item) => item.id)).toEqual(['3', '2', '1']);
    expect(merged.find((item) => item.id === '1')!.read_at).toBe(t);
  });

  test('insertSorted places an out-of-order push correctly', () => {
    const list = [at('5', '2026-01-01T00:00:05.000Z'), at('3', '2026-01-01T00:00:03.000Z')];
    expect(insertSorted(list, at('4', '2026-01-01T00:00:04.000Z')).map((item) => item.id)).toEqual(['5', '4', '3']);
  });
});

describe('frames, times and the badge', () => {
  test('frames are parsed strictly; unknown or malformed ones are dropped', () => {
    expect(parseFrame('{"type":"READ","payload":{"ids":["1"],"unread_count":0}}')).toEqual({
      type: 'READ',
      payload: { ids: ['1'], unread_count: 0 },
    });
    expect(parseFrame('{"type":"READ","payload":{"ids":[1],"unread_count":0}}')).toBeNull();
    expect(parseFrame('{"type":"NEW_THING"}')).toBeNull();
    expect(parseFrame('not json')).toBeNull();
    expect(parseFrame('{"type":"NOTIFICATION","payload":{"id":"1","type":"t","message":"m"}}')).toBeNull();
  });

  test('the session frames: AUTHED and RECONNECT need a non-negative whole number, ERASED needs nothing', () => {
    expect(parseFrame('{"type":"AUTHED","payload":{"exp":1795640000}}')).toEqual({ type: 'AUTHED', payload: { exp: 1795640000 } });
    expect(parseFrame('{"type":"AUTHED","payload":{"exp":"1795640000"}}')).toBeNull();
    expect(parseFrame('{"type":"RECONNECT","payload":{"after_ms":1830}}')).toEqual({ type: 'RECONNECT', payload: { after_ms: 1830 } });
    expect(parseFrame('{"type":"RECONNECT","payload":{"after_ms":0}}')).toEqual({ type: 'RECONNECT', payload: { after_ms: 0 } });
    expect(parseFrame('{"type":"RECONNECT","payload":{"after_ms":-5}}')).toBeNull();
    expect(parseFrame('{"type":"RECONNECT","payload":{}}')).toBeNull();
    expect(parseFrame('{"type":"ERASED","payload":{}}')).toEqual({ type: 'ERASED', payload: {} });
    expect(parseFrame('{"type":"ERASED"}')).toEqual({ type: 'ERASED', payload: {} });
  });

  test('relative times read naturally (English by default, through Intl)', () => {
    const now = Date.parse('2026-03-10T12:00:00.000Z');
    const ago = (ms: number) => relativeTime(new Date(now - ms).toISOString(), now);
    expect(ago(10_000)).toBe('now');
    expect(ago(3 * 60_000 + 20_000)).toBe('3 min. ago');
    expect(ago(60 * 60_000)).toBe('1 hr. ago');
    expect(ago(5 * 3600_000)).toBe('5 hr. ago');
    expect(ago(30 * 3600_000)).toBe('yesterday');
    expect(ago(4 * 86_400_000)).toBe('4 days ago');
    expect(relativeTime('2025-12-25T12:00:00.000Z', now)).toBe('Dec 25, 2025');
  });

  test('the badge shows 99+ past 99', () => {
    expect(badgeText(1)).toBe('1');
    expect(badgeText(99)).toBe('99');
    expect(badgeText(100)).toBe('99+');
  });
});
