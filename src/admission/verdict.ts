import type { ChainResult } from '../rules/chain.js';
import { describeExemption } from '../rules/exemptions.js';
import type { Violation } from '../rules/types.js';
import { allowed, denied, type Decision } from './decision.js';

function warningOf(violation: Violation): string {
  return `${violation.rule}: ${violation.summary}`;
}

/** Tells whether a violation blocks the request: severity deny, in enforce mode or from a rule enforced in every mode. */
function blocks(violation: Violation, chain: ChainResult): boolean {
  return violation.severity === 'deny' && (chain.mode === 'enforce' || violation.alwaysEnforced === true);
}

/**
 * Turns the rules' findings into a decision according to the mode: enforce
 * denies on any violation of severity deny, warn allows with warnings, audit
 * allows and records the violations in audit annotations only. Violations of
 * rules enforced in every mode deny in warn and audit mode too.
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
  } else {
    auditAnnotations.exemption = 'none';
  }
  for (const exemption of chain.expired) {
    warnings.push(`exemption on ${exemption.source} expired at ${exemption.until!.toISOString()} and no longer applies`);
  }
  if (chain.expired.length > 0) {
    auditAnnotations['expired-exemption'] = chain.expired.map(describeExemption).join(' | ');
  }
  if (chain.violations.length > 0) {
    auditAnnotations.violations = [...new Set(chain.violations.map((violation) => violation.rule))].join(',');
  }

  const blocking = chain.violations.filter((violation) => blocks(violation, chain));
  const passing = chain.violations.filter((violation) => !blocks(violation, chain));
  if (chain.mode === 'audit') {
    // One key per rule: a rule with two violations gets both messages in it.
    const messages = new Map<string, string[]>();
    for (const violation of passing) {
      messages.set(violation.rule, [...(messages.get(violation.rule) ?? []), violation.message]);
    }
    for (const [rule, ruleMessages] of messages) auditAnnotations[`violation-${rule}`] = ruleMessages.join(' | ');
  } else {
    warnings.push(...passing.map(warningOf));
  }

  if (blocking.length > 0) {
    auditAnnotations.decision = 'denied';
    return denied(blocking.map((violation) => violation.message).join(' | '), warnings, auditAnnotations);
  }
  auditAnnotations.decision = 'allowed';
  return allowed(warnings, auditAnnotations);
}
