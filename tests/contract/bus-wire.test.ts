/**
 * The bus wire format, owned by src/bus/wire.ts alone: a message a process delivered itself carries its origin first
 * and comes back to it as `own` without a parse; every other process, and every message without an origin, decodes
 * to the message handlers see (no origin in it). The format stays what docs/api.md documents.
 */
import { expect, test } from 'bun:test';
import { createBusDecoder, encodeBusMessage } from '../../src/bus/wire.ts';
import type { BusMessage } from '../../src/bus/messages.ts';

const message: BusMessage = {
  kind: 'notifications',
  items: [{ id: '7', user_id: 'alice', type: 't', message: 'hello', created_at: '2026-01-01T00:00:00.000Z' }],
};

test('a message published without echo comes back to its own process as `own`, to others as the message', () => {
  const raw = encodeBusMessage(message, 'process-a');
  expect(raw.startsWith('{"origin":"process-a",')).toBe(true);
  expect(JSON.parse(raw)).toEqual({ origin: 'process-a', ...message });
  expect(createBusDecoder('process-a')(raw)).toEqual({ kind: 'own' });
  expect(createBusDecoder('process-b')(raw)).toEqual({ kind: 'message', message });
});

test('messages without an origin reach every process, the publisher included', () => {
  const raw = encodeBusMessage({ kind: 'erased', user_id: 'alice' });
  expect(JSON.parse(raw)).toEqual({ kind: 'erased', user_id: 'alice' });
  expect(createBusDecoder('process-a')(raw)).toEqual({ kind: 'message', message: { kind: 'erased', user_id: 'alice' } });
});

test('an own origin written further inside the object is still recognised', () => {
  const raw = JSON.stringify({ ...message, origin: 'process-a' });
  expect(createBusDecoder('process-a')(raw)).toEqual({ kind: 'own' });
});

test('garbage and malformed messages are reported, not delivered', () => {
  const decode = createBusDecoder('process-a');
  expect(decode('not json')).toEqual({ kind: 'not_json' });
  expect(decode('{"kind":"notifications","items":[{"id":"x"}]}').kind).toBe('malformed');
  expect(decode('{"origin":"process-b","kind":"nope"}').kind).toBe('malformed');
});
