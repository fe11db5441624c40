import fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import type { Logger } from 'pino';
import type { Reviewer, StateHealth } from '../admission/reviewer.js';
import { DEFAULT_BODY_LIMIT } from '../config/defaults.js';
import { describeHttpError } from './errors.js';
import { admissionRoutes } from './routes.js';

export interface AppOptions {
  reviewer: Reviewer;
  logger: Logger;
  /** Readiness for `/readyz`: the cluster state is loaded and fresh. */
  readiness: () => StateHealth;
  /** Liveness details for `/healthz`, such as whether the certificate is valid. */
  liveness?: () => StateHealth;
  bodyLimit?: number;
  requestTimeoutMs?: number;
  https?: HttpsServerOptions;
}

/**
 * Returns timeouts for the Node server itself. fastify sets `requestTimeout`
 * after the server exists, and Node then checks it only every 30 s
 * (`connectionsCheckingInterval`), so a slow body was cut off after about
 * 90 s instead of the configured time.
 */
function serverTimeouts(requestTimeoutMs: number): { requestTimeout: number; headersTimeout: number; connectionsCheckingInterval: number } {
  return {
    requestTimeout: requestTimeoutMs,
    headersTimeout: requestTimeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(requestTimeoutMs / 4))),
  };
}

/**
 * Builds the webhook's fastify app without listening, so tests can use
 * `inject()` and the entry point decides where to listen.
 */
export function buildApp(options: AppOptions): FastifyInstance {
  const serverOptions: FastifyServerOptions & { https?: HttpsServerOptions } = {
    loggerInstance: options.logger,
    // The reviewer writes one line per review; fastify's per-request lines would double it.
    logController: new LogController({ disableRequestLogging: true }),
    // fastify would make a child logger per request only to add a request id; the reviewer binds the uid instead.
    childLoggerFactory: (logger) => logger,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // An AdmissionReview never needs these keys; rejecting them closes prototype-pollution paths.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    requestTimeout: options.requestTimeoutMs ?? 10_000,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ...(options.https ? { https: { ...serverTimeouts(options.requestTimeoutMs ?? 10_000), ...options.https } } : {}),
  };
  const app = fastify(serverOptions as FastifyServerOptions) as unknown as FastifyInstance;
  // The API server always sends application/json; other types get 415 instead of a confusing 400.
  app.removeContentTypeParser('text/plain');

  app.setErrorHandler((error, request, reply) => {
    const { statusCode, message } = describeHttpError(error as never, serverOptions.bodyLimit);
    if (statusCode >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: (error as { code?: string }).code, statusCode }, 'rejected request');
    void reply.code(statusCode).send({ code: statusCode, message });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ code: 404, message: `no route for ${request.method} ${request.url.split('?')[0]}; use POST /validate or POST /mutate` });
  });

  app.get('/healthz', async (_request, reply) => {
    const health = options.liveness?.() ?? { ready: true };
    return reply.code(health.ready ? 200 : 500).send({ status: health.ready ? 'ok' : 'failing', ...(health.reason ? { reason: health.reason } : {}) });
  });
  app.get('/readyz', async (_request, reply) => {
    const health = options.readiness();
    return reply.code(health.ready ? 200 : 503).send({ status: health.ready ? 'ready' : 'not ready', ...(health.reason ? { reason: health.reason } : {}) });
  });

  void app.register(admissionRoutes, { reviewer: options.reviewer });
  return app;
}
