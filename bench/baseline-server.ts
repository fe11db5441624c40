import fastify, { type FastifyInstance } from 'fastify';
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import { DEFAULT_BODY_LIMIT } from '../src/config/defaults.js';

interface ReviewBody {
  apiVersion?: string;
  request?: { uid?: string };
}

/**
 * Builds the benchmark's reference point: a bare fastify HTTPS server with the
 * webhook's certificate, body limit and keep-alive defaults, that parses the
 * same JSON and responds to every review with a fixed allow. The webhook's figures
 * are read as a share of what this server reaches in the same run.
 */
export function buildBaselineServer(https: HttpsServerOptions): FastifyInstance {
  const app = fastify({ https, bodyLimit: DEFAULT_BODY_LIMIT }) as unknown as FastifyInstance;
  const respond = async (request: { body: unknown }) => {
    const body = request.body as ReviewBody;
    return {
      apiVersion: body.apiVersion ?? 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: body.request?.uid ?? '', allowed: true },
    };
  };
  app.post('/validate', respond);
  app.post('/mutate', respond);
  return app;
}
