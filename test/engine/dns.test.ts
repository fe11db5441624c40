import t from 'tap';
import {
  DEFAULT_DNS_TARGETS,
  evaluateDnsEgress,
  type DnsEgressVerdict,
  type DnsProtocolVerdict,
  type DnsTarget,
} from '../../src/engine/dns.js';
import type { NetworkPolicy, NetworkPolicyEgressRule, PodEndpoint, Protocol } from '../../src/engine/types.js';
import { pod, policy, sourceOf } from '../helpers/engine-builders.js';

const KUBE_DNS = 'kube-system/k8s-app=kube-dns';
const app = pod('team', 'app', { app: 'api' }, '10.1.0.5');

const OPENSHIFT_DNS: DnsTarget = {
  name: 'openshift-dns/dns.operator.openshift.io/daemonset-dns=default',
  namespace: 'openshift-dns',
  podLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' },
  ports: [
    { protocol: 'UDP', port: 5353, name: 'dns' },
    { protocol: 'TCP', port: 5353, name: 'dns-tcp' },
  ],
};
const NODE_LOCAL_DNS: DnsTarget = {
  name: 'node-local-dns',
  ip: '169.254.20.10',
  ports: [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ],
};
const SERVICE_IP_DNS: DnsTarget = {
  name: 'kube-dns-service',
  ip: '10.96.0.10',
  ports: [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ],
};

const kubeDnsPeer = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};
const dnsPorts = [
  { protocol: 'UDP', port: 53 },
  { protocol: 'TCP', port: 53 },
];

function egressPolicy(name: string, egress: NetworkPolicyEgressRule[]): NetworkPolicy {
  return policy('team', name, { podSelector: {}, policyTypes: ['Egress'], egress });
}

const denyEgress = egressPolicy('deny-egress', []);

function reached(target: string, port: number, policyRef: string | null, ruleIndex = 0): DnsProtocolVerdict {
  const allowedBy = policyRef === null ? [] : [{ policy: policyRef, direction: 'Egress' as const, ruleIndex }];
  return { allowed: true, target, port, allowedBy };
}

const blocked: DnsProtocolVerdict = { allowed: false, allowedBy: [] };

interface Case {
  name: string;
  policies: NetworkPolicy[];
  targets?: readonly DnsTarget[];
  pods?: PodEndpoint[];
  expected: DnsEgressVerdict;
}

const cases: Case[] = [
  {
    name: 'pod without egress policies reaches DNS',
    policies: [],
    expected: { isolated: false, isolatingPolicies: [], udp: reached(KUBE_DNS, 53, null), tcp: reached(KUBE_DNS, 53, null), ingressDenied: [] },
  },
  {
    name: 'default-deny egress blocks DNS',
    policies: [denyEgress],
    expected: { isolated: true, isolatingPolicies: ['team/deny-egress'], udp: blocked, tcp: blocked, ingressDenied: [] },
  },
  {
    name: 'default-deny egress with allow-DNS reaches DNS',
    policies: [denyEgress, egressPolicy('allow-dns', [{ to: [kubeDnsPeer], ports: dnsPorts }])],
    expected: {
      isolated: true,
      isolatingPolicies: ['team/deny-egress', 'team/allow-dns'],
      udp: reached(KUBE_DNS, 53, 'team/allow-dns'),
      tcp: reached(KUBE_DNS, 53, 'team/allow-dns'),
      ingressDenied: [],
    },
  },
  {
    name: 'single default-deny policy that allows DNS',
    policies: [egressPolicy('default-deny', [{ to: [kubeDnsPeer], ports: dnsPorts }])],
    expected: {
      isolated: true,
      isolatingPolicies: ['team/default-deny'],
      udp: reached(KUBE_DNS, 53, 'team/default-deny'),
      tcp: reached(KUBE_DNS, 53, 'team/default-deny'),
      ingressDenied: [],
    },
  },
  {
    name: 'allow-DNS that opens only UDP',
    policies: [denyEgress, egressPolicy('allow-dns', [{ to: [kubeDnsPeer], ports: [{ protocol: 'UDP', port: 53 }] }])],
    expected: {
      isolated: true,
      isolatingPolicies: ['team/deny-egress', 'team/allow-dns'],
      udp: reached(KUBE_DNS, 53, 'team/allow-dns'),
      tcp: blocked,
      ingressDenied: [],
    },
  },
  {
    name: 'allow-DNS with port 53 and no protocol opens only TCP',
    policies: [egressPolicy('allow-dns', [{ to: [kubeDnsPeer], ports: [{ port: 53 }] }])],
    expected: { isolated: true, isolatingPolicies: ['team/allow-dns'], udp: blocked, tcp: reached(KUBE_DNS, 53, 'team/allow-dns'), ingressDenied: [] },
  },
  {
    name: 'allow-DNS to the wrong namespace label',
    policies: [
      egressPolicy('allow-dns', [
        { to: [{ namespaceSelector: { matchLabels: { name: 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: dnsPorts },
      ]),
    ],
    expected: { isolated: true, isolatingPolicies: ['team/allow-dns'], udp: blocked, tcp: blocked, ingressDenied: [] },
  },
  {
    name: 'allow-DNS with podSelector alone looks in the own namespace',
    policies: [egressPolicy('allow-dns', [{ to: [{ podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: dnsPorts }])],
    expected: { isolated: true, isolatingPolicies: ['team/allow-dns'], udp: blocked, tcp: blocked, ingressDenied: [] },
  },
  {
    name: 'allow-DNS by named ports',
    policies: [
      egressPolicy('allow-dns', [
        {
          to: [kubeDnsPeer],
          ports: [
            { protocol: 'UDP', port: 'dns' },
            { protocol: 'TCP', port: 'dns-tcp' },
          ],
        },
      ]),
    ],
    expected: {
      isolated: true,
      isolatingPolicies: ['team/allow-dns'],
      udp: reached(KUBE_DNS, 53, 'team/allow-dns'),
      tcp: reached(KUBE_DNS, 53, 'team/allow-dns'),
      ingressDenied: [],
    },
  },
  {
    name: 'named port with the wrong protocol',
    policies: [egressPolicy('allow-dns', [{ to: [kubeDnsPeer], ports: [{ port: 'dns' }] }])],
    expected: { isolated: true, isolatingPolicies: ['team/allow-dns'], udp: blocked, tcp: blocked, ingressDenied: [] },
  },
  {
    name: 'named ports resolve against the real DNS pods',
    policies: [egressPolicy('allow-dns', [{ to: [{ namespaceSelector: {} }], ports: [{ protocol: 'UDP', port: 'dns' }] }])],
    pods: [pod('kube-system', 'coredns-1', { 'k8s-app': 'kube-dns' }, '10.0.0.10', [{ name: 'dns', containerPort: 1053, protocol: 'UDP' }])],
    // The real pod names port 1053 "dns", but the target declares that queries arrive on 53.
    expected: { isolated: true, isolatingPolicies: ['team/allow-dns'], udp: blocked, tcp: blocked, ingressDenied: [] },
  },
  {
    name: 'egress to [] on port 53 reaches DNS',
    policies: [egressPolicy('allow-dns', [{ to: [], ports: dnsPorts }])],
    expected: {
      isolated: true,
      isolatingPolicies: ['team/allow-dns'],
      udp: reached(KUBE_DNS, 53, 'team/allow-dns'),
      tcp: reached(KUBE_DNS, 53, 'team/allow-dns'),
      ingressDenied: [],
    },
  },
  {
    name: 'egress [{}] reaches DNS',
    policies: [policy('team', 'open', { podSelector: {}, egress: [{}] })],
    expected: {
      isolated: true,
      isolatingPolicies: ['team/open'],
      udp: reached(KUBE_DNS, 53, 'team/open'),
      tcp: reached(KUBE_DNS, 53, 'team/open'),
      ingressDenied: [],
    },
  },
  {
    name: 'OpenShift DNS on 5353 is not reached by port 53',
    policies: [egressPolicy('allow-dns', [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'openshift-dns' } } }], ports: dnsPorts }])],
    targets: [OPENSHIFT_DNS],
    expected: { isolated: true, isolatingPolicies: ['team/allow-dns'], udp: blocked, tcp: blocked, ingressDenied: [] },
  },
  {
    name: 'OpenShift DNS on 5353 is reached by port 5353',
    policies: [
      egressPolicy('allow-dns', [
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'openshift-dns' } } }],
          ports: [
            { protocol: 'UDP', port: 5353 },
            { protocol: 'TCP', port: 5353 },
          ],
        },
      ]),
    ],
    targets: [OPENSHIFT_DNS],
    expected: {
      isolated: true,
      isolatingPolicies: ['team/allow-dns'],
      udp: reached(OPENSHIFT_DNS.name, 5353, 'team/allow-dns'),
      tcp: reached(OPENSHIFT_DNS.name, 5353, 'team/allow-dns'),
      ingressDenied: [],
    },
  },
  {
    name: 'OpenShift DNS is reached by named port',
    policies: [egressPolicy('allow-dns', [{ to: [{ namespaceSelector: {} }], ports: [{ protocol: 'UDP', port: 'dns' }] }])],
    targets: [OPENSHIFT_DNS],
    expected: { isolated: true, isolatingPolicies: ['team/allow-dns'], udp: reached(OPENSHIFT_DNS.name, 5353, 'team/allow-dns'), tcp: blocked, ingressDenied: [] },
  },
  {
    name: 'NodeLocal DNSCache reached by ipBlock',
    policies: [egressPolicy('allow-dns', [{ to: [{ ipBlock: { cidr: '169.254.20.10/32' } }], ports: dnsPorts }])],
    targets: [NODE_LOCAL_DNS],
    expected: {
      isolated: true,
      isolatingPolicies: ['team/allow-dns'],
      udp: reached('node-local-dns', 53, 'team/allow-dns'),
      tcp: reached('node-local-dns', 53, 'team/allow-dns'),
      ingressDenied: [],
    },
  },
  {
    name: 'NodeLocal DNSCache not reached by a pod selector',
    policies: [egressPolicy('allow-dns', [{ to: [kubeDnsPeer], ports: dnsPorts }])],
    targets: [NODE_LOCAL_DNS],
    expected: { isolated: true, isolatingPolicies: ['team/allow-dns'], udp: blocked, tcp: blocked, ingressDenied: [] },
  },
  {
    name: 'NodeLocal DNSCache or CoreDNS, the first reachable wins',
    policies: [egressPolicy('allow-dns', [{ to: [kubeDnsPeer], ports: dnsPorts }])],
    targets: [NODE_LOCAL_DNS, ...DEFAULT_DNS_TARGETS],
    expected: {
      isolated: true,
      isolatingPolicies: ['team/allow-dns'],
      udp: reached(KUBE_DNS, 53, 'team/allow-dns'),
      tcp: reached(KUBE_DNS, 53, 'team/allow-dns'),
      ingressDenied: [],
    },
  },
  {
    name: 'DNS service IP reached by ipBlock',
    policies: [egressPolicy('allow-dns', [{ to: [{ ipBlock: { cidr: '10.96.0.0/12' } }], ports: [{ protocol: 'UDP', port: 53 }] }])],
    targets: [SERVICE_IP_DNS],
    expected: { isolated: true, isolatingPolicies: ['team/allow-dns'], udp: reached('kube-dns-service', 53, 'team/allow-dns'), tcp: blocked, ingressDenied: [] },
  },
  {
    name: 'ingress deny-all in kube-system drops queries',
    policies: [policy('kube-system', 'deny-ingress', { podSelector: {} })],
    expected: {
      isolated: false,
      isolatingPolicies: [],
      udp: reached(KUBE_DNS, 53, null),
      tcp: reached(KUBE_DNS, 53, null),
      ingressDenied: [
        { target: KUBE_DNS, protocol: 'UDP', policies: ['kube-system/deny-ingress'] },
        { target: KUBE_DNS, protocol: 'TCP', policies: ['kube-system/deny-ingress'] },
      ],
    },
  },
  {
    name: 'ingress in kube-system that admits only UDP',
    policies: [
      denyEgress,
      egressPolicy('allow-dns', [{ to: [kubeDnsPeer], ports: dnsPorts }]),
      policy('kube-system', 'dns-ingress', { podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } }, ingress: [{ ports: [{ protocol: 'UDP', port: 53 }] }] }),
    ],
    expected: {
      isolated: true,
      isolatingPolicies: ['team/deny-egress', 'team/allow-dns'],
      udp: reached(KUBE_DNS, 53, 'team/allow-dns'),
      tcp: reached(KUBE_DNS, 53, 'team/allow-dns'),
      ingressDenied: [{ target: KUBE_DNS, protocol: 'TCP', policies: ['kube-system/dns-ingress'] }],
    },
  },
  {
    name: 'ingress in kube-system that admits every namespace',
    policies: [
      policy('kube-system', 'deny-ingress', { podSelector: {} }),
      policy('kube-system', 'dns-ingress', { podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } }, ingress: [{ from: [{ namespaceSelector: {} }], ports: dnsPorts }] }),
    ],
    expected: { isolated: false, isolatingPolicies: [], udp: reached(KUBE_DNS, 53, null), tcp: reached(KUBE_DNS, 53, null), ingressDenied: [] },
  },
  {
    name: 'ingress in kube-system on other pods does not drop queries',
    policies: [policy('kube-system', 'metrics', { podSelector: { matchLabels: { app: 'metrics-server' } } })],
    expected: { isolated: false, isolatingPolicies: [], udp: reached(KUBE_DNS, 53, null), tcp: reached(KUBE_DNS, 53, null), ingressDenied: [] },
  },
  {
    name: 'no denial when another target answers',
    policies: [policy('kube-system', 'deny-ingress', { podSelector: {} })],
    targets: [...DEFAULT_DNS_TARGETS, NODE_LOCAL_DNS],
    expected: { isolated: false, isolatingPolicies: [], udp: reached(KUBE_DNS, 53, null), tcp: reached(KUBE_DNS, 53, null), ingressDenied: [] },
  },
];

t.test('evaluateDnsEgress', async (t) => {
  for (const testCase of cases) {
    const source = sourceOf(testCase.policies, {}, testCase.pods ?? []);
    const verdict = evaluateDnsEgress(source, app, testCase.targets ?? DEFAULT_DNS_TARGETS);
    t.same(verdict, testCase.expected, testCase.name);
  }
});

t.test('evaluateDnsEgress for a pod template', async (t) => {
  const template: PodEndpoint = { kind: 'pod', namespace: 'team', labels: { app: 'api' } };
  const source = sourceOf([denyEgress, egressPolicy('allow-dns', [{ to: [kubeDnsPeer], ports: dnsPorts }])]);
  const verdict = evaluateDnsEgress(source, template, DEFAULT_DNS_TARGETS);
  const protocols: Protocol[] = ['UDP', 'TCP'];
  for (const protocol of protocols) {
    const side = protocol === 'UDP' ? verdict.udp : verdict.tcp;
    t.equal(side.allowed, true, `${protocol} allowed`);
  }
});

t.test('DEFAULT_DNS_TARGETS', async (t) => {
  t.same(DEFAULT_DNS_TARGETS, [
    {
      name: KUBE_DNS,
      namespace: 'kube-system',
      podLabels: { 'k8s-app': 'kube-dns' },
      ports: [
        { protocol: 'UDP', port: 53, name: 'dns' },
        { protocol: 'TCP', port: 53, name: 'dns-tcp' },
      ],
    },
  ]);
});
