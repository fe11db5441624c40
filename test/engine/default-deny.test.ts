import t from 'tap';
import { defaultDenyStatus, type DefaultDenyDirection, type DefaultDenyStatus } from '../../src/engine/default-deny.js';
import type { NetworkPolicy } from '../../src/engine/types.js';
import { compiled, policy } from '../helpers/engine-builders.js';

const none: DefaultDenyDirection = { defaultDeny: false, denyPolicies: [], openedBy: [] };

function deny(...denyPolicies: string[]): DefaultDenyDirection {
  return { defaultDeny: true, denyPolicies, openedBy: [] };
}

const allowDnsEgress = policy('team', 'default-deny', {
  podSelector: {},
  policyTypes: ['Ingress', 'Egress'],
  egress: [
    {
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [
        { protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 53 },
      ],
    },
  ],
});

const cases: Array<[string, NetworkPolicy[], Omit<DefaultDenyStatus, 'namespace'>]> = [
  ['no policies', [], { ingress: none, egress: none }],
  ['ingress deny-all', [policy('team', 'deny', { podSelector: {} })], { ingress: deny('team/deny'), egress: none }],
  ['egress deny-all', [policy('team', 'deny', { podSelector: {}, policyTypes: ['Egress'] })], { ingress: none, egress: deny('team/deny') }],
  [
    'deny-all in both directions',
    [policy('team', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })],
    { ingress: deny('team/deny'), egress: deny('team/deny') },
  ],
  ['default-deny that allows DNS still counts', [allowDnsEgress], { ingress: deny('team/default-deny'), egress: deny('team/default-deny') }],
  [
    'two deny policies are both listed',
    [policy('team', 'deny-in', { podSelector: {} }), policy('team', 'deny-out', { podSelector: {}, policyTypes: ['Egress'] }), policy('team', 'deny-in-2', { podSelector: {}, ingress: [] })],
    { ingress: deny('team/deny-in', 'team/deny-in-2'), egress: deny('team/deny-out') },
  ],
  [
    'policy selecting some pods is not default-deny',
    [policy('team', 'web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress', 'Egress'] })],
    { ingress: none, egress: none },
  ],
  [
    'policy selecting pods by expression is not default-deny',
    [policy('team', 'web', { podSelector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, policyTypes: ['Ingress'] })],
    { ingress: none, egress: none },
  ],
  [
    'allow-all ingress rule in another all-pods policy opens ingress',
    [policy('team', 'deny', { podSelector: {} }), policy('team', 'allow-all', { podSelector: {}, ingress: [{}] })],
    {
      ingress: { defaultDeny: false, denyPolicies: ['team/deny', 'team/allow-all'], openedBy: [{ policy: 'team/allow-all', direction: 'Ingress', ruleIndex: 0 }] },
      egress: none,
    },
  ],
  [
    'egress [{}] opens egress and isolates ingress',
    [policy('team', 'open-egress', { podSelector: {}, egress: [{}] })],
    {
      ingress: deny('team/open-egress'),
      egress: { defaultDeny: false, denyPolicies: ['team/open-egress'], openedBy: [{ policy: 'team/open-egress', direction: 'Egress', ruleIndex: 0 }] },
    },
  ],
  [
    'empty to and ports lists open egress',
    [policy('team', 'deny', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }, { to: [], ports: [] }] })],
    {
      ingress: none,
      egress: { defaultDeny: false, denyPolicies: ['team/deny'], openedBy: [{ policy: 'team/deny', direction: 'Egress', ruleIndex: 1 }] },
    },
  ],
  [
    'egress to [] on port 53 is still default-deny',
    [policy('team', 'deny', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [], ports: [{ port: 53, protocol: 'UDP' }] }] })],
    { ingress: none, egress: deny('team/deny') },
  ],
  [
    'all ports to some peers is still default-deny',
    [policy('team', 'deny', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] })],
    { ingress: deny('team/deny'), egress: none },
  ],
  [
    'allow-all on selected pods does not open the namespace',
    [policy('team', 'deny', { podSelector: {} }), policy('team', 'web', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{}] })],
    { ingress: deny('team/deny'), egress: none },
  ],
  [
    'egress rules without the Egress type do not count',
    [policy('team', 'deny', { podSelector: {}, policyTypes: ['Ingress'], egress: [{ ports: [{ port: 53 }] }] })],
    { ingress: deny('team/deny'), egress: none },
  ],
];

t.test('defaultDenyStatus', async (t) => {
  for (const [name, policies, expected] of cases) {
    t.same(defaultDenyStatus('team', policies.map(compiled)), { namespace: 'team', ...expected }, name);
  }
});
