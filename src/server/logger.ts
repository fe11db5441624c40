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
    options.destination ?? bufferedStdout(),
  );
}

/** Bytes of log lines collected before one write; about ten review lines. */
const LOG_BUFFER_BYTES = 4096;
/** Maximum time a line waits in the buffer when traffic is low, in milliseconds. */
const LOG_FLUSH_INTERVAL_MS = 1000;

/**
 * Returns stdout as a buffered asynchronous destination. Writing each review's
 * line on its own cost one system call per review, the largest item after TLS
 * in the benchmark's profile. Collecting lines into 4 KiB writes removes most
 * of them, and the timer bounds how long a line waits.
 */
function bufferedStdout(): DestinationStream {
  const destination = pino.destination({ dest: 1, sync: false, minLength: LOG_BUFFER_BYTES });
  const timer = setInterval(() => {
    // flush() throws while the stream is still opening or after it closed; the next tick retries.
    try {
      destination.flush();
    } catch {
      // Nothing to do: the buffer is written by the next flush or at exit.
    }
  }, LOG_FLUSH_INTERVAL_MS);
  timer.unref();
  return destination;
}
