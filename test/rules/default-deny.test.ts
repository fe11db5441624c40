import t from 'tap';
import { defaultDenyRule } from '../../src/rules/default-deny.js';
import { allowDns, clusterState, config, denyAll, deployment, namespace, networkPolicy, pod, ruleContext, type ContextOptions } from './fixtures.js';

const DENY_ALL_EXAMPLE = (ns: string, types = '["Ingress","Egress"]'): string =>
  `{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"default-deny-all","namespace":"${ns}"},"spec":{"podSelector":{},"policyTypes":${types}}}`;

t.test('default-deny rule on workloads', async (t) => {
  const cases: Array<[string, ContextOptions, Array<{ summary: string; message: string }>]> = [
    ['namespace with deny-all passes', { object: deployment('shop', 'cart') }, []],
    [
      'namespace without policies fails',
      { object: deployment('legacy', 'api') },
      [
        {
          summary: 'namespace legacy has no default-deny NetworkPolicy for Ingress and Egress',
          message:
            'default-deny: namespace "legacy" has no default-deny NetworkPolicy for Ingress and Egress, so Deployment "api" would run unisolated. ' +
            `Apply one first, for example: ${DENY_ALL_EXAMPLE('legacy')} (with a policy that allows DNS egress), ` +
            'or ask an approver to set the annotation netpol-guard.io/exempt: default-deny with a reason',
        },
      ],
    ],
    [
      'allow-all ingress rule names the opening policy',
      {
        object: pod('open', 'web'),
        state: clusterState(namespace('open'), denyAll('open'), networkPolicy('open', 'allow-all', { podSelector: {}, ingress: [{}] })),
      },
      [
        {
          summary: 'namespace open has no default-deny NetworkPolicy for Ingress',
          message:
            'default-deny: namespace "open" has no default-deny NetworkPolicy for Ingress (policy open/allow-all opens it to all peers in spec.ingress[0]), ' +
            `so Pod "web" would run unisolated. Apply one first, for example: ${DENY_ALL_EXAMPLE('open')} (with a policy that allows DNS egress), ` +
            'or ask an approver to set the annotation netpol-guard.io/exempt: default-deny with a reason',
        },
      ],
    ],
    [
      'only the configured directions are required',
      {
        object: deployment('ingress-only', 'api'),
        state: clusterState(namespace('ingress-only'), networkPolicy('ingress-only', 'deny-in', { podSelector: {} })),
        config: config((c) => (c.rules['default-deny'].directions = ['Ingress'])),
      },
      [],
    ],
    [
      'pending baseline counts as present',
      { object: deployment('fresh', 'api'), state: clusterState(namespace('fresh', { 'netpol-guard.io/baseline': 'enabled' })) },
      [],
    ],
  ];
  for (const [name, options, expected] of cases) {
    const violations = await defaultDenyRule.check(ruleContext(options));
    t.same(violations, expected.map((violation) => ({ rule: 'default-deny', severity: 'deny', ...violation })), name);
  }
});

t.test('default-deny rule on NetworkPolicy changes', async (t) => {
  const cases: Array<[string, ContextOptions, Array<{ summary: string; message: string }>]> = [
    // allow-dns-egress selects every pod for Egress, so it keeps egress isolated on its own.
    [
      'deleting the deny-all loses ingress isolation',
      { operation: 'DELETE', oldObject: denyAll('shop') },
      [
        {
          summary: 'deleting this policy removes default-deny Ingress in shop',
          message:
            'default-deny: deleting NetworkPolicy shop/default-deny-all would leave namespace "shop" without default-deny for Ingress ' +
            '(now provided by shop/default-deny-all). Keep a policy with podSelector: {} and these policyTypes, and open traffic with narrower rules',
        },
      ],
    ],
    [
      'narrowing the deny-all loses ingress isolation',
      {
        operation: 'UPDATE',
        oldObject: denyAll('shop'),
        object: networkPolicy('shop', 'default-deny-all', { podSelector: { matchLabels: { app: 'cart' } }, policyTypes: ['Ingress', 'Egress'] }),
      },
      [
        {
          summary: 'changing this policy removes default-deny Ingress in shop',
          message:
            'default-deny: changing NetworkPolicy shop/default-deny-all would leave namespace "shop" without default-deny for Ingress ' +
            '(now provided by shop/default-deny-all). Keep a policy with podSelector: {} and these policyTypes, and open traffic with narrower rules',
        },
      ],
    ],
    [
      'creating an allow-all egress policy fails',
      { operation: 'CREATE', object: networkPolicy('shop', 'allow-all', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] }) },
      [
        {
          summary: 'creating this policy removes default-deny Egress in shop',
          message:
            'default-deny: creating NetworkPolicy shop/allow-all would leave namespace "shop" without default-deny for Egress ' +
            '(now provided by shop/allow-dns-egress, shop/default-deny-all). Keep a policy with podSelector: {} and these policyTypes, and open traffic with narrower rules',
        },
      ],
    ],
    ['deleting the allow-DNS policy keeps default-deny', { operation: 'DELETE', oldObject: allowDns('shop') }, []],
    [
      'deleting a policy where no default-deny exists passes',
      { operation: 'DELETE', oldObject: networkPolicy('legacy', 'web', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{}] }) },
      [],
    ],
    [
      'deleting one of two deny-all policies passes',
      { operation: 'DELETE', oldObject: denyAll('shop'), state: clusterState(denyAll('shop', 'second-deny-all')) },
      [],
    ],
  ];
  for (const [name, options, expected] of cases) {
    const violations = await defaultDenyRule.check(ruleContext(options));
    t.same(violations, expected.map((violation) => ({ rule: 'default-deny', severity: 'deny', ...violation })), name);
  }
});

t.test('default-deny rule declaration', async (t) => {
  t.equal(defaultDenyRule.exemptable, true, 'exemptable');
  t.equal(defaultDenyRule.alwaysEnforced, false, 'follows the mode');
});
