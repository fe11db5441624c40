import { evaluateDirection, isolatingPolicies, type PolicySource } from './evaluate.js';
import type { Endpoint, Labels, PodEndpoint, PolicyRef, Protocol, RuleRef } from './types.js';

/** A port a DNS server listens on, as the pod's own port (after any Service port mapping). */
export interface DnsPort {
  protocol: Protocol;
  port: number;
  /** The container port name, for policies that allow DNS by a named port. */
  name?: string;
}

/** DNS servers that run as pods, found by namespace and pod labels. */
export interface DnsPodTarget {
  name: string;
  namespace: string;
  podLabels: Labels;
  ports: DnsPort[];
}

/** DNS reached at a fixed address outside the pod network (NodeLocal DNSCache, a Service IP). */
export interface DnsAddressTarget {
  name: string;
  ip: string;
  ports: DnsPort[];
}

export type DnsTarget = DnsPodTarget | DnsAddressTarget;

/**
 * CoreDNS as kubeadm, EKS, GKE, AKS and k3s deploy it: pods labelled
 * `k8s-app: kube-dns` in kube-system, with ports `dns` (UDP 53) and `dns-tcp` (TCP 53).
 */
export const DEFAULT_DNS_TARGETS: readonly DnsTarget[] = [
  {
    name: 'kube-system/k8s-app=kube-dns',
    namespace: 'kube-system',
    podLabels: { 'k8s-app': 'kube-dns' },
    ports: [
      { protocol: 'UDP', port: 53, name: 'dns' },
      { protocol: 'TCP', port: 53, name: 'dns-tcp' },
    ],
  },
];

/** Extends PolicySource with the pods of a namespace, to test DNS against the real server pods. */
export interface DnsPolicySource extends PolicySource {
  podsIn?(namespace: string): readonly PodEndpoint[];
}

export interface DnsProtocolVerdict {
  /** True when the pod's egress policies let a query out to some target. */
  allowed: boolean;
  /** The first target the pod may reach, when allowed. */
  target?: string;
  port?: number;
  allowedBy: RuleRef[];
}

export interface DnsIngressDenial {
  target: string;
  protocol: Protocol;
  /** Policies in the DNS namespace that isolate the DNS pods and do not admit this pod. */
  policies: PolicyRef[];
}

export interface DnsEgressVerdict {
  /** True when some policy isolates the pod for egress. */
  isolated: boolean;
  isolatingPolicies: PolicyRef[];
  udp: DnsProtocolVerdict;
  tcp: DnsProtocolVerdict;
  /** Targets the pod's egress reaches but whose ingress policies drop the query. */
  ingressDenied: DnsIngressDenial[];
}

/** Caps how many real DNS pods are examined per target; they share labels, so a few suffice. */
const MAX_DNS_PODS_PER_TARGET = 8;

function labelsInclude(labels: Labels, required: Labels): boolean {
  for (const [key, value] of Object.entries(required)) {
    if (labels[key] !== value) return false;
  }
  return true;
}

function targetEndpoints(source: DnsPolicySource, target: DnsTarget): PodEndpoint[] | null {
  if (!('namespace' in target)) return null;
  const known = (source.podsIn?.(target.namespace) ?? [])
    .filter((pod) => labelsInclude(pod.labels, target.podLabels))
    .slice(0, MAX_DNS_PODS_PER_TARGET);
  if (known.length > 0) return known;

  // No DNS pod is known, so stand in one with the configured labels and port names.
  const ports = target.ports.map((port) => ({
    containerPort: port.port,
    protocol: port.protocol,
    ...(port.name === undefined ? {} : { name: port.name }),
  }));
  return [{ kind: 'pod', namespace: target.namespace, labels: target.podLabels, ports }];
}

/**
 * Decides whether `pod` (a pod or a pod template) may send DNS queries over
 * UDP and over TCP to any of `targets`, and reports targets whose own ingress
 * policies would drop the queries.
 */
export function evaluateDnsEgress(
  source: DnsPolicySource,
  pod: PodEndpoint,
  targets: readonly DnsTarget[],
): DnsEgressVerdict {
  const isolating = isolatingPolicies(source, pod, 'Egress').map((policy) => policy.ref);
  const ingressDenied: DnsIngressDenial[] = [];

  // Looked up once for both protocols: each lookup filters the pods of the DNS namespace.
  const endpointsByTarget = targets.map((target) => targetEndpoints(source, target));

  const decide = (protocol: Protocol): DnsProtocolVerdict => {
    let firstAllowed: DnsProtocolVerdict | undefined;
    let reachedBothWays = false;
    const denials: DnsIngressDenial[] = [];
    for (const [targetIndex, target] of targets.entries()) {
      const endpoints = endpointsByTarget[targetIndex]!;
      for (const dnsPort of target.ports) {
        if (dnsPort.protocol !== protocol) continue;
        const destinations: Endpoint[] = endpoints ?? [{ kind: 'ip', ip: (target as DnsAddressTarget).ip }];
        for (const destination of destinations) {
          const egress = evaluateDirection(source, 'Egress', pod, destination, dnsPort.port, protocol);
          if (!egress.allowed) continue;
          firstAllowed ??= { allowed: true, target: target.name, port: dnsPort.port, allowedBy: egress.allowedBy };
          if (destination.kind === 'ip') {
            reachedBothWays = true;
            continue;
          }
          const ingress = evaluateDirection(source, 'Ingress', destination, pod, dnsPort.port, protocol);
          if (ingress.allowed) {
            reachedBothWays = true;
          } else if (!denials.some((denial) => denial.target === target.name)) {
            denials.push({ target: target.name, protocol, policies: ingress.isolatingPolicies });
          }
        }
      }
    }
    // Ingress denials matter only when no target is reachable both ways: one server is enough.
    if (!reachedBothWays) ingressDenied.push(...denials);
    return firstAllowed ?? { allowed: false, allowedBy: [] };
  };

  const udp = decide('UDP');
  const tcp = decide('TCP');
  return { isolated: isolating.length > 0, isolatingPolicies: isolating, udp, tcp, ingressDenied };
}
