/**
 * The structured logger. Created once in main.ts and passed in; tests pass a silent one.
 * JSON lines for machines; on a terminal, readable lines (pino-pretty, as a stream in this thread: a pino transport
 * loads its target by file path in a worker, which the single executable cannot do).
 * Redaction is a second line of defence: no code path should hand it a token, a secret or a message body.
 */
import pino from 'pino';
import pretty from 'pino-pretty';

export type Logger = pino.Logger;

export type LogFormat = 'auto' | 'json' | 'pretty';

/** `auto` is pretty on a terminal and JSON everywhere else (a pipe, a file, a log collector). */
export function resolveLogFormat(format: LogFormat, isTty: boolean): 'json' | 'pretty' {
  return format === 'auto' ? (isTty ? 'pretty' : 'json') : format;
}

/** A stream writing readable lines to stdout, in colour on a terminal. */
export function prettyStream(colorize: boolean): pino.DestinationStream {
  return pretty({ colorize, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' });
}

/** Creates a logger writing JSON lines to stdout (or to `destination`) at the given level. */
export function createLogger(level: pino.LevelWithSilent = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'belfry', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['token', 'authorization', 'headers.authorization', 'secret', 'jwtSecret', 'ingestApiKey', 'message'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
