import { evaluate, type PolicySource } from './evaluate.js';
import type { PodEndpoint, Protocol } from './types.js';

/** `matrix[from][to]` is true when `from` may open a connection to `to`; keys are `<namespace>/<name>`. */
export type ReachabilityMatrix = Record<string, Record<string, boolean>>;

export function podKey(pod: PodEndpoint): string {
  return `${pod.namespace}/${pod.name ?? ''}`;
}

/**
 * Resolves a port given by number or by name against the destination pod:
 * returns the number, or undefined when the pod exposes no such named port.
 */
export function resolvePort(destination: PodEndpoint | undefined, port: number | string, protocol: Protocol): number | undefined {
  if (typeof port === 'number') return port;
  const match = (destination?.ports ?? []).find(
    (containerPort) => containerPort.name === port && (containerPort.protocol ?? 'TCP') === protocol,
  );
  return match?.containerPort;
}

/** Computes reachability between every ordered pair of `pods` on one port and protocol. */
export function reachabilityMatrix(
  source: PolicySource,
  pods: readonly PodEndpoint[],
  port: number | string,
  protocol: Protocol,
): ReachabilityMatrix {
  const matrix: ReachabilityMatrix = {};
  for (const from of pods) {
    const row: Record<string, boolean> = {};
    for (const to of pods) {
      const resolved = resolvePort(to, port, protocol);
      row[podKey(to)] =
        resolved !== undefined &&
        evaluate(source, { source: from, destination: to, port: resolved, protocol }).allowed;
    }
    matrix[podKey(from)] = row;
  }
  return matrix;
}
