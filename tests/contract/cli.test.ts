/**
 * Contract: the command line: commands, help, and a bad command line as one line with exit code 2.
 * The commands against real servers are in tests/integration/cli.test.ts.
 */
import { describe, expect, test } from 'bun:test';
import { resolve } from 'node:path';
import { commandSpecs, parseCommandLine, UsageError } from '../../src/cli/commands.ts';
import { tokenRequest } from '../../src/cli/token.ts';
import { eventsFrom } from '../../src/cli/send.ts';

const main = resolve(import.meta.dir, '..', '..', 'src', 'main.ts');

async function belfry(args: string[], env: Record<string, string> = {}) {
  const child = Bun.spawn([process.execPath, main, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdout: 'pipe', stderr: 'pipe' });
  const [code, stdout, stderr] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);
  return { code, stdout, stderr };
}

const usage = (argv: string[]) => {
  try {
    parseCommandLine(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`expected a UsageError for ${argv.join(' ')}`);
};

describe('parsing', () => {
  test('start is the default; flags and the message are read', () => {
    expect(parseCommandLine([])).toMatchObject({ kind: 'run', command: 'start' });
    expect(parseCommandLine(['send', '-u', 'ada', '--type', 'comment', 'hi there'])).toEqual({
      kind: 'run',
      command: 'send',
      values: { user: 'ada', type: 'comment' },
      positionals: ['hi there'],
    });
  });

  test('help: for the program and for each command', () => {
    for (const argv of [['--help'], ['-h'], ['help']]) expect(parseCommandLine(argv)).toMatchObject({ kind: 'help', text: expect.stringContaining('Commands:') });
    for (const name of Object.keys(commandSpecs)) {
      const parsed = parseCommandLine([name, '--help']);
      expect(parsed).toMatchObject({ kind: 'help', text: expect.stringContaining(`belfry ${name}:`) });
    }
  });

  test('bad command lines name the problem in one line', () => {
    expect(usage(['frobnicate'])).toBe("belfry: unknown command 'frobnicate' (see belfry --help)");
    expect(usage(['token', '--usr', 'ada'])).toBe('belfry token: unknown option --usr (see belfry token --help)');
    expect(usage(['token', '--user'])).toBe('belfry token: option --user needs a value (see belfry token --help)');
    expect(usage(['migrate', 'now'])).toBe("belfry migrate: unexpected argument 'now' (see belfry migrate --help)");
    expect(usage(['--port', '1'])).toBe('belfry start: unknown option --port (see belfry start --help)');
    for (const argv of [['frobnicate'], ['token', '--usr', 'x'], ['send', 'a', 'b']]) expect(usage(argv)).not.toContain('\n');
  });

  test('token: the TTL defaults to an hour and may not exceed JWT_MAX_TTL', () => {
    expect(tokenRequest({ user: 'ada' }, 86_400)).toEqual({ userId: 'ada', ttlSeconds: 3600 });
    expect(tokenRequest({ user: 'ada' }, 600)).toEqual({ userId: 'ada', ttlSeconds: 600 });
    expect(tokenRequest({ user: 'ada', ttl: '15m' }, 86_400)).toEqual({ userId: 'ada', ttlSeconds: 900 });
    expect(() => tokenRequest({ user: 'ada', ttl: '2d' }, 86_400)).toThrow('longer than JWT_MAX_TTL');
    expect(() => tokenRequest({ user: 'ada', ttl: 'soon' }, 86_400)).toThrow('--ttl must be a duration');
    expect(() => tokenRequest({}, 86_400)).toThrow('--user is required');
    expect(() => tokenRequest({ user: 'a\u0000b' }, 86_400)).toThrow(UsageError);
  });

  test('send: flags or a file, not both; missing pieces named', async () => {
    expect(await eventsFrom({ user: 'ada', type: 'comment' }, ['hi'])).toEqual([{ user_id: 'ada', type: 'comment', message: 'hi' }]);
    expect(eventsFrom({ user: 'ada' }, [])).rejects.toThrow('belfry send: --type, "message" required');
    expect(eventsFrom({ file: 'x.json', user: 'ada' }, [])).rejects.toThrow('either --file or --user');
    expect(eventsFrom({ file: '/nonexistent/events.json' }, [])).rejects.toThrow('does not exist');
  });
});

describe('the program', () => {
  test('--help and <command> --help print to stdout and exit 0', async () => {
    const main = await belfry(['--help']);
    expect(main.code).toBe(0);
    expect(main.stdout).toContain('Usage: belfry <command>');
    const send = await belfry(['send', '--help']);
    expect(send.code).toBe(0);
    expect(send.stdout).toContain('--file FILE');
  });

  test('bad flags: one line on stderr, exit code 2, no stack', async () => {
    for (const args of [['token', '--bogus'], ['send', '--user', 'ada'], ['token', '--user', 'ada', '--ttl', 'forever'], ['nope']]) {
      const result = await belfry(args, { JWT_SECRET: 's'.repeat(40) });
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).not.toContain('    at ');
      expect(result.stdout).toBe('');
    }
  });

  test('token without a secret anywhere says where it looked, exit 2', async () => {
    const result = await belfry(['token', '--user', 'ada'], { BELFRY_HOME: '/nonexistent/belfry-home' });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('JWT_SECRET is unset and /nonexistent/belfry-home/secrets.json does not exist: set JWT_SECRET to the server\'s, or run this where belfry started once');
  });
});
