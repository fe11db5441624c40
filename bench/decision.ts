/**
 * Names the outcome of one review from its HTTP status and body, so the
 * report shows which path a scenario measured: `allowed`, `patched`,
 * `denied (403)`, or `HTTP 500` for a response that is not an AdmissionReview.
 */
export function decisionOf(statusCode: number, body: unknown): string {
  const response = (body as { response?: { allowed?: unknown; patch?: unknown; status?: { code?: unknown } } } | null)?.response;
  if (statusCode !== 200 || response === undefined) return `HTTP ${statusCode}`;
  if (response.allowed === true) return response.patch === undefined ? 'allowed' : 'patched';
  return `denied (${String(response.status?.code ?? 'no code')})`;
}
