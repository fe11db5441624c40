import { parseAddress } from './cidr.js';
import type { CompiledPolicy, CompiledRule } from './policy.js';
import { portMatches } from './ports.js';
import type { Direction, Endpoint, Labels, PodEndpoint, PolicyRef, Protocol, RuleRef } from './types.js';

/** Read access to the policies and namespace labels the engine decides on. */
export interface PolicySource {
  /** Labels of a namespace, including `kubernetes.io/metadata.name`. */
  namespaceLabels(namespace: string): Labels;
  /** Valid, compiled policies of one namespace. */
  policiesIn(namespace: string): readonly CompiledPolicy[];
}

/** The outcome for one side of a connection: the source's egress or the destination's ingress. */
export interface DirectionVerdict {
  direction: Direction;
  /** True when some policy selects the pod with this policy type. */
  isolated: boolean;
  allowed: boolean;
  /** Policies that select the pod for this direction, in namespace order. */
  isolatingPolicies: PolicyRef[];
  /** Rules that allow the connection; empty when it is denied or the pod is not isolated. */
  allowedBy: RuleRef[];
}

export interface Traffic {
  source: Endpoint;
  destination: Endpoint;
  port: number;
  protocol: Protocol;
}

export type TrafficReason = 'same-pod' | 'allowed' | 'denied-by-egress' | 'denied-by-ingress' | 'denied-by-both';

export interface TrafficVerdict {
  allowed: boolean;
  reason: TrafficReason;
  /** Null when the source is not a pod: nothing in the cluster restricts its egress. */
  egress: DirectionVerdict | null;
  /** Null when the destination is not a pod. */
  ingress: DirectionVerdict | null;
}

/** Returns the policies in the pod's namespace that isolate it in `direction`. */
export function isolatingPolicies(source: PolicySource, pod: PodEndpoint, direction: Direction): CompiledPolicy[] {
  return source
    .policiesIn(pod.namespace)
    .filter((policy) => policy.policyTypes.has(direction) && policy.selects(pod.labels));
}

/**
 * Decides one direction for `subject`. For Egress the subject is the source
 * and `peer` the destination. For Ingress the subject is the destination and
 * `peer` the source. Named ports resolve against the destination.
 */
export function evaluateDirection(
  source: PolicySource,
  direction: Direction,
  subject: PodEndpoint,
  peer: Endpoint,
  port: number,
  protocol: Protocol,
): DirectionVerdict {
  const policies = isolatingPolicies(source, subject, direction);
  const refs = policies.map((policy) => policy.ref);
  if (policies.length === 0) {
    return { direction, isolated: false, allowed: true, isolatingPolicies: refs, allowedBy: [] };
  }

  const destination = direction === 'Egress' ? peer : subject;
  const destinationPorts = destination.kind === 'pod' ? destination.ports : undefined;
  const allowedBy: RuleRef[] = [];
  for (const policy of policies) {
    const rules = direction === 'Ingress' ? policy.ingress : policy.egress;
    for (const rule of rules) {
      if (ruleMatches(source, rule, peer, port, protocol, destinationPorts)) {
        allowedBy.push({ policy: policy.ref, direction, ruleIndex: rule.index });
      }
    }
  }
  return { direction, isolated: true, allowed: allowedBy.length > 0, isolatingPolicies: refs, allowedBy };
}

function ruleMatches(
  source: PolicySource,
  rule: CompiledRule,
  peer: Endpoint,
  port: number,
  protocol: Protocol,
  destinationPorts: PodEndpoint['ports'],
): boolean {
  if (rule.ports !== null && !rule.ports.some((entry) => portMatches(entry, port, protocol, destinationPorts))) {
    return false;
  }
  if (rule.peers === null) return true;
  return peerMatches(source, rule, peer);
}

function peerMatches(source: PolicySource, rule: CompiledRule, peer: Endpoint): boolean {
  if (peer.kind === 'ip') {
    const address = parseAddress(peer.ip);
    return address !== undefined && rule.peers!.some((candidate) => candidate.matchesAddress(address));
  }
  const namespaceLabels = source.namespaceLabels(peer.namespace);
  return rule.peers!.some((candidate) => candidate.matchesPod(peer, namespaceLabels));
}

function isSameEndpoint(a: Endpoint, b: Endpoint): boolean {
  if (a.kind === 'pod' && b.kind === 'pod' && a.name !== undefined) {
    return a.namespace === b.namespace && a.name === b.name;
  }
  const ipA = a.ip;
  return ipA !== undefined && ipA === b.ip;
}

/**
 * Decides whether a connection passes: the source's egress and the
 * destination's ingress must both allow it. A pod talking to itself is always
 * allowed, as on every conformant CNI.
 */
export function evaluate(source: PolicySource, traffic: Traffic): TrafficVerdict {
  const { port, protocol } = traffic;
  if (isSameEndpoint(traffic.source, traffic.destination)) {
    return { allowed: true, reason: 'same-pod', egress: null, ingress: null };
  }

  const egress =
    traffic.source.kind === 'pod'
      ? evaluateDirection(source, 'Egress', traffic.source, traffic.destination, port, protocol)
      : null;
  const ingress =
    traffic.destination.kind === 'pod'
      ? evaluateDirection(source, 'Ingress', traffic.destination, traffic.source, port, protocol)
      : null;

  const egressAllowed = egress?.allowed ?? true;
  const ingressAllowed = ingress?.allowed ?? true;
  let reason: TrafficReason = 'allowed';
  if (!egressAllowed && !ingressAllowed) reason = 'denied-by-both';
  else if (!egressAllowed) reason = 'denied-by-egress';
  else if (!ingressAllowed) reason = 'denied-by-ingress';
  return { allowed: egressAllowed && ingressAllowed, reason, egress, ingress };
}

/** Returns the labels a namespace has when nothing else is known about it. */
export function defaultNamespaceLabels(namespace: string): Labels {
  return { 'kubernetes.io/metadata.name': namespace };
}
