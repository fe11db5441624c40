import type { StateHealth } from '../admission/reviewer.js';
import type { ReflectorStatus } from './reflector.js';

/** Readiness of the cluster state with the age it was computed from. */
export interface ClusterHealth extends StateHealth {
  /** Seconds since the state was last known current; 0 while every watch is open. */
  ageSeconds: number;
}

/**
 * Decides whether reviews may be decided on the mirrored state: every
 * informer must have stored its first list, and no watch may have been down
 * for longer than `maxAgeSeconds`, because changes made since then are unseen.
 */
export function clusterHealth(statuses: readonly ReflectorStatus[], nowMs: number, maxAgeSeconds: number): ClusterHealth {
  const oldest = Math.min(...statuses.map((status) => status.staleSince ?? nowMs), nowMs);
  const ageSeconds = Math.max(0, (nowMs - oldest) / 1000);

  const unsynced = statuses.filter((status) => !status.synced).map((status) => status.name);
  if (unsynced.length > 0) {
    return { ready: false, ageSeconds, reason: `the cluster state is not synced yet: waiting for the first list of ${unsynced.join(', ')}` };
  }

  if (ageSeconds > maxAgeSeconds) {
    const stale = statuses
      .filter((status) => status.staleSince !== undefined && (nowMs - status.staleSince) / 1000 > maxAgeSeconds)
      .map((status) => status.name);
    return {
      ready: false,
      ageSeconds,
      reason: `the cluster state is ${Math.floor(ageSeconds)} s old, over the limit of ${maxAgeSeconds} s (state.maxAgeSeconds): the watch of ${stale.join(', ')} is down`,
    };
  }
  return { ready: true, ageSeconds };
}
