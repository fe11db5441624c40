import t from 'tap';
import { MUTATING_SCOPES, RULES, ruleById, rulesFor, validatingScopes } from '../../src/rules/registry.js';
import { RULE_IDS } from '../../src/config/types.js';

t.test('RULES lists every rule id once', async (t) => {
  t.same(RULES.map((rule) => rule.id), [...RULE_IDS]);
  t.equal(ruleById('dns-egress').id, 'dns-egress');
});

t.test('rulesFor', async (t) => {
  const cases: Array<[string, string, string, 'CREATE' | 'UPDATE' | 'DELETE', string[]]> = [
    ['Deployment create', 'apps', 'Deployment', 'CREATE', ['default-deny', 'dns-egress', 'exemption-approval']],
    ['Pod update', '', 'Pod', 'UPDATE', ['default-deny', 'dns-egress', 'exemption-approval']],
    ['Pod delete', '', 'Pod', 'DELETE', []],
    ['CronJob create', 'batch', 'CronJob', 'CREATE', ['default-deny', 'dns-egress', 'exemption-approval']],
    ['NetworkPolicy create', 'networking.k8s.io', 'NetworkPolicy', 'CREATE', ['default-deny', 'dns-egress']],
    ['NetworkPolicy delete', 'networking.k8s.io', 'NetworkPolicy', 'DELETE', ['default-deny', 'dns-egress', 'baseline-protection']],
    ['Namespace update', '', 'Namespace', 'UPDATE', ['exemption-approval', 'namespace-mode']],
    ['Namespace delete', '', 'Namespace', 'DELETE', []],
    ['Deployment in the wrong group', '', 'Deployment', 'CREATE', []],
    ['Service', '', 'Service', 'CREATE', []],
  ];
  for (const [name, group, kind, operation, expected] of cases) {
    t.same(rulesFor(group, kind, operation).map((rule) => rule.id), expected, name);
  }
});

t.test('validatingScopes', async (t) => {
  const scopes = validatingScopes().map((scope) => `${scope.group}/${scope.resources.join(',')}:${scope.operations.join(',')}`);
  t.same(scopes, [
    '/pods:CREATE,UPDATE',
    '/replicationcontrollers:CREATE,UPDATE',
    'apps/deployments:CREATE,UPDATE',
    'apps/replicasets:CREATE,UPDATE',
    'apps/statefulsets:CREATE,UPDATE',
    'apps/daemonsets:CREATE,UPDATE',
    'batch/jobs:CREATE,UPDATE',
    'batch/cronjobs:CREATE,UPDATE',
    'networking.k8s.io/networkpolicies:CREATE,UPDATE,DELETE',
    '/namespaces:CREATE,UPDATE',
  ]);
  t.same(MUTATING_SCOPES.map((scope) => [scope.resources, scope.operations]), [[['namespaces'], ['CREATE']]]);
});
