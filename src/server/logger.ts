import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * Creates the process logger: JSON lines with pino's standard keys. Object
 * bodies are never passed to it; the `redact` list is a second line of defence
 * for fields that could carry them.
 */
export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      name: 'netpol-guard',
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: ['object', 'oldObject', 'request.object', 'request.oldObject', 'body'], censor: '[redacted]' },
    },
    options.destination,
  );
}
