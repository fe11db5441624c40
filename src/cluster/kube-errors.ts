/**
 * Reading errors from @kubernetes/client-node 1.x: typed API calls throw an
 * ApiException with `code` and the Status body as text, and the Watch class
 * reports a non-200 response as an Error with `statusCode`.
 */

interface StatusBody {
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: Array<{ type?: string }> };
}

function statusBody(error: unknown): StatusBody | undefined {
  const body = (error as { body?: unknown } | null)?.body;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as unknown;
      return parsed !== null && typeof parsed === 'object' ? (parsed as StatusBody) : undefined;
    } catch {
      return undefined;
    }
  }
  return body !== null && typeof body === 'object' ? (body as StatusBody) : undefined;
}

/** Returns the HTTP status code of a failed API call, or undefined for network errors. */
export function statusCodeOf(error: unknown): number | undefined {
  const candidate = error as { code?: unknown; statusCode?: unknown } | null;
  if (typeof candidate?.code === 'number') return candidate.code;
  if (typeof candidate?.statusCode === 'number') return candidate.statusCode;
  return undefined;
}

/** True for 410 Gone: the resourceVersion is older than the server's history, so the client must list again. */
export function isGone(error: unknown): boolean {
  return statusCodeOf(error) === 410;
}

/**
 * True when a write failed because its namespace is gone or being deleted:
 * 404, or the NamespaceLifecycle admission plugin's 403 with cause
 * `NamespaceTerminating`.
 */
export function isNamespaceGone(error: unknown): boolean {
  const code = statusCodeOf(error);
  if (code === 404) return true;
  if (code !== 403) return false;
  const body = statusBody(error);
  return body?.details?.causes?.some((cause) => cause.type === 'NamespaceTerminating') === true || /being terminated/.test(body?.message ?? '');
}

/**
 * Describes an error in one line for logs: the HTTP status and the Status
 * message, never headers or object bodies.
 */
export function describeError(error: unknown): string {
  const code = statusCodeOf(error);
  const message = statusBody(error)?.message;
  if (code !== undefined) return message ? `HTTP ${code}: ${message}` : `HTTP ${code}`;
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const causeCode = (cause as { code?: unknown } | null)?.code ?? (error as { code?: unknown }).code;
    return typeof causeCode === 'string' ? `${error.message} (${causeCode})` : error.message;
  }
  return String(error);
}

/** Builds an Error from a Status sent as a watch ERROR event. */
export function statusError(status: unknown): Error & { statusCode?: number; body?: unknown } {
  const body = (status ?? {}) as StatusBody;
  const error: Error & { statusCode?: number; body?: unknown } = new Error(body.message ?? 'watch error event');
  if (typeof body.code === 'number') error.statusCode = body.code;
  error.body = body;
  return error;
}
