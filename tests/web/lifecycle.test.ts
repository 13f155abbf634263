import { expect, test } from 'bun:test';
import { watchLifecycle } from '../../web/src/lifecycle.ts';

function setup(visibilityState: DocumentVisibilityState = 'visible') {
  const calls: string[] = [];
  const win = new EventTarget();
  const doc = Object.assign(new EventTarget(), { visibilityState });
  const stop = watchLifecycle(
    { reconnectNow: () => calls.push('reconnectNow'), check: () => calls.push('check') },
    win as unknown as Window,
    doc as unknown as Document,
  );
  return { calls, win, doc, stop };
}

test('the network coming back reconnects at once', () => {
  const { calls, win } = setup();
  win.dispatchEvent(new Event('online'));
  expect(calls).toEqual(['reconnectNow']);
});

test('a tab becoming visible checks the socket; becoming hidden does nothing', () => {
  const { calls, doc } = setup();
  doc.dispatchEvent(new Event('visibilitychange'));
  doc.visibilityState = 'hidden';
  doc.dispatchEvent(new Event('visibilitychange'));
  expect(calls).toEqual(['check']);
});

test('a page restored from the back/forward cache checks the socket', () => {
  const { calls, win } = setup();
  win.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: false }));
  win.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: true }));
  expect(calls).toEqual(['check']);
});

test('stopping removes every listener', () => {
  const { calls, win, doc, stop } = setup();
  stop();
  win.dispatchEvent(new Event('online'));
  doc.dispatchEvent(new Event('visibilitychange'));
  expect(calls).toEqual([]);
});
