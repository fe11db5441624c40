import type { FastifyPluginAsync } from 'fastify';
import type { Reviewer } from '../admission/reviewer.js';
import type { Endpoint } from '../admission/response.js';

export interface AdmissionRoutesOptions {
  reviewer: Reviewer;
}

const errorSchema = {
  type: 'object',
  required: ['code', 'message'],
  properties: { code: { type: 'integer' }, message: { type: 'string' } },
} as const;

/**
 * Schemas of every response the reviewer writes, so fastify serializes them
 * with a compiled serializer instead of JSON.stringify. They must list every
 * field: fast-json-stringify drops fields the schema does not name, and the
 * admission tests compare whole response bodies to catch that.
 */
const responseSchemas = {
  200: {
    type: 'object',
    required: ['apiVersion', 'kind', 'response'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      response: {
        type: 'object',
        required: ['uid', 'allowed'],
        properties: {
          uid: { type: 'string' },
          allowed: { type: 'boolean' },
          status: {
            type: 'object',
            properties: {
              status: { type: 'string' },
              code: { type: 'integer' },
              reason: { type: 'string' },
              message: { type: 'string' },
            },
          },
          warnings: { type: 'array', items: { type: 'string' } },
          auditAnnotations: { type: 'object', additionalProperties: { type: 'string' } },
          patchType: { type: 'string' },
          patch: { type: 'string' },
        },
      },
    },
  },
  '4xx': errorSchema,
  '5xx': errorSchema,
} as const;

/**
 * POST /validate and POST /mutate. The API server appends `?timeout=10s`;
 * the query is ignored because the server's own request timeout applies.
 */
export const admissionRoutes: FastifyPluginAsync<AdmissionRoutesOptions> = async (app, { reviewer }) => {
  const handle = (endpoint: Endpoint) => async (request: { body: unknown }, reply: { code(statusCode: number): { send(body: unknown): unknown } }) => {
    const answer = await reviewer.review(request.body, endpoint);
    return reply.code(answer.statusCode).send(answer.body);
  };
  app.post('/validate', { schema: { response: responseSchemas } }, handle('validate'));
  app.post('/mutate', { schema: { response: responseSchemas } }, handle('mutate'));
};
