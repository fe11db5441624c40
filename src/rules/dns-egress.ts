import {
  evaluateDnsEgress,
  type CompiledPolicy,
  type DnsEgressVerdict,
  type DnsPolicySource,
  type LabelSelector,
  type Labels,
  type PodEndpoint,
} from '../engine/index.js';
import { withPolicies } from '../state/store.js';
import { isWorkloadKind, workloadFacts, type WorkloadKind } from '../state/objects.js';
import { describeObject, formatLabels, listNames } from './describe.js';
import { changeVerb, policyChange } from './policy-change.js';
import { NETWORK_POLICY_SCOPE, workloadScopes } from './scopes.js';
import type { Rule, RuleContext, Violation } from './types.js';

const RULE = 'dns-egress' as const;

function targetNames(context: RuleContext): string {
  return listNames(context.dnsTargets.map((target) => target.name), 3);
}

function allowDnsHint(namespace: string): string {
  return (
    `apply a policy in ${namespace} that allows egress to DNS on UDP and TCP 53, ` +
    `for example to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]`
  );
}

function checkWorkload(context: RuleContext): Violation[] {
  const { request } = context;
  const kind = request.kind as WorkloadKind;
  const facts = workloadFacts(kind, request.object, request.namespace);
  const pod: PodEndpoint = { kind: 'pod', namespace: request.namespace, labels: facts.podLabels, ports: facts.ports };
  const verdict = evaluateDnsEgress(context.policies, pod, context.dnsTargets);
  if (verdict.udp.allowed && verdict.tcp.allowed && verdict.ingressDenied.length === 0) return [];
  const subject = `pods of ${describeObject(kind, facts.name)} (${formatLabels(facts.podLabels)})`;
  return verdictViolations(context, verdict, subject, request.namespace);
}

function verdictViolations(context: RuleContext, verdict: DnsEgressVerdict, subject: string, namespace: string): Violation[] {
  const violations: Violation[] = [];
  if (!verdict.udp.allowed) {
    violations.push({
      rule: RULE,
      severity: 'deny',
      summary: `DNS (UDP 53) egress is blocked by ${listNames(verdict.isolatingPolicies, 2)}`,
      message:
        `${RULE}: ${subject} are egress-isolated by ${listNames(verdict.isolatingPolicies)} and no egress rule allows ` +
        `UDP 53 to DNS (${targetNames(context)}), so name lookups would fail; ${allowDnsHint(namespace)}`,
    });
  } else if (!verdict.tcp.allowed) {
    const required = context.config.rules[RULE].requireTcp;
    violations.push({
      rule: RULE,
      severity: required ? 'deny' : 'warn',
      summary: `DNS over TCP 53 is blocked, so DNS answers over 512 bytes will fail`,
      message:
        `${RULE}: ${subject} may send DNS over UDP but not over TCP 53 (isolated by ${listNames(verdict.isolatingPolicies)}), ` +
        `so truncated answers cannot be retried over TCP; add TCP 53 next to UDP 53 in the allow-DNS rule`,
    });
  }
  for (const denial of verdict.ingressDenied) {
    violations.push({
      rule: RULE,
      severity: 'warn',
      summary: `ingress policies of the DNS pods drop these ${denial.protocol} queries`,
      message:
        `${RULE}: ${subject} may send DNS queries to ${denial.target} over ${denial.protocol}, but ingress policies ` +
        `${listNames(denial.policies)} there drop them; ask the cluster administrators to admit this namespace`,
    });
  }
  return violations;
}

/**
 * Returns labels that a pod selected by `selector` would carry, for judging a
 * new policy that selects no known pod yet: matchLabels as given, the first
 * value of each In, and a placeholder value for each Exists.
 */
export function representativeLabels(selector: LabelSelector | null | undefined): Labels {
  const labels: Record<string, string> = { ...(selector?.matchLabels ?? {}) };
  for (const requirement of selector?.matchExpressions ?? []) {
    if (requirement.operator === 'In' && requirement.values?.[0] !== undefined) labels[requirement.key] = requirement.values[0];
    if (requirement.operator === 'Exists') labels[requirement.key] = 'any';
  }
  return labels;
}

interface KnownPods {
  name: string;
  pod: PodEndpoint;
}

/** Returns the namespace's Pods and pod templates, one per distinct label and port set. */
function knownPods(context: RuleContext, namespace: string): KnownPods[] {
  const seen = new Map<string, KnownPods>();
  for (const workload of context.state.workloadsIn(namespace)) {
    const key = JSON.stringify([Object.entries(workload.podLabels).sort(), workload.ports]);
    if (seen.has(key)) continue;
    seen.set(key, {
      name: `${workload.kind}/${workload.name}`,
      pod: { kind: 'pod', namespace, labels: workload.podLabels, ports: workload.ports },
    });
  }
  return [...seen.values()];
}

function checkPolicyChange(context: RuleContext): Violation[] {
  const change = policyChange(context);
  const before = withPolicies(context.policies, change.namespace, change.before);
  const after = withPolicies(context.policies, change.namespace, change.after);
  const udpAllowed = (source: DnsPolicySource, pod: PodEndpoint): boolean =>
    evaluateDnsEgress(source, pod, context.dnsTargets).udp.allowed;

  const known = knownPods(context, change.namespace);
  const broken = known.filter((entry) => udpAllowed(before, entry.pod) && !udpAllowed(after, entry.pod));
  if (broken.length > 0) {
    return [policyChangeViolation(context, change.namespace, broken.map((entry) => entry.name))];
  }

  const updated: CompiledPolicy | undefined = change.updated;
  if (!updated || !updated.policyTypes.has('Egress')) return [];
  if (known.some((entry) => updated.selects(entry.pod.labels))) return [];

  // The policy selects no pod in the state, so judge a pod it would select.
  const labels = representativeLabels(updated.source.spec.podSelector);
  const pod: PodEndpoint = { kind: 'pod', namespace: change.namespace, labels };
  if (udpAllowed(after, pod)) return [];
  return [policyChangeViolation(context, change.namespace, [`pods matching ${formatLabels(labels)}`])];
}

function policyChangeViolation(context: RuleContext, namespace: string, names: string[]): Violation {
  const { operation, name } = context.request;
  const action = changeVerb(operation);
  return {
    rule: RULE,
    severity: 'deny',
    summary: `${action} this policy blocks DNS (UDP 53) for ${listNames(names, 2)}`,
    message:
      `${RULE}: ${action} NetworkPolicy ${namespace}/${name} would block DNS egress (UDP 53 to ${targetNames(context)}) ` +
      `for ${listNames(names)}; allow UDP and TCP 53 to DNS in this policy or in another policy that selects the same pods`,
  };
}

export const dnsEgressRule: Rule = {
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
