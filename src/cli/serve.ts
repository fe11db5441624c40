import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { createLogger } from '../server/logger.js';
import { WebhookMetrics } from '../server/metrics.js';
import { startServer, type StateProvider } from '../server/start.js';
import { TlsFileError } from '../tls/tls-source.js';
import { loadStateFromFiles } from '../state/load-files.js';
import { EXIT_OK, UsageError, writeLine, type CliIo } from './io.js';

const HELP = `Usage: netpol-guard serve [--config FILE] (--state PATH... | --kubeconfig FILE | --in-cluster)
                         --tls-cert FILE --tls-key FILE [--port 8443] [--host 0.0.0.0] [--metrics-port 9090]

Runs the admission webhook over HTTPS: POST /validate, POST /mutate, GET /healthz, GET /readyz,
and Prometheus metrics on GET /metrics on a separate plain-HTTP port.

Options:
  --config FILE        configuration file (YAML or JSON); defaults apply without it
  --state PATH         read the cluster state from manifests (files or folders); repeatable
  --kubeconfig FILE    read the cluster state from the API server with this kubeconfig
  --in-cluster         read the cluster state with the pod's service account
  --port N             HTTPS port (default 8443, or server.port in the configuration)
  --host ADDRESS       address to listen on (default 0.0.0.0)
  --metrics-port N     plain-HTTP port for /metrics (default 9090)
  --tls-cert FILE      serving certificate (PEM); reloaded when it changes on disk
  --tls-key FILE       private key of the serving certificate (PEM)
  -h, --help           show this help

SIGTERM stops accepting connections, lets in-flight reviews finish and exits with 0.`;

function parsePort(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`${option} ${JSON.stringify(value)} is invalid; use 0 to 65535`);
  return port;
}

async function fileState(paths: string[], logger: Logger): Promise<StateProvider> {
  const loaded = await loadStateFromFiles(paths).catch((error: Error) => {
    throw new UsageError(error.message);
  });
  for (const problem of loaded.invalidPolicies) {
    logger.warn({ policy: problem.policy, field: problem.field, file: problem.file, line: problem.line, reason: problem.message }, 'skipped invalid network policy');
  }
  logger.info({ paths, ...loaded.store.counts() }, 'state loaded from files');
  return { store: loaded.store, health: () => ({ ready: true }) };
}

async function clusterState(options: { kubeconfig?: string; config: Config; logger: Logger; metrics: WebhookMetrics }): Promise<StateProvider> {
  if (options.kubeconfig !== undefined && !existsSync(options.kubeconfig)) {
    throw new UsageError(`--kubeconfig ${options.kubeconfig}: not found`);
  }
  const { startClusterState } = await import('../cluster/runtime.js');
  try {
    return await startClusterState(options);
  } catch (error) {
    throw new UsageError(`cannot load the cluster configuration: ${(error as Error).message}`);
  }
}

/** Turns start-up failures a user can fix (certificate files, a busy port) into one-line errors. */
function startupError(error: unknown, port: number): unknown {
  if (error instanceof TlsFileError) return new UsageError(`${error.message}; check --tls-cert and --tls-key`);
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') return new UsageError(`port ${port} is already in use; pass another --port or --metrics-port`);
  if ((error as NodeJS.ErrnoException).code === 'EACCES') return new UsageError(`no permission to listen on port ${port}; use a port above 1023`);
  return error;
}

export async function runServe(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      state: { type: 'string', multiple: true },
      kubeconfig: { type: 'string' },
      'in-cluster': { type: 'boolean', default: false },
      port: { type: 'string' },
      host: { type: 'string' },
      'metrics-port': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    writeLine(io.stdout, HELP);
    return EXIT_OK;
  }
  const sources = [values.state?.length ? 1 : 0, values.kubeconfig ? 1 : 0, values['in-cluster'] ? 1 : 0].reduce((a, b) => a + b, 0);
  if (sources !== 1) throw new UsageError('give exactly one of --state PATH, --kubeconfig FILE or --in-cluster');
  if (!values['tls-cert'] || !values['tls-key']) throw new UsageError('--tls-cert and --tls-key are required: the API server only calls webhooks over HTTPS');

  const config = await loadConfig(values.config).catch((error: Error) => {
    throw new UsageError(error.message);
  });
  const port = parsePort(values.port, '--port');
  const metricsPort = parsePort(values['metrics-port'], '--metrics-port');
  if (port !== undefined) config.server.port = port;
  if (metricsPort !== undefined) config.server.metricsPort = metricsPort;
  if (values.host) config.server.host = values.host;

  const logger = createLogger({ ...(io.env.LOG_LEVEL ? { level: io.env.LOG_LEVEL } : {}) });
  // One registry for the server and the cluster state, so /metrics shows both.
  const metrics = new WebhookMetrics({ processMetrics: true });
  const state = values.state?.length
    ? await fileState(values.state, logger)
    : await clusterState({ ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}), config, logger, metrics });

  const server = await startServer({
    config,
    logger,
    state,
    metrics,
    tls: { certFile: values['tls-cert'], keyFile: values['tls-key'] },
  }).catch(async (error: unknown) => {
    await state.stop?.();
    throw startupError(error, (error as { port?: number }).port ?? config.server.port);
  });
  logger.info({ port: server.port, metricsPort: server.metricsPort, mode: config.mode }, 'netpol-guard webhook listening');
  // Log lines are buffered; people and scripts wait for this one, so it goes out at once.
  logger.flush();

  await new Promise<void>((resolve) => {
    const shutdown = (signal: NodeJS.Signals): void => {
      logger.info({ signal }, 'shutting down: finishing in-flight reviews');
      const timer = setTimeout(() => {
        logger.error({ timeoutMs: config.server.shutdownTimeoutMs }, 'shutdown timed out; exiting with reviews in flight');
        resolve();
      }, config.server.shutdownTimeoutMs);
      timer.unref();
      server.close().then(
        () => {
          logger.info('shutdown complete');
          resolve();
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          resolve();
        },
      );
    };
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
  });
  return EXIT_OK;
}
