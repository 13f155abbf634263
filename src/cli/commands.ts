/**
 * The command line: which commands exist, their flags and help, parsed with node:util parseArgs.
 * A bad command line is a UsageError: one line, exit code 2, never a stack.
 */
import { parseArgs } from 'node:util';

/** A command line belfry cannot run; main.ts prints the message and exits with 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

type OptionSpec = { type: 'string' | 'boolean'; short?: string };

interface CommandSpec {
  summary: string;
  usage: string;
  options: Record<string, OptionSpec>;
  /** How many positional arguments it takes. */
  positionals: number;
  details: string;
}

const help: OptionSpec = { type: 'boolean', short: 'h' };

/** Every command: its one-line summary, usage, flags and help text. */
export const commandSpecs = {
  start: {
    summary: 'run the server (the default command)',
    usage: 'belfry [start]',
    options: { help },
    positionals: 0,
    details: [
      'Configured by environment variables (README, "Configuration"). With neither DATABASE_URL nor REDIS_URL it runs',
      'the embedded default: a local PostgreSQL, an in-process bus and generated secrets.',
    ].join('\n'),
  },
  migrate: {
    summary: 'apply pending database migrations and exit',
    usage: 'belfry migrate',
    options: { help },
    positionals: 0,
    details: 'Uses DATABASE_URL, or the embedded Postgres when it is unset. belfry start applies them too.',
  },
  send: {
    summary: 'send notifications through a running belfry',
    usage: 'belfry send --user USER --type TYPE "message"\n       belfry send --file events.json',
    options: {
      help,
      user: { type: 'string', short: 'u' },
      type: { type: 'string', short: 't' },
      'idempotency-key': { type: 'string' },
      file: { type: 'string', short: 'f' },
      url: { type: 'string' },
    },
    positionals: 1,
    details: [
      'Options:',
      '  -u, --user USER          the user to notify',
      '  -t, --type TYPE          the notification type (e.g. comment)',
      '      --idempotency-key K  the same key for the same user creates nothing new',
      '  -f, --file FILE          a JSON array of events ({"user_id","type","message"}), sent in order',
      '      --url URL            the server (default http://127.0.0.1:$PORT)',
      'The ingest key is INGEST_API_KEY, or the one generated in .belfry/secrets.json. Prints one id per line.',
    ].join('\n'),
  },
  token: {
    summary: "mint a user's token (JWT) for the bell, the API and the WebSocket",
    usage: 'belfry token --user USER [--ttl 1h]',
    options: { help, user: { type: 'string', short: 'u' }, ttl: { type: 'string' } },
    positionals: 0,
    details: [
      'Options:',
      '  -u, --user USER   the user the token is for (its `sub`)',
      '      --ttl TTL     lifetime: 3600, 90s, 15m, 1h, 7d (default 1h, at most JWT_MAX_TTL)',
      'Signed with JWT_SECRET, or the one generated in .belfry/secrets.json; carries JWT_AUDIENCE when set.',
    ].join('\n'),
  },
} satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof commandSpecs;

export type CommandLine =
  | { kind: 'help'; text: string }
  | { kind: 'run'; command: CommandName; values: Record<string, string | boolean | undefined>; positionals: string[] };

const isCommand = (name: string): name is CommandName => Object.hasOwn(commandSpecs, name);

/** `belfry --help`. */
export function mainHelp(): string {
  const width = Math.max(...Object.keys(commandSpecs).map((name) => name.length));
  const lines = Object.entries(commandSpecs).map(([name, spec]) => `  ${name.padEnd(width)}  ${spec.summary}`);
  return ['belfry: a notification service', '', 'Usage: belfry <command> [options]', '', 'Commands:', ...lines, '', 'Run `belfry <command> --help` for its options.'].join('\n');
}

/** `belfry <command> --help`. */
export function commandHelp(name: CommandName): string {
  const spec: CommandSpec = commandSpecs[name];
  return [`belfry ${name}: ${spec.summary}`, '', `Usage: ${spec.usage}`, '', spec.details].join('\n');
}

/** Turns parseArgs' errors into one line that says what to change. */
function usageProblem(error: unknown, name: CommandName): UsageError {
  const { code, message } = error as { code?: string; message?: string };
  // parseArgs quotes the option as typed ('--usr') or as declared ('-u, --user <value>'): keep the long name.
  const quoted = /'(-[^']*)'/.exec(message ?? '')?.[1] ?? '';
  const option = /--[\w-]+/.exec(quoted)?.[0] ?? quoted.split(' ')[0];
  const see = `(see belfry ${name} --help)`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return new UsageError(`belfry ${name}: unknown option ${option ?? ''} ${see}`);
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return new UsageError(`belfry ${name}: option ${option ?? ''} needs a value ${see}`);
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return new UsageError(`belfry ${name}: unexpected argument ${see}`);
  return new UsageError(`belfry ${name}: ${message ?? String(error)} ${see}`);
}

/** Parses `argv` (without the program): the command, its flags and its arguments, or a help text. */
export function parseCommandLine(argv: string[]): CommandLine {
  const [first] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    const topic = argv[1];
    if (first === 'help' && topic !== undefined) {
      if (!isCommand(topic)) throw new UsageError(`belfry: unknown command '${topic}' (see belfry --help)`);
      return { kind: 'help', text: commandHelp(topic) };
    }
    return { kind: 'help', text: mainHelp() };
  }
  const named = first !== undefined && !first.startsWith('-');
  if (named && !isCommand(first)) throw new UsageError(`belfry: unknown command '${first}' (see belfry --help)`);
  const command: CommandName = named ? (first as CommandName) : 'start';
  const spec: CommandSpec = commandSpecs[command];
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: named ? argv.slice(1) : argv, options: spec.options, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageProblem(error, command);
  }
  if (parsed.values.help) return { kind: 'help', text: commandHelp(command) };
  if (parsed.positionals.length > spec.positionals) {
    throw new UsageError(`belfry ${command}: unexpected argument '${parsed.positionals[spec.positionals]}' (see belfry ${command} --help)`);
  }
  return { kind: 'run', command, values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
}
