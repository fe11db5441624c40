import { setTimeout as sleep } from 'node:timers/promises';

/** Exponential retry delays, in milliseconds. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** Growth per attempt; 2 unless set. */
  factor?: number;
}

/** Watch restarts and apply retries: 250 ms doubling up to 30 s, the order of client-go's reflector backoff. */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 30_000, factor: 2 };

/**
 * Returns the delay before retry `attempt` (1 for the first retry): the
 * capped exponential ceiling with "equal jitter", so the delay is between half
 * the ceiling and the ceiling. Jitter spreads out replicas that lost the API
 * server at the same moment.
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempt - 1);
  const ceiling = Math.min(policy.maxMs, policy.initialMs * (policy.factor ?? 2) ** exponent);
  return ceiling / 2 + (random() * ceiling) / 2;
}

/** Resolves after `ms`, or at once when `signal` aborts; never rejects. */
export async function delay(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, signal ? { signal } : undefined);
  } catch {
    // An abort means the caller is stopping; it checks its own state next.
  }
}
