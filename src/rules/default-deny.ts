import { defaultDenyStatus, type DefaultDenyDirection, type Direction } from '../engine/index.js';
import { isWorkloadKind } from '../state/objects.js';
import { describeObject, listNames } from './describe.js';
import { changeVerb, policyChange } from './policy-change.js';
import { NETWORK_POLICY_SCOPE, workloadScopes } from './scopes.js';
import type { Rule, RuleContext, Violation } from './types.js';

const RULE = 'default-deny' as const;

function denyAllExample(namespace: string, directions: readonly Direction[]): string {
  const policy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'default-deny-all', namespace },
    spec: { podSelector: {}, policyTypes: directions },
  };
  return JSON.stringify(policy);
}

function missingReason(direction: Direction, status: DefaultDenyDirection): string {
  if (status.openedBy.length > 0) {
    const opener = status.openedBy[0]!;
    return `${direction} (policy ${opener.policy} opens it to all peers in spec.${direction.toLowerCase()}[${opener.ruleIndex}])`;
  }
  return direction;
}

function checkWorkload(context: RuleContext): Violation[] {
  const { namespace, kind, name } = context.request;
  const status = defaultDenyStatus(namespace, context.policies.policiesIn(namespace));
  const directions = context.config.rules[RULE].directions;
  const missing = directions.filter((direction) => !(direction === 'Ingress' ? status.ingress : status.egress).defaultDeny);
  if (missing.length === 0) return [];

  const reasons = missing.map((direction) => missingReason(direction, direction === 'Ingress' ? status.ingress : status.egress));
  return [
    {
      rule: RULE,
      severity: 'deny',
      summary: `namespace ${namespace} has no default-deny NetworkPolicy for ${missing.join(' and ')}`,
      message:
        `${RULE}: namespace ${JSON.stringify(namespace)} has no default-deny NetworkPolicy for ${reasons.join(' and ')}, ` +
        `so ${describeObject(kind, name)} would run unisolated. Apply one first, for example: ` +
        `${denyAllExample(namespace, directions)} (with a policy that allows DNS egress), ` +
        `or ask an approver to set the annotation netpol-guard.io/exempt: ${RULE} with a reason`,
    },
  ];
}

function checkPolicyChange(context: RuleContext): Violation[] {
  const change = policyChange(context);
  const before = defaultDenyStatus(change.namespace, change.before);
  const after = defaultDenyStatus(change.namespace, change.after);
  const lost = context.config.rules[RULE].directions.filter((direction) => {
    const key = direction === 'Ingress' ? 'ingress' : 'egress';
    return before[key].defaultDeny && !after[key].defaultDeny;
  });
  if (lost.length === 0) return [];

  const action = changeVerb(context.request.operation);
  const remaining = lost.flatMap((direction) => (direction === 'Ingress' ? before.ingress : before.egress).denyPolicies);
  return [
    {
      rule: RULE,
      severity: 'deny',
      summary: `${action} this policy removes default-deny ${lost.join(' and ')} in ${change.namespace}`,
      message:
        `${RULE}: ${action} NetworkPolicy ${change.namespace}/${change.name} would leave namespace ${JSON.stringify(change.namespace)} ` +
        `without default-deny for ${lost.join(' and ')} (now provided by ${listNames([...new Set(remaining)])}). ` +
        `Keep a policy with podSelector: {} and these policyTypes, and open traffic with narrower rules`,
    },
  ];
}

export const defaultDenyRule: Rule = {
  id: RULE,
  scopes: [...workloadScopes(), NETWORK_POLICY_SCOPE],
  exemptable: true,
  alwaysEnforced: false,
  check(context) {
    if (context.request.kind === 'NetworkPolicy') return checkPolicyChange(context);
    if (isWorkloadKind(context.request.kind)) return checkWorkload(context);
    return [];
  },
};
