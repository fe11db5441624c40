import type { AuditReport, Finding, NamespaceReport } from '../../audit/index.js';
import type { AuditSource } from './source.js';

/**
 * Version of the JSON output's shape, documented in docs/audit.md. It changes
 * only when a field is removed, renamed or changes meaning; new fields may
 * appear without a change.
 */
export const AUDIT_JSON_SCHEMA_VERSION = 1;

/** Returns the JSON output: the report without pass results, which only the counts include. */
export function auditJson(report: AuditReport, source: AuditSource): Record<string, unknown> {
  return {
    schemaVersion: AUDIT_JSON_SCHEMA_VERSION,
    generatedAt: report.generatedAt,
    source,
    mode: report.mode,
    objects: report.objects,
    counts: report.counts,
    namespaces: report.namespaces.map(namespaceJson),
  };
}

function namespaceJson(namespace: NamespaceReport): Record<string, unknown> {
  return {
    name: namespace.name,
    exempt: namespace.exempt ?? null,
    mode: namespace.mode,
    modeSource: namespace.modeSource,
    defaultDeny: namespace.defaultDeny,
    pendingBaselinePolicies: namespace.pendingBaselinePolicies,
    exemptions: namespace.exemptions,
    counts: namespace.counts,
    findings: namespace.findings.filter((finding) => finding.result !== 'pass').map(findingJson),
  };
}

function findingJson(finding: Finding): Record<string, unknown> {
  return {
    rule: finding.rule,
    result: finding.result,
    severity: finding.severity,
    resource: finding.resource,
    grouped: finding.grouped,
    message: finding.message,
    location: finding.location ?? null,
    skippedBecause: finding.skippedBecause ?? null,
    details: finding.details ?? null,
  };
}
