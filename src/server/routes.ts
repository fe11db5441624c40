import type { FastifyPluginAsync } from 'fastify';
import type { Reviewer } from '../admission/reviewer.js';
import type { Endpoint } from '../admission/response.js';

export interface AdmissionRoutesOptions {
  reviewer: Reviewer;
}

/**
 * POST /validate and POST /mutate. The API server appends `?timeout=10s`;
 * the query is ignored because the server's own request timeout applies.
 */
export const admissionRoutes: FastifyPluginAsync<AdmissionRoutesOptions> = async (app, { reviewer }) => {
  const handle = (endpoint: Endpoint) => async (request: { body: unknown }, reply: { code(statusCode: number): { send(body: unknown): unknown } }) => {
    const answer = await reviewer.review(request.body, endpoint);
    return reply.code(answer.statusCode).send(answer.body);
  };
  app.post('/validate', handle('validate'));
  app.post('/mutate', handle('mutate'));
};
