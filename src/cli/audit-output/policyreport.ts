import { stringify } from 'yaml';
import { AUDIT_RULES, type AuditReport, type Finding, type ObjectRef } from '../../audit/index.js';
import { LABEL_MANAGED_BY, MANAGER_NAME } from '../../config/defaults.js';

/** The PolicyReport API of the Kubernetes Policy working group, as Kyverno and Policy Reporter read it. */
export const POLICY_REPORT_API_VERSION = 'wgpolicyk8s.io/v1alpha2';

/** Name of every report object, so a later audit replaces the earlier one on `kubectl apply`. */
export const POLICY_REPORT_NAME = 'netpol-guard-audit';

const SOURCE = 'netpol-guard';

interface ReportResult {
  policy: string;
  rule: string;
  result: Finding['result'];
  severity: Finding['severity'];
  source: string;
  category: string;
  message: string;
  timestamp: { seconds: number; nanos: number };
  resources: ObjectRef[];
  properties?: Record<string, string>;
}

/**
 * Builds a `kind: List` of one ClusterPolicyReport, for results about
 * Namespaces (a cluster-scoped kind), and one PolicyReport per namespace with
 * results about the objects in it. Pass results are included, as report
 * consumers count them.
 */
export function policyReportList(report: AuditReport): Record<string, unknown> {
  const generated = new Date(report.generatedAt);
  const timestamp = { seconds: Math.floor(generated.getTime() / 1000), nanos: (generated.getTime() % 1000) * 1_000_000 };
  const clusterResults: ReportResult[] = [];
  const namespaced = new Map<string, ReportResult[]>();

  for (const namespace of report.namespaces) {
    for (const finding of namespace.findings) {
      const result = reportResult(finding, timestamp);
      if (finding.resource.kind === 'Namespace') {
        clusterResults.push(result);
      } else {
        const list = namespaced.get(namespace.name) ?? [];
        list.push(result);
        namespaced.set(namespace.name, list);
      }
    }
  }

  const metadata = (namespace?: string): Record<string, unknown> => ({
    name: POLICY_REPORT_NAME,
    ...(namespace === undefined ? {} : { namespace }),
    labels: { [LABEL_MANAGED_BY]: MANAGER_NAME },
  });
  const items: Record<string, unknown>[] = [
    { apiVersion: POLICY_REPORT_API_VERSION, kind: 'ClusterPolicyReport', metadata: metadata(), summary: summaryOf(clusterResults), results: clusterResults },
  ];
  for (const [namespace, results] of namespaced) {
    items.push({ apiVersion: POLICY_REPORT_API_VERSION, kind: 'PolicyReport', metadata: metadata(namespace), summary: summaryOf(results), results });
  }
  return { apiVersion: 'v1', kind: 'List', items };
}

/** Returns the list as YAML that `kubectl apply -f` reads. */
export function policyReportYaml(report: AuditReport): string {
  return stringify(policyReportList(report), { lineWidth: 0, aliasDuplicateObjects: false });
}

function reportResult(finding: Finding, timestamp: ReportResult['timestamp']): ReportResult {
  const properties: Record<string, string> = {};
  if (finding.location) properties.location = `${finding.location.file}:${finding.location.line}`;
  if (finding.skippedBecause !== undefined) properties.skippedBecause = finding.skippedBecause;
  const details = finding.details;
  if (details?.kind === 'dns-egress') {
    properties.udp = details.udp;
    properties.tcp = details.tcp;
    if (details.isolatingPolicies.length > 0) properties.isolatingPolicies = details.isolatingPolicies.join(',');
  } else if (details?.kind === 'default-deny' && details.missing.length > 0) {
    properties.missingDirections = details.missing.join(',');
  }
  return {
    policy: finding.rule,
    rule: AUDIT_RULES[finding.rule].check,
    result: finding.result,
    severity: finding.severity,
    source: SOURCE,
    category: 'NetworkPolicy',
    message: finding.message,
    timestamp,
    resources: [finding.resource, ...finding.grouped],
    ...(Object.keys(properties).length > 0 ? { properties } : {}),
  };
}

function summaryOf(results: readonly ReportResult[]): Record<string, number> {
  const summary = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  for (const result of results) summary[result.result]++;
  return summary;
}
