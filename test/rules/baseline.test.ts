import t from 'tap';
import { baselinePolicies, baselinePolicyNames, dnsEgressRules, effectivePolicySource, missingBaselinePolicies } from '../../src/rules/baseline.js';
import { clusterState, config, denyAll, namespace } from './fixtures.js';

const UDP_TCP = [
  { protocol: 'UDP' as const, port: 53 },
  { protocol: 'TCP' as const, port: 53 },
];

t.test('dnsEgressRules', async (t) => {
  t.same(
    dnsEgressRules([
      { name: 'coredns', namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, ports: [...UDP_TCP] },
      { name: 'node-local-dns', ip: '169.254.20.10', ports: [...UDP_TCP] },
      { name: 'v6', ip: 'fd00::a', ports: [{ protocol: 'UDP', port: 53 }] },
    ]),
    [
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: UDP_TCP,
      },
      { to: [{ ipBlock: { cidr: '169.254.20.10/32' } }], ports: UDP_TCP },
      { to: [{ ipBlock: { cidr: 'fd00::a/128' } }], ports: [{ protocol: 'UDP', port: 53 }] },
    ],
  );
});

t.test('baselinePolicies', async (t) => {
  const cfg = config((c) => (c.baseline.extraPolicies = [{ name: 'allow-monitoring', spec: { podSelector: {}, ingress: [{}] } }]));
  const policies = baselinePolicies('team-a', cfg, cfg.dns.targets);
  t.same(policies.map((policy) => [policy.metadata.name, policy.metadata.namespace, policy.metadata.labels]), [
    ['default-deny-all', 'team-a', { 'app.kubernetes.io/managed-by': 'netpol-guard' }],
    ['allow-dns-egress', 'team-a', { 'app.kubernetes.io/managed-by': 'netpol-guard' }],
    ['allow-monitoring', 'team-a', { 'app.kubernetes.io/managed-by': 'netpol-guard' }],
  ]);
  t.same(policies[0]!.spec, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }, 'deny-all spec');
  t.same(policies[1]!.spec.policyTypes, ['Egress'], 'allow-DNS isolates egress only');
  t.same(baselinePolicyNames(cfg), ['default-deny-all', 'allow-dns-egress', 'allow-monitoring']);
});

t.test('effectivePolicySource', async (t) => {
  const cfg = config();
  const pending = clusterState(namespace('fresh', { 'netpol-guard.io/baseline': 'enabled' }), denyAll('fresh'));
  t.same(missingBaselinePolicies(pending, 'fresh', cfg), ['allow-dns-egress'], 'missing policies');
  t.same(
    effectivePolicySource(pending, 'fresh', cfg, cfg.dns.targets).policiesIn('fresh').map((policy) => policy.name),
    ['default-deny-all', 'allow-dns-egress'],
    'pending policies are added',
  );
  const plain = clusterState();
  t.equal(effectivePolicySource(plain, 'legacy', cfg, cfg.dns.targets), plain, 'namespace without the baseline label reads the state');
});
