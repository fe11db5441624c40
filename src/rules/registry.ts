import type { RuleId } from '../config/types.js';
import { baselineProtectionRule } from './baseline-protection.js';
import { defaultDenyRule } from './default-deny.js';
import { dnsEgressRule } from './dns-egress.js';
import { exemptionApprovalRule } from './exemption-approval.js';
import { namespaceModeRule } from './namespace-mode.js';
import { NAMESPACE_SCOPE, scopeHandles } from './scopes.js';
import type { Operation, Rule, RuleScope } from './types.js';

/** Every validating rule, in the order their messages appear. */
export const RULES: readonly Rule[] = [
  defaultDenyRule,
  dnsEgressRule,
  baselineProtectionRule,
  exemptionApprovalRule,
  namespaceModeRule,
];

export function ruleById(id: RuleId): Rule {
  const rule = RULES.find((candidate) => candidate.id === id);
  if (!rule) throw new Error(`no rule with id ${id}`);
  return rule;
}

const rulesByRequest = new Map<string, Rule[]>();

/** Returns the rules that read this kind and operation. The result is cached, because RULES never changes. */
export function rulesFor(group: string, kind: string, operation: Operation): Rule[] {
  const key = `${group}/${kind}/${operation}`;
  let rules = rulesByRequest.get(key);
  if (rules === undefined) {
    rules = RULES.filter((rule) => rule.scopes.some((scope) => scopeHandles(scope, group, kind, operation)));
    // Requests can name any kind, so the cache stops growing at a size no real mix of kinds reaches.
    if (rulesByRequest.size < 1000) rulesByRequest.set(key, rules);
  }
  return rules;
}

/** The scope of the mutating webhook: it labels new namespaces for the baseline. */
export const MUTATING_SCOPES: readonly RuleScope[] = [{ ...NAMESPACE_SCOPE, operations: ['CREATE'] }];

/**
 * Returns every (group, resource, operation) the validating rules read, merged:
 * the webhook configurations and their tests are generated from this list.
 */
export function validatingScopes(): RuleScope[] {
  const merged = new Map<string, RuleScope & { kinds: string[]; resources: string[]; operations: Operation[] }>();
  for (const rule of RULES) {
    for (const scope of rule.scopes) {
      scope.resources.forEach((resource, index) => {
        const key = `${scope.group}/${resource}`;
        const entry = merged.get(key) ?? {
          group: scope.group,
          version: scope.version,
          kinds: [scope.kinds[index]!],
          resources: [resource],
          operations: [],
        };
        for (const operation of scope.operations) {
          if (!entry.operations.includes(operation)) entry.operations.push(operation);
        }
        merged.set(key, entry);
      });
    }
  }
  return [...merged.values()];
}
