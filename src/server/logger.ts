import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * Creates the process logger: JSON lines with pino's standard keys. Object
 * bodies are never passed to it; the `redact` list is a second line of defence
 * for fields that could carry them.
 *
 * Without a `destination`, lines go to stdout asynchronously, because a
 * synchronous write() per review held the event loop in a system call for
 * every log line (profiled with `npm run bench`). sonic-boom joins lines that
 * arrive while a write is in flight, and pino flushes what is buffered when
 * the process exits, so only a SIGKILL can lose the lines still in flight.
 */
export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      name: 'netpol-guard',
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: ['object', 'oldObject', 'request.object', 'request.oldObject', 'body'], censor: '[redacted]' },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
