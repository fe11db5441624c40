import type { AuditReport, DirectionStatus, ExemptionEntry, Finding, NamespaceReport, ObjectRef } from '../../audit/index.js';
import { listNames } from '../../rules/describe.js';

/** ANSI SGR sequences by role, so the palette is in one place. */
const STYLES = {
  heading: ['\u001b[1m', '\u001b[22m'],
  fail: ['\u001b[31m', '\u001b[39m'],
  warn: ['\u001b[33m', '\u001b[39m'],
  skip: ['\u001b[36m', '\u001b[39m'],
  pass: ['\u001b[32m', '\u001b[39m'],
  dim: ['\u001b[2m', '\u001b[22m'],
} as const;

type Style = keyof typeof STYLES;
type Paint = (style: Style, text: string) => string;

/**
 * Tells whether the table may use colour: only on a terminal, and never when
 * NO_COLOR is set to a non-empty value (https://no-color.org).
 */
export function colourEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && (env.NO_COLOR ?? '') === '';
}

const LABELS = { fail: 'FAIL', warn: 'WARN', skip: 'SKIP', pass: 'PASS' } as const;

/** Returns the report as text for a person: one block per namespace, then a summary line. */
export function auditTable(report: AuditReport, colour: boolean): string {
  const paint: Paint = colour ? (style, text) => `${STYLES[style][0]}${text}${STYLES[style][1]}` : (_style, text) => text;
  const blocks = report.namespaces.map((namespace) => namespaceBlock(namespace, paint));
  return [...blocks, summaryLine(report, paint)].join('\n\n');
}

function namespaceBlock(namespace: NamespaceReport, paint: Paint): string {
  if (namespace.exempt !== undefined) {
    return `${paint('heading', namespace.name)} ${paint('dim', `exempt: ${namespace.exempt}`)}`;
  }

  const modeOrigin = namespace.modeSource === 'namespace' ? 'namespace label' : 'cluster default';
  const lines = [`${paint('heading', namespace.name)} mode ${namespace.mode} (${modeOrigin})`];
  lines.push(
    `  default-deny  ingress: ${directionText(namespace.defaultDeny.ingress, paint)}  egress: ${directionText(namespace.defaultDeny.egress, paint)}`,
  );
  if (namespace.pendingBaselinePolicies.length > 0) {
    lines.push(`  baseline pending: ${namespace.pendingBaselinePolicies.join(', ')} (checked as if applied)`);
  }
  for (const finding of namespace.findings) {
    if (finding.result === 'pass') continue;
    lines.push(...findingLines(finding, paint));
  }
  for (const exemption of namespace.exemptions) {
    lines.push(`  exemption  ${exemptionText(exemption)}`);
  }
  const issues = namespace.findings.filter((finding) => finding.result !== 'pass').length;
  if (issues === 0) lines.push(`  ${paint('pass', 'no violations')}`);
  return lines.join('\n');
}

function directionText(status: DirectionStatus, paint: Paint): string {
  if (status.defaultDeny) return `${paint('pass', 'yes')} (${listNames(status.policies, 2)})`;
  return paint('fail', 'no');
}

function refText(ref: ObjectRef): string {
  return `${ref.kind}/${ref.name}`;
}

function findingLines(finding: Finding, paint: Paint): string[] {
  const label = paint(finding.result, LABELS[finding.result]);
  const grouped = finding.grouped.length === 0 ? '' : ` (+${finding.grouped.length} owned: ${listNames(finding.grouped.map(refText), 3)})`;
  const lines = [`  ${label}  ${finding.rule}  ${refText(finding.resource)}${grouped}`, `        ${finding.message}`];
  if (finding.skippedBecause !== undefined) lines.push(`        ${paint('dim', `skipped: ${finding.skippedBecause}`)}`);
  if (finding.location) lines.push(`        ${paint('dim', `at ${finding.location.file}:${finding.location.line}`)}`);
  return lines;
}

function exemptionText(exemption: ExemptionEntry): string {
  const rules = exemption.rules === 'all' ? 'all rules' : exemption.rules.join(', ');
  const parts = [`${exemption.source}: ${rules}`, `reason: ${exemption.reason}`];
  if (exemption.until !== undefined) parts.push(`${exemption.expired ? 'expired' : 'until'} ${exemption.until}`);
  if (exemption.ticket !== undefined) parts.push(`ticket ${exemption.ticket}`);
  return parts.join('; ');
}

function summaryLine(report: AuditReport, paint: Paint): string {
  const exempt = report.namespaces.filter((namespace) => namespace.exempt !== undefined).length;
  const { fail, warn, skip, pass } = report.counts;
  const namespaces = `${report.namespaces.length} ${report.namespaces.length === 1 ? 'namespace' : 'namespaces'} (${exempt} exempt)`;
  const results = [
    paint(fail > 0 ? 'fail' : 'pass', `${fail} failed`),
    paint(warn > 0 ? 'warn' : 'dim', `${warn} ${warn === 1 ? 'warning' : 'warnings'}`),
    `${skip} skipped`,
    `${pass} passed`,
  ];
  return `Summary: ${namespaces}; checks by object: ${results.join(', ')}`;
}
