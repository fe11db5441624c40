import { defaultDenyStatus, type DefaultDenyDirection, type DnsTarget, type PolicyError, type RuleRef } from '../engine/index.js';
import { LABEL_MODE } from '../config/defaults.js';
import type { Config } from '../config/types.js';
import { baselineEnabled, effectivePolicySource, missingBaselinePolicies } from '../rules/baseline.js';
import { describeObject, listNames } from '../rules/describe.js';
import { exemptionCovers, readExemption, type Exemption } from '../rules/exemptions.js';
import { isMode } from '../rules/namespace-mode.js';
import type { StateStore } from '../state/store.js';
import { DnsVerdictCache, dnsFinding, dnsIngressMatchesIps } from './dns.js';
import { groupByOwner, type WorkloadFinding } from './grouping.js';
import { objectRef, type ObjectIndex } from './object-index.js';
import type {
  AuditReport,
  DirectionStatus,
  ExemptionEntry,
  Finding,
  NamespaceReport,
  ObjectRef,
  ResultCounts,
} from './types.js';

/** The state to audit: the store the webhook would decide on, and what the store does not keep. */
export interface AuditInput {
  store: StateStore;
  index: ObjectIndex;
}

export interface AuditOptions {
  config: Config;
  /** The clock exemption expiry is compared with. */
  now: Date;
  /** Audit only these namespaces; all when absent. */
  namespaces?: readonly string[];
  /** DNS servers pods must reach; `config.dns.targets` when absent. */
  dnsTargets?: readonly DnsTarget[];
}

/** Runs every audit check over the state and returns the report; it performs no I/O. */
export function auditState(input: AuditInput, options: AuditOptions): AuditReport {
  const { store } = input;
  const invalidByNamespace = groupInvalidPolicies(store.invalidPolicies());
  const names = options.namespaces ?? store.namespaceNames();
  const namespaces = names.map((name) => auditNamespace(name, input, options, invalidByNamespace.get(name) ?? []));
  const counts = emptyCounts();
  for (const namespace of namespaces) addCounts(counts, namespace.counts);
  return {
    generatedAt: options.now.toISOString(),
    mode: options.config.mode,
    namespaces,
    counts,
    objects: store.counts(),
  };
}

/** True when some check failed, which makes the command exit with 1. */
export function hasFailures(report: AuditReport): boolean {
  return report.counts.fail > 0;
}

function staticExemptionOf(namespace: string, config: Config): string | undefined {
  if (namespace === config.webhookNamespace) return 'netpol-guard runs in it (webhookNamespace)';
  if (config.exemptions.namespaces.includes(namespace)) return 'listed in exemptions.namespaces of the configuration';
  return undefined;
}

function auditNamespace(name: string, input: AuditInput, options: AuditOptions, invalid: PolicyError[]): NamespaceReport {
  const { store, index } = input;
  const { config, now } = options;
  const dnsTargets = options.dnsTargets ?? config.dns.targets;
  const facts = store.namespace(name);
  const namespaceRef = objectRef('Namespace', undefined, name);
  const label = facts?.labels[LABEL_MODE];
  const mode = isMode(label) ? label : config.mode;
  const modeSource = isMode(label) ? 'namespace' : 'cluster';

  const source = effectivePolicySource(store, name, config, dnsTargets);
  const status = defaultDenyStatus(name, source.policiesIn(name));
  const report: NamespaceReport = {
    name,
    mode,
    modeSource,
    defaultDeny: { ingress: directionStatus(status.ingress), egress: directionStatus(status.egress) },
    pendingBaselinePolicies: baselineEnabled(facts?.labels) ? missingBaselinePolicies(store, name, config) : [],
    exemptions: [],
    findings: [],
    counts: emptyCounts(),
  };
  const location = index.namespaceLocation(name);
  if (location) report.location = location;

  const exempt = staticExemptionOf(name, config);
  if (exempt !== undefined) {
    report.exempt = exempt;
    for (const rule of ['default-deny', 'dns-egress'] as const) {
      if (!config.rules[rule].enabled) continue;
      report.findings.push({
        rule,
        result: 'skip',
        severity: 'low',
        namespace: name,
        resource: namespaceRef,
        grouped: [],
        message: `namespace ${name} is exempt: ${exempt}`,
        skippedBecause: exempt,
        ...(location ? { location } : {}),
      });
    }
    report.counts = countResults(report.findings);
    return report;
  }

  const namespaceExemption = readExemptionOf(report, namespaceRef, facts?.annotations ?? {}, `namespace ${name}`, now, location);
  report.findings.push(...modeFindings(report, namespaceRef, label));
  if (config.rules['default-deny'].enabled) {
    report.findings.push(defaultDenyFinding(report, namespaceRef, status, config, namespaceExemption));
  }
  report.findings.push(...invalidPolicyFindings(name, invalid, index));

  if (config.rules['dns-egress'].enabled) {
    const cache = new DnsVerdictCache(source, dnsTargets, dnsIngressMatchesIps(source, dnsTargets));
    const entries: WorkloadFinding[] = [];
    for (const workload of store.workloadsIn(name).sort(compareWorkloads)) {
      const workloadRef = objectRef(workload.kind, name, workload.name);
      const workloadLocation = index.locationOf(workload.kind, name, workload.name);
      const exemption = readExemptionOf(report, workloadRef, workload.annotations, describeObject(workload.kind, workload.name), now, workloadLocation);
      const context = { config, index, ...(namespaceExemption ? { namespaceExemption } : {}) };
      entries.push({ workload, finding: dnsFinding(workload, cache.verdictFor(workload), exemption, context) });
    }
    report.findings.push(...groupByOwner(entries, index));
  }

  report.counts = countResults(report.findings);
  return report;
}

function compareWorkloads(a: { kind: string; name: string }, b: { kind: string; name: string }): number {
  // Owners sort before what they own (Deployment < ReplicaSet < Pod), so reports read top-down.
  const rank = (kind: string): number => KIND_ORDER.indexOf(kind);
  const byKind = rank(a.kind) - rank(b.kind);
  if (byKind !== 0) return byKind;
  if (a.name === b.name) return 0;
  return a.name < b.name ? -1 : 1;
}

const KIND_ORDER = ['CronJob', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicationController', 'Job', 'ReplicaSet', 'Pod'];

function directionStatus(direction: DefaultDenyDirection): DirectionStatus {
  return { defaultDeny: direction.defaultDeny, policies: direction.denyPolicies, openedBy: direction.openedBy };
}

/**
 * Reads the exemption annotations of one object into the report: every
 * exemption found is listed, an expired one becomes a warning, and invalid
 * annotations become a warning too. Returns the exemption when it is valid.
 */
function readExemptionOf(
  report: NamespaceReport,
  resource: ObjectRef,
  annotations: Readonly<Record<string, string>>,
  source: string,
  now: Date,
  location: NamespaceReport['location'],
): Exemption | undefined {
  const reading = readExemption(annotations, source, now);
  const base = { namespace: report.name, resource, grouped: [], ...(location ? { location } : {}) };
  if (reading.problems.length > 0) {
    report.findings.push({
      ...base,
      rule: 'invalid-exemption',
      result: 'warn',
      severity: 'low',
      message: `the exemption on ${source} is ignored: ${reading.problems.join('; ')}`,
      details: { kind: 'invalid-exemption', problems: reading.problems },
    });
  }
  const exemption = reading.exemption;
  if (!exemption) return undefined;

  const entry: ExemptionEntry = {
    source,
    resource,
    rules: exemption.rules === 'all' ? 'all' : [...exemption.rules],
    reason: exemption.reason,
    ...(exemption.until ? { until: exemption.until.toISOString() } : {}),
    ...(exemption.ticket ? { ticket: exemption.ticket } : {}),
    expired: exemption.expired,
  };
  report.exemptions.push(entry);
  if (exemption.expired) {
    report.findings.push({
      ...base,
      rule: 'expired-exemption',
      result: 'warn',
      severity: 'medium',
      message: `the exemption on ${source} expired at ${entry.until} and no longer applies (reason: ${exemption.reason})`,
      details: { kind: 'expired-exemption', exemption: entry },
    });
  }
  return exemption;
}

function modeFindings(report: NamespaceReport, resource: ObjectRef, label: string | undefined): Finding[] {
  const base = { namespace: report.name, resource, grouped: [], ...(report.location ? { location: report.location } : {}) };
  if (label !== undefined && !isMode(label)) {
    return [
      {
        ...base,
        rule: 'namespace-mode',
        result: 'fail',
        severity: 'medium',
        message: `label ${LABEL_MODE} on namespace ${report.name} has invalid value ${JSON.stringify(label)}; use enforce, warn or audit (the cluster mode ${report.mode} applies meanwhile)`,
        details: { kind: 'namespace-mode', mode: report.mode, modeSource: report.modeSource, invalidLabel: label },
      },
    ];
  }
  const details = { kind: 'namespace-mode' as const, mode: report.mode, modeSource: report.modeSource };
  if (report.mode === 'enforce') {
    return [{ ...base, rule: 'namespace-mode', result: 'pass', severity: 'low', message: `namespace ${report.name} is in enforce mode`, details }];
  }
  const origin = report.modeSource === 'namespace' ? `label ${LABEL_MODE}` : 'the cluster-wide mode';
  return [
    {
      ...base,
      rule: 'namespace-mode',
      result: 'warn',
      severity: 'low',
      message: `namespace ${report.name} is in ${report.mode} mode (from ${origin}), so the webhook lets violations through`,
      details,
    },
  ];
}

function defaultDenyFinding(
  report: NamespaceReport,
  resource: ObjectRef,
  status: ReturnType<typeof defaultDenyStatus>,
  config: Config,
  exemption: Exemption | undefined,
): Finding {
  const missing = config.rules['default-deny'].directions.filter(
    (direction) => !(direction === 'Ingress' ? status.ingress : status.egress).defaultDeny,
  );
  const openedBy = [...status.ingress.openedBy, ...status.egress.openedBy].filter((rule) => missing.includes(rule.direction));
  const finding: Finding = {
    rule: 'default-deny',
    result: missing.length === 0 ? 'pass' : 'fail',
    severity: missing.length === 0 ? 'low' : 'high',
    namespace: report.name,
    resource,
    grouped: [],
    message: defaultDenyMessage(report.name, missing, openedBy, status),
    details: { kind: 'default-deny', missing, openedBy },
    ...(report.location ? { location: report.location } : {}),
  };
  if (finding.result === 'fail' && exemption && exemptionCovers(exemption, 'default-deny')) {
    finding.result = 'skip';
    finding.skippedBecause = `exempt by ${exemption.source}: ${exemption.reason}`;
  }
  return finding;
}

function defaultDenyMessage(
  namespace: string,
  missing: readonly string[],
  openedBy: readonly RuleRef[],
  status: ReturnType<typeof defaultDenyStatus>,
): string {
  if (missing.length === 0) {
    const policies = [...new Set([...status.ingress.denyPolicies, ...status.egress.denyPolicies])];
    return `namespace ${namespace} is default-deny (${listNames(policies)})`;
  }
  const opened = openedBy.map((rule) => `${rule.policy} opens ${rule.direction} to all peers in spec.${rule.direction.toLowerCase()}[${rule.ruleIndex}]`);
  const reason = opened.length > 0 ? `; ${opened.join('; ')}` : '';
  return `namespace ${namespace} has no default-deny NetworkPolicy for ${missing.join(' and ')}${reason}`;
}

function invalidPolicyFindings(namespace: string, errors: readonly PolicyError[], index: ObjectIndex): Finding[] {
  const byPolicy = new Map<string, PolicyError[]>();
  for (const error of errors) byPolicy.set(error.policy, [...(byPolicy.get(error.policy) ?? []), error]);
  return [...byPolicy].map(([policy, policyErrors]) => {
    const name = policy.slice(namespace.length + 1);
    const location = index.locationOf('NetworkPolicy', namespace, name);
    const problems = policyErrors.map((error) => `${error.field}: ${error.message}`);
    return {
      rule: 'invalid-network-policy',
      result: 'fail',
      severity: 'high',
      namespace,
      resource: objectRef('NetworkPolicy', namespace, name),
      grouped: [],
      message: `NetworkPolicy ${policy} is invalid and has no effect: ${problems.join('; ')}`,
      details: { kind: 'invalid-network-policy', errors: policyErrors.map(({ field, message }) => ({ field, message })) },
      ...(location ? { location } : {}),
    } satisfies Finding;
  });
}

function groupInvalidPolicies(errors: readonly PolicyError[]): Map<string, PolicyError[]> {
  const byNamespace = new Map<string, PolicyError[]>();
  for (const error of errors) {
    const namespace = error.policy.slice(0, error.policy.indexOf('/'));
    const list = byNamespace.get(namespace) ?? [];
    list.push(error);
    byNamespace.set(namespace, list);
  }
  return byNamespace;
}

export function emptyCounts(): ResultCounts {
  return { pass: 0, fail: 0, warn: 0, skip: 0 };
}

export function countResults(findings: readonly Finding[]): ResultCounts {
  const counts = emptyCounts();
  for (const finding of findings) counts[finding.result] += 1 + finding.grouped.length;
  return counts;
}

function addCounts(total: ResultCounts, counts: ResultCounts): void {
  total.pass += counts.pass;
  total.fail += counts.fail;
  total.warn += counts.warn;
  total.skip += counts.skip;
}
