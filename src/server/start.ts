import type { FastifyInstance } from 'fastify';
import fastify, { LogController } from 'fastify';
import type { Server as TlsServer } from 'node:tls';
import type { Logger } from 'pino';
import { Reviewer, type BaselineCoordinator, type StateHealth } from '../admission/reviewer.js';
import type { Config } from '../config/types.js';
import type { DnsTarget } from '../engine/index.js';
import { countActiveExemptions } from '../rules/exemptions.js';
import type { UserInfo } from '../rules/types.js';
import type { StateStore } from '../state/store.js';
import { httpsServerOptions, TlsSource } from '../tls/tls-source.js';
import { buildApp } from './app.js';
import { WebhookMetrics } from './metrics.js';

/** The source of the cluster state (files or informers) and its freshness. */
export interface StateProvider {
  store: StateStore;
  health(): StateHealth;
  dnsTargets?(): readonly DnsTarget[];
  baseline?: BaselineCoordinator;
  rbacApprover?: (user: UserInfo) => Promise<boolean>;
  /** True when the store lists every namespace, so an unknown one is newly created. */
  knowsEveryNamespace?: boolean;
  stop?(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  logger: Logger;
  state: StateProvider;
  tls: { certFile: string; keyFile: string; pollIntervalMs?: number };
  metrics?: WebhookMetrics;
  /** Serve /metrics on config.server.metricsPort; off in tests that do not need it. */
  metricsListener?: boolean;
}

export interface RunningServer {
  app: FastifyInstance;
  metricsApp?: FastifyInstance;
  metrics: WebhookMetrics;
  tls: TlsSource;
  /** The port the webhook listens on (useful when config.server.port is 0). */
  port: number;
  metricsPort?: number;
  /** Stops accepting connections, lets in-flight reviews finish, then releases everything. */
  close(): Promise<void>;
}

/** Starts the HTTPS webhook (and the plain-HTTP metrics listener) from a loaded state. */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config, logger, state } = options;
  const metrics = options.metrics ?? new WebhookMetrics({ processMetrics: true });

  const tls = new TlsSource({
    certFile: options.tls.certFile,
    keyFile: options.tls.keyFile,
    logger,
    ...(options.tls.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.tls.pollIntervalMs }),
    onReload: () => metrics.tlsReloads.inc({ result: 'success' }),
    onReloadError: () => metrics.tlsReloads.inc({ result: 'failure' }),
  });
  await tls.start();

  const reviewer = new Reviewer({
    state: state.store,
    config,
    logger,
    health: () => state.health(),
    ...(state.dnsTargets ? { dnsTargets: () => state.dnsTargets!() } : {}),
    ...(state.baseline ? { baseline: state.baseline } : {}),
    ...(state.rbacApprover ? { rbacApprover: state.rbacApprover } : {}),
    assumeBaselineForUnknownNamespaces: state.knowsEveryNamespace === true,
    onReview: (summary) => metrics.observeReview(summary),
  });
  const app = buildApp({
    reviewer,
    logger,
    readiness: () => state.health(),
    liveness: () => (tls.healthy() ? { ready: true } : { ready: false, reason: 'the serving certificate has expired' }),
    bodyLimit: config.server.bodyLimit,
    requestTimeoutMs: config.server.requestTimeoutMs,
    https: httpsServerOptions(tls),
  });
  try {
    await app.listen({ port: config.server.port, host: config.server.host });
  } catch (error) {
    // The TLS source watches files; left running it would keep the process alive after the error.
    tls.stop();
    throw error;
  }
  tls.attach(app.server as unknown as TlsServer);
  const port = (app.server.address() as { port: number }).port;

  let metricsApp: FastifyInstance | undefined;
  let metricsPort: number | undefined;
  if (options.metricsListener !== false) {
    metricsApp = fastify({ loggerInstance: logger, logController: new LogController({ disableRequestLogging: true }) }) as unknown as FastifyInstance;
    metricsApp.get('/metrics', async (_request, reply) => {
      const health = state.health();
      metrics.stateSynced.set(health.ready ? 1 : 0);
      // Counted at scrape time from the store, so the gauge follows annotation changes and expiries.
      const exemptions = countActiveExemptions(state.store, new Date());
      metrics.exemptionsActive.set({ scope: 'namespace' }, exemptions.namespace);
      metrics.exemptionsActive.set({ scope: 'workload' }, exemptions.workload);
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
    try {
      await metricsApp.listen({ port: config.server.metricsPort, host: config.server.host });
    } catch (error) {
      await app.close();
      tls.stop();
      throw Object.assign(error as Error, { port: config.server.metricsPort });
    }
    metricsPort = (metricsApp.server.address() as { port: number }).port;
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await app.close();
      await metricsApp?.close();
      tls.stop();
      await state.stop?.();
    })();
    return closing;
  };
  return { app, metrics, tls, port, close, ...(metricsApp ? { metricsApp } : {}), ...(metricsPort === undefined ? {} : { metricsPort }) };
}
