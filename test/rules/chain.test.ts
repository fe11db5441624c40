import t from 'tap';
import { resolveMode, runRules } from '../../src/rules/chain.js';
import {
  ADMIN,
  DEVELOPER,
  clusterState,
  config,
  denyAll,
  deployment,
  namespace,
  pod,
  ruleContext,
  type ContextOptions,
} from './fixtures.js';

const REASON = { 'netpol-guard.io/exempt-reason': 'vendor appliance without DNS' };

t.test('resolveMode', async (t) => {
  const cases: Array<[string, ContextOptions, { mode: string; source: string }]> = [
    ['cluster default without label', { object: deployment('legacy', 'api') }, { mode: 'enforce', source: 'cluster' }],
    [
      'cluster mode from the configuration',
      { object: deployment('legacy', 'api'), config: config((c) => (c.mode = 'audit')) },
      { mode: 'audit', source: 'cluster' },
    ],
    [
      'namespace label from the state',
      { object: deployment('trial', 'api'), state: clusterState(namespace('trial', { 'netpol-guard.io/mode': 'warn' })) },
      { mode: 'warn', source: 'namespace' },
    ],
    [
      'invalid namespace label falls back to the cluster mode',
      { object: deployment('trial', 'api'), state: clusterState(namespace('trial', { 'netpol-guard.io/mode': 'off' })) },
      { mode: 'enforce', source: 'cluster' },
    ],
    [
      'Namespace request reads its own new label',
      { object: namespace('trial', { 'netpol-guard.io/mode': 'audit' }) },
      { mode: 'audit', source: 'namespace' },
    ],
  ];
  for (const [name, options, expected] of cases) {
    t.same(resolveMode(ruleContext(options)), expected, name);
  }
});

t.test('runRules static exemptions', async (t) => {
  const cases: Array<[string, ContextOptions, string | undefined]> = [
    ['kube-system namespace', { object: deployment('kube-system', 'coredns') }, 'namespace kube-system'],
    ['webhook namespace', { object: deployment('netpol-guard', 'netpol-guard') }, 'namespace netpol-guard'],
    [
      'webhook namespace from the configuration',
      { object: deployment('guard', 'webhook'), config: config((c) => (c.webhookNamespace = 'guard')) },
      'namespace guard',
    ],
    [
      'configured namespace',
      { object: deployment('monitoring', 'prometheus'), config: config((c) => c.exemptions.namespaces.push('monitoring')) },
      'namespace monitoring',
    ],
    [
      'configured username',
      { object: deployment('legacy', 'api'), user: { username: 'ci-bot', groups: [] }, config: config((c) => (c.exemptions.usernames = ['ci-bot'])) },
      'user ci-bot',
    ],
    [
      'configured group',
      { object: deployment('legacy', 'api'), user: { username: 'ops@example.com', groups: ['platform'] }, config: config((c) => (c.exemptions.groups = ['platform'])) },
      'group platform',
    ],
    [
      'namespace controller cleaning up',
      {
        operation: 'DELETE',
        oldObject: denyAll('shop'),
        user: { username: 'system:serviceaccount:kube-system:namespace-controller', groups: [] },
      },
      'cleanup by system:serviceaccount:kube-system:namespace-controller',
    ],
    [
      'delete in a terminating namespace',
      {
        operation: 'DELETE',
        oldObject: denyAll('closing'),
        state: clusterState({ ...namespace('closing'), status: { phase: 'Terminating' } }, denyAll('closing')),
      },
      'namespace closing is terminating',
    ],
    ['ordinary request', { object: deployment('legacy', 'api') }, undefined],
    ['approver is not statically exempt', { object: deployment('legacy', 'api'), user: ADMIN }, undefined],
  ];
  for (const [name, options, expected] of cases) {
    const result = await runRules(ruleContext(options));
    t.equal(result.staticExemption, expected, `${name}: staticExemption`);
    if (expected !== undefined) {
      t.same(result.ruleIds, [], `${name}: no rule runs`);
      t.same(result.violations, [], `${name}: no violations`);
    }
  }
});

t.test('runRules exemption sources', async (t) => {
  const exempt = { 'netpol-guard.io/exempt': 'default-deny,dns-egress', ...REASON };
  const cases: Array<[string, ContextOptions, string | undefined]> = [
    [
      'namespace annotation covers a workload',
      { object: deployment('legacy', 'api'), state: clusterState(namespace('legacy', {}, exempt)) },
      'namespace legacy',
    ],
    ['workload annotation', { object: deployment('legacy', 'api', { annotations: exempt }) }, 'Deployment "api"'],
    ['pod template annotation', { object: deployment('legacy', 'api', { templateAnnotations: exempt }) }, 'the pod template of Deployment "api"'],
    ['Pod annotation', { object: pod('legacy', 'debug', { annotations: exempt }) }, 'Pod "debug"'],
    ['no exemption', { object: deployment('legacy', 'api') }, undefined],
  ];
  for (const [name, options, source] of cases) {
    const result = await runRules(ruleContext({ ...options, approver: true }));
    t.same(result.ruleIds, ['default-deny', 'dns-egress', 'exemption-approval'], `${name}: rules that ran`);
    if (source === undefined) {
      t.same(result.violations.map((violation) => violation.rule), ['default-deny'], `${name}: violations`);
      t.same(result.exempted, [], `${name}: nothing exempted`);
    } else {
      t.same(result.violations, [], `${name}: violations`);
      t.same(result.exempted.map((entry) => [entry.violation.rule, entry.exemption.source]), [['default-deny', source]], `${name}: exempted`);
    }
  }
});

t.test('runRules exemption scope and expiry', async (t) => {
  await t.test('exemption for another rule leaves the violation', async (t) => {
    const object = deployment('legacy', 'api', { annotations: { 'netpol-guard.io/exempt': 'dns-egress', ...REASON } });
    const result = await runRules(ruleContext({ object, approver: true }));
    t.same(result.violations.map((violation) => violation.rule), ['default-deny']);
    t.same(result.exempted, []);
  });

  await t.test('expired exemption no longer applies', async (t) => {
    const object = deployment('legacy', 'api', {
      annotations: { 'netpol-guard.io/exempt': 'all', ...REASON, 'netpol-guard.io/exempt-until': '2026-06-01' },
    });
    const result = await runRules(ruleContext({ object, approver: true }));
    t.same(result.violations.map((violation) => violation.rule), ['default-deny']);
    t.same(result.expired.map((exemption) => [exemption.source, exemption.until?.toISOString()]), [['Deployment "api"', '2026-06-02T00:00:00.000Z']]);
  });

  await t.test('exempt all does not cover exemption-approval', async (t) => {
    const object = deployment('shop', 'api', { annotations: { 'netpol-guard.io/exempt': 'all', ...REASON } });
    const result = await runRules(ruleContext({ object, user: DEVELOPER, approver: false }));
    t.same(result.violations.map((violation) => [violation.rule, violation.alwaysEnforced]), [['exemption-approval', true]]);
    t.same(result.exempted, []);
  });

  await t.test('disabled rule does not run', async (t) => {
    const result = await runRules(ruleContext({ object: deployment('legacy', 'api'), config: config((c) => (c.rules['default-deny'].enabled = false)) }));
    t.same(result.ruleIds, ['dns-egress', 'exemption-approval']);
    t.same(result.violations, []);
  });

  await t.test('violations of mode-following rules carry no alwaysEnforced flag', async (t) => {
    const result = await runRules(ruleContext({ object: deployment('payments', 'api') }));
    t.same(result.violations.map((violation) => [violation.rule, violation.alwaysEnforced]), [['dns-egress', undefined]]);
  });

  await t.test('every violation is reported', async (t) => {
    const object = deployment('payments', 'api', { annotations: { 'netpol-guard.io/exempt': 'nothing', ...REASON } });
    const result = await runRules(ruleContext({ object, approver: true }));
    t.same(result.violations.map((violation) => violation.rule), ['dns-egress', 'exemption-approval']);
  });
});
