import { expect, test } from 'bun:test';
import { closeAction, closeActions } from '../../web/src/close-codes.ts';

test('each close code the server documents has one action', () => {
  expect(closeActions).toEqual({
    1000: 'backoff',
    1006: 'backoff',
    1008: 'wait',
    1009: 'wait',
    1012: 'backoff',
    4001: 'refresh',
    4003: 'start-over',
    4008: 'backoff',
  });
});

test('unknown codes, and a socket that never opened, back off', () => {
  expect(closeAction(4999)).toBe('backoff');
  expect(closeAction(1011)).toBe('backoff');
  expect(closeAction(undefined)).toBe('backoff');
});
