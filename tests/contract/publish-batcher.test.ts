/**
 * Contract: notifications committed in one event-loop turn leave as one bus message (one PUBLISH, one socket
 * write), in commit order; a failed publish fails every batch that rode in it, so each stays in the outbox.
 */
import { expect, test } from 'bun:test';
import type { Bus, BusMessage } from '../../src/bus/messages.ts';
import { createPublishBatcher } from '../../src/bus/publish-batcher.ts';

function item(id: string) {
  return { id, user_id: `u${id}`, type: 't', message: `m${id}`, created_at: '2026-12-02T00:00:00.000Z' };
}

function recordingBus(fail = false): Bus & { sent: Array<{ message: BusMessage; echo: boolean | undefined }> } {
  const sent: Array<{ message: BusMessage; echo: boolean | undefined }> = [];
  return {
    sent,
    async publish(message, options) {
      sent.push({ message, echo: options?.echo });
      if (fail) throw new Error('bus away');
    },
    onMessage() {},
    onGap() {},
    async ping() {},
    async close() {},
  };
}

test('three commits in one turn: one message with every item, in order; each caller resolves', async () => {
  const bus = recordingBus();
  const batcher = createPublishBatcher(bus, { echo: false });
  const done = await Promise.all([batcher.publish([item('1'), item('2')]), batcher.publish([item('3')]), batcher.publish([item('4')])]);
  expect(done).toEqual([undefined, undefined, undefined]);
  expect(bus.sent).toHaveLength(1);
  expect(bus.sent[0]!.echo).toBe(false);
  expect(bus.sent[0]!.message).toEqual({ kind: 'notifications', items: ['1', '2', '3', '4'].map(item) });
});

test('commits in different turns: one message each', async () => {
  const bus = recordingBus();
  const batcher = createPublishBatcher(bus, { echo: true });
  await batcher.publish([item('1')]);
  await batcher.publish([item('2')]);
  expect(bus.sent.map((s) => s.message.kind === 'notifications' && s.message.items.map((i) => i.id))).toEqual([['1'], ['2']]);
});

test('a failed publish rejects every batch in it', async () => {
  const batcher = createPublishBatcher(recordingBus(true), { echo: true });
  const results = await Promise.allSettled([batcher.publish([item('1')]), batcher.publish([item('2')])]);
  expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
});

test('a message is capped: past maxItems the next batch starts a new message', async () => {
  const bus = recordingBus();
  const batcher = createPublishBatcher(bus, { echo: true, maxItems: 3 });
  await Promise.all([batcher.publish([item('1'), item('2')]), batcher.publish([item('3'), item('4')]), batcher.publish([item('5')])]);
  expect(bus.sent.map((s) => s.message.kind === 'notifications' && s.message.items.map((i) => i.id))).toEqual([['1', '2'], ['3', '4', '5']]);
});
