import type { FastifyError } from 'fastify';

/** Maps fastify's body-parsing errors to one-line reasons; never a stack. */
const MESSAGES: Record<string, { statusCode: number; message: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    statusCode: 415,
    message: 'unsupported content type; send the AdmissionReview as Content-Type: application/json',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: { statusCode: 413, message: 'request body is larger than the configured limit (server.bodyLimit)' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { statusCode: 400, message: 'request body is empty; send an AdmissionReview' },
  FST_ERR_CTP_INVALID_JSON_BODY: { statusCode: 400, message: 'request body is not valid JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { statusCode: 400, message: 'request body length does not match Content-Length' },
  FST_ERR_CTP_INVALID_TYPE: { statusCode: 415, message: 'invalid Content-Type header; use application/json' },
};

/** Returns the HTTP status and the one-line message for an error raised before a route ran. */
export function describeHttpError(error: FastifyError, bodyLimit?: number): { statusCode: number; message: string } {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' && bodyLimit !== undefined) {
    return { statusCode: 413, message: `request body is larger than the limit of ${bodyLimit} bytes (server.bodyLimit)` };
  }
  const known = error.code ? MESSAGES[error.code] : undefined;
  if (known) return known;
  if (error instanceof SyntaxError) return { statusCode: 400, message: `request body is not valid JSON: ${error.message.split('\n')[0]}` };
  const statusCode = error.statusCode ?? 500;
  if (statusCode >= 400 && statusCode < 500) {
    // Prototype poisoning and similar parser rejections carry a safe one-line message.
    return { statusCode, message: error.message.split('\n')[0] ?? 'bad request' };
  }
  return { statusCode: 500, message: 'internal error; see the webhook log' };
}
