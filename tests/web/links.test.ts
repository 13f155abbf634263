import { describe, expect, mock, test } from 'bun:test';
import { follow, linkTarget } from '../../web/src/links.ts';

const origin = 'https://app.example.com';

describe('linkTarget', () => {
  test('paths and same-origin URLs stay in place; other http(s) origins are external', () => {
    expect(linkTarget('/inbox/1?x=1#y', origin)).toEqual({ href: 'https://app.example.com/inbox/1?x=1#y', external: false });
    expect(linkTarget('https://app.example.com/a', origin)).toEqual({ href: 'https://app.example.com/a', external: false });
    expect(linkTarget('http://other.example/a', origin)).toEqual({ href: 'http://other.example/a', external: true });
  });

  test('anything but http(s) or a same-origin path is refused', () => {
    for (const url of [
      'javascript:alert(1)',
      'JAVASCRIPT:alert(1)',
      'data:text/html,<b>x</b>',
      'vbscript:x',
      'mailto:a@b.c',
      '//evil.example/x',
      '/\\evil.example/x',
      '/\t/evil.example',
      'relative/path',
      '',
      42,
      null,
    ]) {
      expect(linkTarget(url, origin)).toBeNull();
    }
  });
});

describe('follow', () => {
  test('same origin: location.assign; external: a new tab with noopener,noreferrer', () => {
    const win = { open: mock(() => null), location: { assign: mock(() => {}) } };
    follow({ href: 'https://app.example.com/a', external: false }, win);
    follow({ href: 'https://other.example/b', external: true }, win);
    expect(win.location.assign).toHaveBeenCalledWith('https://app.example.com/a');
    expect(win.open).toHaveBeenCalledWith('https://other.example/b', '_blank', 'noopener,noreferrer');
  });
});
