import {
  evaluateDnsEgress,
  type DnsEgressVerdict,
  type DnsPolicySource,
  type DnsTarget,
} from '../engine/index.js';
import type { Config } from '../config/types.js';
import { describeObject, formatLabels, listNames } from '../rules/describe.js';
import { exemptionCovers, type Exemption } from '../rules/exemptions.js';
import { podEndpointOf } from '../state/store.js';
import type { WorkloadFacts } from '../state/objects.js';
import type { DnsEgressFindingDetails, Finding, ResultKind, Severity } from './types.js';
import { objectRef, type ObjectIndex } from './object-index.js';

/**
 * Caches DNS verdicts within one namespace. A verdict depends on the pod only
 * through its namespace and labels, and also through its IP when an ingress
 * rule of a DNS server namespace has an ipBlock peer. Pods of one workload
 * share labels, so most pods hit the cache.
 */
export class DnsVerdictCache {
  private readonly verdicts = new Map<string, DnsEgressVerdict>();

  constructor(
    private readonly source: DnsPolicySource,
    private readonly targets: readonly DnsTarget[],
    private readonly ipMatters: boolean,
  ) {}

  verdictFor(workload: WorkloadFacts): DnsEgressVerdict {
    const labels = Object.keys(workload.podLabels)
      .sort()
      .map((key) => `${key}=${workload.podLabels[key]}`)
      .join('\n');
    const key = this.ipMatters ? `${labels}\n@${workload.podIP ?? ''}` : labels;
    let verdict = this.verdicts.get(key);
    if (verdict === undefined) {
      verdict = evaluateDnsEgress(this.source, podEndpointOf(workload), this.targets);
      this.verdicts.set(key, verdict);
    }
    return verdict;
  }
}

/** Tells whether some ingress rule in a DNS server namespace has an ipBlock peer, which a pod IP can match. */
export function dnsIngressMatchesIps(source: DnsPolicySource, targets: readonly DnsTarget[]): boolean {
  for (const target of targets) {
    if (!('namespace' in target)) continue;
    for (const policy of source.policiesIn(target.namespace)) {
      const rules = policy.source.spec.ingress ?? [];
      if (rules.some((rule) => (rule.from ?? []).some((peer) => peer?.ipBlock != null))) return true;
    }
  }
  return false;
}

interface DnsCheckContext {
  config: Config;
  index: ObjectIndex;
  /** Exemptions of the namespace, which cover every workload in it. */
  namespaceExemption?: Exemption;
}

/** Decides the dns-egress result for one workload or Pod from its verdict. */
export function dnsFinding(
  workload: WorkloadFacts,
  verdict: DnsEgressVerdict,
  exemption: Exemption | undefined,
  context: DnsCheckContext,
): Finding {
  const details: DnsEgressFindingDetails = {
    kind: 'dns-egress',
    udp: verdict.udp.allowed ? 'allowed' : 'blocked',
    tcp: verdict.tcp.allowed ? 'allowed' : 'blocked',
    isolatingPolicies: verdict.isolatingPolicies,
    ingressDenied: verdict.ingressDenied.map((denial) => ({ target: denial.target, protocol: denial.protocol, policies: denial.policies })),
  };
  const requireTcp = context.config.rules['dns-egress'].requireTcp;
  let result: ResultKind = 'pass';
  let severity: Severity = 'low';
  if (!verdict.udp.allowed || (!verdict.tcp.allowed && requireTcp)) {
    result = 'fail';
    severity = 'high';
  } else if (!verdict.tcp.allowed || verdict.ingressDenied.length > 0) {
    result = 'warn';
    severity = 'medium';
  }

  const described = `${describeObject(workload.kind, workload.name)} (${formatLabels(workload.podLabels)})`;
  const subject = workload.kind === 'Pod' ? { text: described, be: 'is' } : { text: `pods of ${described}`, be: 'are' };
  const finding: Finding = {
    rule: 'dns-egress',
    result,
    severity,
    namespace: workload.namespace,
    resource: objectRef(workload.kind, workload.namespace, workload.name),
    grouped: [],
    message: dnsMessage(subject, details),
    details,
  };
  const location = context.index.locationOf(workload.kind, workload.namespace, workload.name);
  if (location) finding.location = location;

  const covering = [context.namespaceExemption, exemption].find(
    (candidate): candidate is Exemption => candidate !== undefined && exemptionCovers(candidate, 'dns-egress'),
  );
  if (result !== 'pass' && covering) {
    finding.result = 'skip';
    finding.skippedBecause = `exempt by ${covering.source}: ${covering.reason}`;
  }
  return finding;
}

function dnsMessage(subject: { text: string; be: string }, details: DnsEgressFindingDetails): string {
  const isolated = listNames(details.isolatingPolicies);
  if (details.udp === 'blocked') {
    const protocols = details.tcp === 'blocked' ? 'UDP and TCP 53' : 'UDP 53';
    return `${subject.text} ${subject.be} egress-isolated by ${isolated} and no egress rule allows ${protocols} to DNS, so name lookups fail`;
  }
  if (details.tcp === 'blocked') {
    return `${subject.text} may send DNS over UDP but not over TCP 53 (isolated by ${isolated}), so answers over 512 bytes fail`;
  }
  if (details.ingressDenied.length > 0) {
    const denial = details.ingressDenied[0]!;
    return `${subject.text} may reach DNS at ${denial.target}, but its ingress policies ${listNames(denial.policies)} drop the ${denial.protocol} queries`;
  }
  return details.isolatingPolicies.length === 0
    ? `${subject.text} ${subject.be} not egress-isolated, so DNS is reachable`
    : `${subject.text} may reach DNS over UDP and TCP 53 (isolated by ${isolated})`;
}
