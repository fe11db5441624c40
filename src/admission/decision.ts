import type { JsonPatchOperation } from '../rules/namespace-baseline.js';

/**
 * The outcome of one review, before it is written as an AdmissionReview.
 * Built by the constructors below; the response module turns it into bytes.
 */
export type Decision =
  | { type: 'allowed'; warnings: string[]; auditAnnotations: Record<string, string>; patch?: JsonPatchOperation[] }
  | { type: 'denied'; code: number; message: string; warnings: string[]; auditAnnotations: Record<string, string> }
  | { type: 'bad-request'; message: string }
  | { type: 'errored'; message: string };

export function allowed(warnings: string[] = [], auditAnnotations: Record<string, string> = {}): Decision {
  return { type: 'allowed', warnings, auditAnnotations };
}

export function patched(patch: JsonPatchOperation[], warnings: string[] = [], auditAnnotations: Record<string, string> = {}): Decision {
  return { type: 'allowed', warnings, auditAnnotations, patch };
}

/** Builds a policy denial: HTTP 200 with `allowed: false` and status code 403. */
export function denied(message: string, warnings: string[] = [], auditAnnotations: Record<string, string> = {}): Decision {
  return { type: 'denied', code: 403, message, warnings, auditAnnotations };
}

/**
 * Builds the decision for input the webhook cannot decide on, such as an
 * object whose kind disagrees with the request: `allowed: false` and code 400.
 */
export function badRequest(message: string): Decision {
  return { type: 'bad-request', message };
}

/** Builds an internal fault: HTTP 500, so the API server applies the webhook's failurePolicy. */
export function errored(message: string): Decision {
  return { type: 'errored', message };
}
