import type { CompiledPolicy } from './policy.js';
import type { Direction, PolicyRef, RuleRef } from './types.js';

export interface DefaultDenyDirection {
  defaultDeny: boolean;
  /** Policies that select every pod and isolate it in this direction. */
  denyPolicies: PolicyRef[];
  /** Rules of those all-pod policies that open this direction to every peer on every port. */
  openedBy: RuleRef[];
}

export interface DefaultDenyStatus {
  namespace: string;
  ingress: DefaultDenyDirection;
  egress: DefaultDenyDirection;
}

/**
 * Decides whether a namespace is default-deny in each direction: a policy with
 * an empty podSelector isolates every pod, and no policy with an empty
 * podSelector opens the direction to all peers on all ports. Such a policy may
 * still allow some traffic (DNS, for example) and counts as default-deny.
 */
export function defaultDenyStatus(namespace: string, policies: readonly CompiledPolicy[]): DefaultDenyStatus {
  return {
    namespace,
    ingress: directionStatus(policies, 'Ingress'),
    egress: directionStatus(policies, 'Egress'),
  };
}

function directionStatus(policies: readonly CompiledPolicy[], direction: Direction): DefaultDenyDirection {
  const denyPolicies: PolicyRef[] = [];
  const openedBy: RuleRef[] = [];
  for (const policy of policies) {
    if (!policy.selectsAllPods || !policy.policyTypes.has(direction)) continue;
    denyPolicies.push(policy.ref);
    const rules = direction === 'Ingress' ? policy.ingress : policy.egress;
    for (const rule of rules) {
      if (rule.peers === null && rule.ports === null) {
        openedBy.push({ policy: policy.ref, direction, ruleIndex: rule.index });
      }
    }
  }
  return { defaultDeny: denyPolicies.length > 0 && openedBy.length === 0, denyPolicies, openedBy };
}
