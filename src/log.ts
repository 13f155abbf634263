/**
 * The structured JSON logger. Created once in main.ts and passed in; tests pass a silent one.
 * Redaction is a second line of defence: no code path should hand it a token, a secret or a message body.
 */
import pino from 'pino';

export type Logger = pino.Logger;

/** Creates a JSON logger writing to stdout at the given level. */
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
