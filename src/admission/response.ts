import type { AdmissionApiVersion } from './envelope.js';
import type { Decision } from './decision.js';

/**
 * The API server drops a warning over 120 characters or with control
 * characters, and past 4096 characters in all it truncates each warning to
 * 256 (k8s.io/apiserver/pkg/admission/plugin/webhook: warning limits), so
 * warnings are trimmed here to arrive as written.
 */
export const MAX_WARNING_LENGTH = 120;
export const MAX_WARNINGS_TOTAL = 4096;

/** Audit annotation keys are joined to the webhook name with `/`, so they must be label names without one. */
const AUDIT_KEY = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const MAX_AUDIT_VALUE_LENGTH = 1024;

export type Endpoint = 'validate' | 'mutate';

export interface HttpAnswer {
  statusCode: number;
  body: unknown;
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/** Removes control characters, shortens each warning and keeps the total within the API server's budget. */
export function sanitizeWarnings(warnings: readonly string[]): string[] {
  const result: string[] = [];
  let total = 0;
  for (const warning of warnings) {
    let text = warning.replace(CONTROL_CHARACTERS, ' ').trim();
    if (text.length > MAX_WARNING_LENGTH) text = `${text.slice(0, MAX_WARNING_LENGTH - 3)}...`;
    if (text === '' || result.includes(text)) continue;
    if (total + text.length > MAX_WARNINGS_TOTAL) break;
    result.push(text);
    total += text.length;
  }
  return result;
}

/** Drops audit annotations with invalid keys and shortens long values. */
export function sanitizeAuditAnnotations(annotations: Readonly<Record<string, string>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(annotations)) {
    if (key.length > 63 || !AUDIT_KEY.test(key)) continue;
    result[key] = value.length > MAX_AUDIT_VALUE_LENGTH ? `${value.slice(0, MAX_AUDIT_VALUE_LENGTH - 3)}...` : value;
  }
  return result;
}

/** Builds an HTTP error body: one line, never a stack. */
export function errorBody(statusCode: number, message: string): { code: number; message: string } {
  return { code: statusCode, message };
}

/**
 * Writes a decision as the API server expects it: HTTP 200 with the request's
 * apiVersion and uid, `allowed` always a boolean, a patch (base64, with
 * patchType) only from the mutating endpoint, and denials with status code
 * 400 or more. Internal faults become HTTP 500 so the failurePolicy applies.
 */
export function completeResponse(
  identity: { uid: string; apiVersion: AdmissionApiVersion },
  endpoint: Endpoint,
  decision: Decision,
): HttpAnswer {
  if (decision.type === 'errored') {
    return { statusCode: 500, body: errorBody(500, decision.message) };
  }

  const response: Record<string, unknown> = { uid: identity.uid };
  if (decision.type === 'bad-request') {
    response.allowed = false;
    response.status = { status: 'Failure', code: 400, reason: 'BadRequest', message: decision.message };
  } else {
    response.allowed = decision.type === 'allowed';
    if (decision.type === 'denied') {
      response.status = { status: 'Failure', code: decision.code, reason: 'Forbidden', message: decision.message };
    }
    const warnings = sanitizeWarnings(decision.warnings);
    if (warnings.length > 0) response.warnings = warnings;
    const auditAnnotations = sanitizeAuditAnnotations(decision.auditAnnotations);
    if (Object.keys(auditAnnotations).length > 0) response.auditAnnotations = auditAnnotations;
    if (decision.type === 'allowed' && decision.patch && decision.patch.length > 0) {
      if (endpoint !== 'mutate') {
        // The API server fails a validating call that carries a patch; this is a bug, never an allow.
        return { statusCode: 500, body: errorBody(500, 'internal error: a validating review produced a patch') };
      }
      response.patchType = 'JSONPatch';
      response.patch = Buffer.from(JSON.stringify(decision.patch)).toString('base64');
    }
  }
  return { statusCode: 200, body: { apiVersion: identity.apiVersion, kind: 'AdmissionReview', response } };
}
