import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AUDIT_RULE_IDS, AUDIT_RULES, type AuditReport, type Finding, type SourceLocation } from '../../audit/index.js';

export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** Returns the SARIF level of a rule's findings. A result that failed is an error whatever the rule. */
function defaultLevel(rule: Finding['rule']): 'error' | 'warning' {
  return rule === 'namespace-mode' || rule === 'expired-exemption' || rule === 'invalid-exemption' ? 'warning' : 'error';
}

/**
 * Builds a SARIF 2.1.0 log for code scanning. Pass results are left out.
 * Exempted results are kept with a suppression, so code scanning shows them
 * as dismissed rather than dropping them. When the state was read from
 * files, locations point at the file and line of the object, with URIs
 * relative to `cwd`.
 */
export function auditSarif(report: AuditReport, cwd: string): Record<string, unknown> {
  const rules = AUDIT_RULE_IDS.map((id) => {
    const rule = AUDIT_RULES[id];
    return {
      id,
      name: id
        .split('-')
        .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
        .join(''),
      shortDescription: { text: rule.title },
      fullDescription: { text: rule.help },
      help: { text: rule.help },
      defaultConfiguration: { level: defaultLevel(id) },
      properties: { tags: ['kubernetes', 'network-policy', 'security'] },
    };
  });

  // A namespace the configuration exempts has no violations to show, only skipped checks.
  const audited = report.namespaces.filter((namespace) => namespace.exempt === undefined);
  const results = audited.flatMap((namespace) =>
    namespace.findings.filter((finding) => finding.result !== 'pass').map((finding) => sarifResult(finding, cwd)),
  );
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'netpol-guard', rules } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

function sarifResult(finding: Finding, cwd: string): Record<string, unknown> {
  const ruleIndex = AUDIT_RULE_IDS.indexOf(finding.rule);
  const { kind, namespace, name } = finding.resource;
  const qualifiedName = namespace === undefined ? `${kind}/${name}` : `${namespace}/${kind}/${name}`;
  const grouped = finding.grouped.length === 0 ? '' : ` (also ${finding.grouped.map((ref) => `${ref.kind}/${ref.name}`).join(', ')})`;
  const location: Record<string, unknown> = {
    logicalLocations: [{ fullyQualifiedName: qualifiedName, kind: 'resource' }],
  };
  if (finding.location) location.physicalLocation = physicalLocation(finding.location, cwd);
  return {
    ruleId: finding.rule,
    ruleIndex,
    level: levelOf(finding),
    message: { text: `${finding.message}${grouped}` },
    locations: [location],
    // Stable across line moves, so code scanning tracks one alert per object and rule.
    partialFingerprints: { 'netpolGuardResource/v1': `${finding.rule}:${qualifiedName}` },
    ...(finding.result === 'skip' ? { suppressions: [{ kind: 'external', justification: finding.skippedBecause ?? 'exempt' }] } : {}),
  };
}

function levelOf(finding: Finding): 'error' | 'warning' {
  if (finding.result === 'fail') return 'error';
  if (finding.result === 'warn') return 'warning';
  // An exempted result takes the default level of its rule.
  return defaultLevel(finding.rule);
}

function physicalLocation(location: SourceLocation, cwd: string): Record<string, unknown> {
  return {
    artifactLocation: { uri: artifactUri(location.file, cwd) },
    region: { startLine: location.line },
  };
}

/** Returns the file as a URI relative to `cwd` with `/` separators, or a file URL when it lies outside `cwd`. */
export function artifactUri(file: string, cwd: string): string {
  const absolute = path.resolve(cwd, file);
  const relative = path.relative(cwd, absolute);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return pathToFileURL(absolute).href;
  return relative.split(path.sep).map(encodeURIComponent).join('/');
}
