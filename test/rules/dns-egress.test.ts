import t from 'tap';
import { dnsEgressRule, representativeLabels } from '../../src/rules/dns-egress.js';
import type { Violation } from '../../src/rules/types.js';
import { allowDns, clusterState, config, deployment, networkPolicy, pod, ruleContext, type ContextOptions } from './fixtures.js';

const DNS_HINT =
  'for example to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]';

const udpBlocked = (ns: string, subject: string): Violation => ({
  rule: 'dns-egress',
  severity: 'deny',
  summary: `DNS (UDP 53) egress is blocked by ${ns}/default-deny-all`,
  message:
    `dns-egress: ${subject} are egress-isolated by ${ns}/default-deny-all and no egress rule allows UDP 53 to DNS (kube-system/k8s-app=kube-dns), ` +
    `so name lookups would fail; apply a policy in ${ns} that allows egress to DNS on UDP and TCP 53, ${DNS_HINT}`,
});

const tcpBlocked = (severity: 'deny' | 'warn'): Violation => ({
  rule: 'dns-egress',
  severity,
  summary: 'DNS over TCP 53 is blocked, so DNS answers over 512 bytes will fail',
  message:
    'dns-egress: pods of Deployment "api" (app=api) may send DNS over UDP but not over TCP 53 (isolated by udp-only/allow-dns-egress, udp-only/default-deny-all), ' +
    'so truncated answers cannot be retried over TCP; add TCP 53 next to UDP 53 in the allow-DNS rule',
});

t.test('dns-egress rule on workloads', async (t) => {
  const cases: Array<[string, ContextOptions, Violation[]]> = [
    ['DNS allowed over UDP and TCP passes', { object: deployment('shop', 'cart') }, []],
    ['namespace without isolation passes', { object: deployment('legacy', 'api') }, []],
    ['egress isolated without DNS fails', { object: deployment('payments', 'api') }, [udpBlocked('payments', 'pods of Deployment "api" (app=api)')]],
    ['Pod labels appear in the message', { object: pod('payments', 'debug', { labels: { app: 'debug', tier: 'tools' } }) }, [udpBlocked('payments', 'pods of Pod "debug" (app=debug,tier=tools)')]],
    ['TCP missing is a warning by default', { object: deployment('udp-only', 'api') }, [tcpBlocked('warn')]],
    [
      'TCP missing denies when requireTcp is on',
      { object: deployment('udp-only', 'api'), config: config((c) => (c.rules['dns-egress'].requireTcp = true)) },
      [tcpBlocked('deny')],
    ],
  ];
  for (const [name, options, expected] of cases) {
    t.same(await dnsEgressRule.check(ruleContext(options)), expected, name);
  }
});

t.test('dns-egress rule on NetworkPolicy changes', async (t) => {
  const withCart = clusterState(deployment('shop', 'cart'));
  const cases: Array<[string, ContextOptions, Violation[]]> = [
    [
      'deleting the allow-DNS policy fails for known pods',
      { operation: 'DELETE', oldObject: allowDns('shop'), state: withCart },
      [
        {
          rule: 'dns-egress',
          severity: 'deny',
          summary: 'deleting this policy blocks DNS (UDP 53) for Deployment/cart',
          message:
            'dns-egress: deleting NetworkPolicy shop/allow-dns-egress would block DNS egress (UDP 53 to kube-system/k8s-app=kube-dns) ' +
            'for Deployment/cart; allow UDP and TCP 53 to DNS in this policy or in another policy that selects the same pods',
        },
      ],
    ],
    [
      'new egress policy for unknown pods is judged by its selector',
      {
        operation: 'CREATE',
        object: networkPolicy('legacy', 'web-egress', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 443 }] }] }),
      },
      [
        {
          rule: 'dns-egress',
          severity: 'deny',
          summary: 'creating this policy blocks DNS (UDP 53) for pods matching app=web',
          message:
            'dns-egress: creating NetworkPolicy legacy/web-egress would block DNS egress (UDP 53 to kube-system/k8s-app=kube-dns) ' +
            'for pods matching app=web; allow UDP and TCP 53 to DNS in this policy or in another policy that selects the same pods',
        },
      ],
    ],
    ['new ingress-only policy passes', { operation: 'CREATE', object: networkPolicy('legacy', 'web-in', { podSelector: {}, ingress: [{}] }) }, []],
    ['new policy allowing DNS passes', { operation: 'CREATE', object: allowDns('legacy') }, []],
    ['deleting the allow-DNS policy with no known pods passes', { operation: 'DELETE', oldObject: allowDns('shop') }, []],
  ];
  for (const [name, options, expected] of cases) {
    t.same(await dnsEgressRule.check(ruleContext(options)), expected, name);
  }
});

t.test('representativeLabels', async (t) => {
  t.same(
    representativeLabels({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['front', 'back'] },
        { key: 'canary', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    }),
    { app: 'web', tier: 'front', canary: 'any' },
  );
  t.same(representativeLabels(undefined), {}, 'no selector gives no labels');
});
