import { describe, expect, test } from 'bun:test';
import { parseFrame, parseNotification } from '../../web/src/protocol.ts';

const base = { id: '7', type: 'comment', message: 'hi', created_at: '2026-01-01T00:00:00.000Z', read_at: null };

describe('parseNotification: the optional inbox fields', () => {
  test('today\'s shape parses as before, with no extra keys', () => {
    expect(parseNotification(base)).toEqual(base);
  });

  test('every well-formed optional field is kept', () => {
    const full = {
      ...base,
      title: 'Invoice ready',
      url: '/billing/42',
      actor: { id: 'u1', name: 'Ada Lovelace', avatar_url: 'https://cdn.example.com/ada.png' },
      actions: [
        { label: 'Pay', url: 'https://pay.example.com/42' },
        { label: 'Later', url: '/billing' },
      ],
      category: 'billing',
      data: { invoice: 42 },
      seen_at: null,
      archived_at: '2026-01-02T00:00:00.000Z',
    };
    expect(parseNotification(full)).toEqual(full);
  });

  test('malformed optional fields are dropped, not fatal', () => {
    const parsed = parseNotification({
      ...base,
      title: 'x'.repeat(201),
      url: 'javascript:alert(1)',
      actor: { avatar_url: 'https://a.example/x.png' },
      actions: 'nope',
      category: 'Has spaces',
      data: [1, 2],
      seen_at: 'yesterday-ish',
      archived_at: 5,
    });
    expect(parsed).toEqual(base);
  });

  test('actions: at most two, each with a label and a followable URL; unsafe avatar URLs are dropped', () => {
    const parsed = parseNotification({
      ...base,
      actor: { name: 'Bob', avatar_url: 'data:image/png;base64,AAAA' },
      actions: [
        { label: 'Bad', url: '//evil.example/x' },
        { label: 'One', url: '/a' },
        { label: 'Two', url: 'http://b.example' },
        { label: 'Three', url: '/c' },
      ],
    });
    expect(parsed?.actor).toEqual({ name: 'Bob' });
    expect(parsed?.actions).toEqual([
      { label: 'One', url: '/a' },
      { label: 'Two', url: 'http://b.example' },
    ]);
  });

  test('a broken required field still rejects the whole notification', () => {
    expect(parseNotification({ ...base, id: 7 })).toBeNull();
    expect(parseNotification({ ...base, created_at: 'soon' })).toBeNull();
  });
});

describe('parseFrame', () => {
  test('NOTIFICATION keeps the new keys but never REST-only state', () => {
    const frame = parseFrame(
      JSON.stringify({ type: 'NOTIFICATION', payload: { ...base, title: 'T', category: 'team', archived_at: null, seen_at: null } }),
    );
    expect(frame).toEqual({
      type: 'NOTIFICATION',
      payload: { id: '7', type: 'comment', message: 'hi', created_at: base.created_at, title: 'T', category: 'team' },
    });
  });

  test('CHANGED frames parse for every change kind, and nothing else', () => {
    for (const change of ['read', 'unread', 'seen', 'archived', 'unarchived', 'deleted']) {
      expect(parseFrame(JSON.stringify({ type: 'CHANGED', payload: { change, ids: ['1'], unread_count: 3 } }))).toEqual({
        type: 'CHANGED',
        payload: { change, ids: ['1'], unread_count: 3 },
      } as never);
    }
    expect(parseFrame(JSON.stringify({ type: 'CHANGED', payload: { change: 'exploded', ids: ['1'], unread_count: 3 } }))).toBeNull();
    expect(parseFrame(JSON.stringify({ type: 'CHANGED', payload: { change: 'read', ids: [1], unread_count: 3 } }))).toBeNull();
    expect(parseFrame(JSON.stringify({ type: 'CHANGED', payload: { change: 'read', ids: ['1'], unread_count: -1 } }))).toBeNull();
  });

  test('types the panel does not act on are dropped', () => {
    expect(parseFrame(JSON.stringify({ type: 'RESUMED', payload: { count: 1, unread_count: 1 } }))).toBeNull();
    expect(parseFrame('not json')).toBeNull();
  });
});
