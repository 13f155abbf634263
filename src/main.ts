/**
 * The composition root, and the only module that reads the environment: command line → config → logger → the
 * command (src/cli/<command>.ts), which opens the connections it needs.
 *
 *   belfry [start]     run the server (WORKERS=N starts N processes sharing the port)
 *   belfry migrate     apply pending migrations and exit
 *   belfry send …      send notifications through a running belfry
 *   belfry token …     mint a user's token
 * From a clone: `bun src/main.ts …` or `bun run belfry …`; the single executable: `./dist/belfry …`.
 */
import { resolve } from 'node:path';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createLogger, prettyStream, resolveLogFormat } from './log.ts';
import { embeddedAssets } from './embedded-assets.ts';
import { explainStartupError } from './startup-errors.ts';
import { parseCommandLine, UsageError, type CommandLine } from './cli/commands.ts';
import type { CliContext } from './cli/context.ts';
import { startCommand } from './cli/start.ts';
import { migrateCommand } from './cli/migrate.ts';
import { sendCommand, SendError } from './cli/send.ts';
import { tokenCommand } from './cli/token.ts';

const executable = embeddedAssets() !== undefined;
const sourceRoot = executable ? undefined : resolve(import.meta.dir, '..');

/** Plain text on stderr (console.error would colour it on a terminal). */
const printError = (text: string) => void process.stderr.write(`${text}\n`);

let commandLine: CommandLine;
let config: Config;
try {
  commandLine = parseCommandLine(process.argv.slice(2));
  if (commandLine.kind === 'help') {
    console.log(commandLine.text);
    process.exit(0);
  }
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof UsageError || error instanceof ConfigError)) throw error;
  printError(error.message);
  process.exit(2);
}

const isTty = Boolean(process.stdout.isTTY);
const pretty = resolveLogFormat(config.logFormat, isTty) === 'pretty';
const log = createLogger(config.logLevel, pretty ? prettyStream(isTty) : undefined);

const context: CliContext = {
  config,
  log,
  // From a clone, relative paths start at the clone (as `bun run start` always did); the executable's at the working folder.
  baseDir: sourceRoot ?? process.cwd(),
  sourceRoot,
  selfCommand: executable ? [process.execPath] : [process.execPath, resolve(import.meta.dir, 'main.ts')],
  env: process.env,
  workerDatabaseUrl: process.env.BELFRY_WORKER === '1' ? process.env.BELFRY_WORKER_DATABASE_URL : undefined,
  out: (line) => console.log(line),
};

async function run(command: CommandLine & { kind: 'run' }): Promise<void> {
  switch (command.command) {
    case 'start':
      return startCommand(context);
    case 'migrate':
      return migrateCommand(context);
    case 'send':
      return sendCommand(context, command.values, command.positionals);
    case 'token':
      return tokenCommand(context, command.values);
  }
}

run(commandLine).catch((error: unknown) => {
  if (error instanceof UsageError) {
    printError(error.message);
    process.exit(2);
  }
  if (error instanceof SendError) {
    printError(error.message);
    process.exit(1);
  }
  // The stack is for whoever asks for it; the person at the terminal gets the cause and the fix.
  log.debug({ err: error }, 'start-up failed');
  printError(explainStartupError(error, { port: config.http.port, host: config.http.host, databaseUrl: config.database.url, redisUrl: config.redis.url, redisClusterNodes: config.redis.clusterNodes }));
  process.exit(1);
});
