import t from 'tap';
import { baselineProtectionRule } from '../../src/rules/baseline-protection.js';
import type { Violation } from '../../src/rules/types.js';
import { ADMIN, MANAGED, allowDns, clusterState, config, denyAll, namespace, networkPolicy, ruleContext, type ContextOptions } from './fixtures.js';

const BASELINE_NS = { 'netpol-guard.io/baseline': 'enabled' };

function protectedViolation(name: string, action: 'delete' | 'change'): Violation {
  return {
    rule: 'baseline-protection',
    severity: 'deny',
    summary: `team-a/${name} is a baseline policy managed by netpol-guard`,
    message:
      `baseline-protection: NetworkPolicy team-a/${name} is part of the namespace's baseline and managed by netpol-guard, so users may not ${action} it; ` +
      'add your own policies next to it, or ask an approver to set netpol-guard.io/baseline: disabled on the namespace',
  };
}

t.test('baseline-protection rule', async (t) => {
  const state = clusterState(namespace('team-a', BASELINE_NS), denyAll('team-a', 'default-deny-all', MANAGED), allowDns('team-a', ['UDP', 'TCP'], 'allow-dns-egress', MANAGED));
  const managedDenyAll = denyAll('team-a', 'default-deny-all', MANAGED);
  const cases: Array<[string, ContextOptions, Violation[]]> = [
    ['user deleting the managed deny-all fails', { operation: 'DELETE', oldObject: managedDenyAll }, [protectedViolation('default-deny-all', 'delete')]],
    [
      'user changing the managed allow-DNS policy fails',
      { operation: 'UPDATE', oldObject: allowDns('team-a', ['UDP', 'TCP'], 'allow-dns-egress', MANAGED), object: allowDns('team-a', ['UDP'], 'allow-dns-egress', MANAGED) },
      [protectedViolation('allow-dns-egress', 'change')],
    ],
    [
      'user deleting a managed extra policy fails',
      {
        operation: 'DELETE',
        oldObject: networkPolicy('team-a', 'allow-monitoring', { podSelector: {}, ingress: [{}] }, MANAGED),
        config: config((c) => (c.baseline.extraPolicies = [{ name: 'allow-monitoring', spec: { podSelector: {}, ingress: [{}] } }])),
      },
      [protectedViolation('allow-monitoring', 'delete')],
    ],
    ['approver may delete it', { operation: 'DELETE', oldObject: managedDenyAll, user: ADMIN, approver: true }, []],
    ['netpol-guard service account may change it', { operation: 'UPDATE', oldObject: managedDenyAll, object: managedDenyAll, user: { username: 'system:serviceaccount:netpol-guard:netpol-guard', groups: [] } }, []],
    ['policy without the managed-by label is not protected', { operation: 'DELETE', oldObject: denyAll('team-a') }, []],
    ['managed policy with another name is not protected', { operation: 'DELETE', oldObject: denyAll('team-a', 'my-deny', MANAGED) }, []],
  ];
  for (const [name, options, expected] of cases) {
    t.same(await baselineProtectionRule.check(ruleContext({ state, ...options })), expected, name);
  }

  const optedOut = clusterState(namespace('team-a', { 'netpol-guard.io/baseline': 'disabled' }), managedDenyAll);
  t.same(await baselineProtectionRule.check(ruleContext({ state: optedOut, operation: 'DELETE', oldObject: managedDenyAll })), [], 'namespace without the baseline is not protected');
  t.same(baselineProtectionRule.scopes.map((scope) => scope.operations), [['UPDATE', 'DELETE']], 'reads only UPDATE and DELETE');
});
