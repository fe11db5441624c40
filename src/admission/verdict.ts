import type { ChainResult } from '../rules/chain.js';
import { describeExemption } from '../rules/exemptions.js';
import type { Violation } from '../rules/types.js';
import { allowed, denied, type Decision } from './decision.js';

function warningOf(violation: Violation): string {
  return `${violation.rule}: ${violation.summary}`;
}

/**
 * Turns the rules' findings into a decision according to the mode: enforce
 * denies on any violation of severity deny, warn allows with warnings, audit
 * allows and records the violations in audit annotations only.
 */
export function decide(chain: ChainResult): Decision {
  const auditAnnotations: Record<string, string> = { mode: chain.mode };
  const warnings: string[] = [];

  if (chain.staticExemption !== undefined) {
    auditAnnotations.exemption = `static: ${chain.staticExemption}`;
    auditAnnotations.decision = 'allowed';
    return allowed([], auditAnnotations);
  }
  if (chain.exempted.length > 0) {
    const exemptions = [...new Set(chain.exempted.map((entry) => describeExemption(entry.exemption)))];
    auditAnnotations.exemption = exemptions.join(' | ');
    auditAnnotations['exempted-rules'] = [...new Set(chain.exempted.map((entry) => entry.violation.rule))].join(',');
  }
  for (const exemption of chain.expired) {
    warnings.push(`exemption on ${exemption.source} expired at ${exemption.until!.toISOString()} and no longer applies`);
  }
  if (chain.expired.length > 0) {
    auditAnnotations['expired-exemption'] = chain.expired.map(describeExemption).join(' | ');
  }

  const blocking = chain.violations.filter((violation) => violation.severity === 'deny');
  const advisory = chain.violations.filter((violation) => violation.severity === 'warn');
  if (chain.violations.length > 0) {
    auditAnnotations.violations = [...new Set(chain.violations.map((violation) => violation.rule))].join(',');
  }

  switch (chain.mode) {
    case 'enforce':
      warnings.push(...advisory.map(warningOf));
      if (blocking.length > 0) {
        auditAnnotations.decision = 'denied';
        return denied(blocking.map((violation) => violation.message).join(' | '), warnings, auditAnnotations);
      }
      break;
    case 'warn':
      warnings.push(...chain.violations.map(warningOf));
      break;
    case 'audit':
      for (const violation of chain.violations) {
        auditAnnotations[`violation-${violation.rule}`] = violation.message;
      }
      break;
  }
  auditAnnotations.decision = 'allowed';
  return allowed(warnings, auditAnnotations);
}
