import { LABEL_BASELINE, LABEL_MANAGED_BY, MANAGER_NAME } from '../config/defaults.js';
import { metadataOf, stringMap } from '../state/objects.js';
import { ownServiceAccount } from './approval.js';
import { baselineEnabled, baselinePolicyNames } from './baseline.js';
import { NETWORK_POLICY_SCOPE } from './scopes.js';
import type { Rule, RuleContext, Violation } from './types.js';

const RULE = 'baseline-protection' as const;

async function check(context: RuleContext): Promise<Violation[]> {
  const { operation, namespace, name, oldObject, userInfo } = context.request;
  if (operation === 'CREATE') return [];
  const managed = stringMap(metadataOf(oldObject).labels)[LABEL_MANAGED_BY] === MANAGER_NAME;
  if (!managed || !baselinePolicyNames(context.config).includes(name)) return [];
  if (!baselineEnabled(context.state.namespace(namespace)?.labels)) return [];
  if (userInfo.username === ownServiceAccount(context.config)) return [];
  if (await context.isApprover()) return [];

  const action = operation === 'DELETE' ? 'delete' : 'change';
  return [
    {
      rule: RULE,
      severity: 'deny',
      summary: `${namespace}/${name} is a baseline policy managed by netpol-guard`,
      message:
        `${RULE}: NetworkPolicy ${namespace}/${name} is part of the namespace's baseline and managed by netpol-guard, so users may not ${action} it; ` +
        `add your own policies next to it, or ask an approver to set ${LABEL_BASELINE}: disabled on the namespace`,
    },
  ];
}

export const baselineProtectionRule: Rule = {
  id: RULE,
  scopes: [{ ...NETWORK_POLICY_SCOPE, operations: ['UPDATE', 'DELETE'] }],
  exemptable: true,
  alwaysEnforced: false,
  check,
};
