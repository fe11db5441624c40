import { WORKLOAD_KINDS, type WorkloadKind } from '../state/objects.js';
import type { Operation, RuleScope } from './types.js';

const WRITE: readonly Operation[] = ['CREATE', 'UPDATE'];
const ALL_CHANGES: readonly Operation[] = ['CREATE', 'UPDATE', 'DELETE'];

/** Returns one scope per API group for the Pod-carrying kinds: Pod and every workload with a pod template. */
export function workloadScopes(operations: readonly Operation[] = WRITE): RuleScope[] {
  const byGroup = new Map<string, RuleScope & { kinds: string[]; resources: string[] }>();
  for (const [kind, info] of Object.entries(WORKLOAD_KINDS) as Array<[WorkloadKind, (typeof WORKLOAD_KINDS)[WorkloadKind]]>) {
    let scope = byGroup.get(info.group);
    if (!scope) {
      scope = { group: info.group, version: info.version, kinds: [], resources: [], operations };
      byGroup.set(info.group, scope);
    }
    scope.kinds.push(kind);
    scope.resources.push(info.resource);
  }
  return [...byGroup.values()];
}

export const NETWORK_POLICY_SCOPE: RuleScope = {
  group: 'networking.k8s.io',
  version: 'v1',
  kinds: ['NetworkPolicy'],
  resources: ['networkpolicies'],
  operations: ALL_CHANGES,
};

export const NAMESPACE_SCOPE: RuleScope = {
  group: '',
  version: 'v1',
  kinds: ['Namespace'],
  resources: ['namespaces'],
  operations: WRITE,
};

export function scopeHandles(scope: RuleScope, group: string, kind: string, operation: Operation): boolean {
  return scope.group === group && scope.kinds.includes(kind) && scope.operations.includes(operation);
}
