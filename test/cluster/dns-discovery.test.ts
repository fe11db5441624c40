import t from 'tap';
import {
  dnsServiceCandidates,
  dnsTargetFromService,
  endpointSlicePorts,
  selectDnsTargets,
  serviceFacts,
  type DnsServiceResult,
} from '../../src/cluster/dns-discovery.js';
import { DEFAULT_DNS_TARGETS, type PodEndpoint } from '../../src/engine/index.js';
import { kubeDnsObjects, namespace, pod, startHarness, waitFor, waitForReady } from './cluster-harness.js';

function service(namespaceName: string, name: string, selector: Record<string, string> | undefined, ports: unknown[]): unknown {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: namespaceName, name }, spec: { ...(selector ? { selector } : {}), ports } };
}

function dnsPod(namespaceName: string, labels: Record<string, string>, ports: Array<{ name?: string; containerPort: number; protocol: string }>): PodEndpoint {
  return { kind: 'pod', namespace: namespaceName, name: 'dns-1', labels, ports };
}

const cases: Array<{ name: string; service: unknown; slices?: unknown[]; pods?: PodEndpoint[]; expected: DnsServiceResult }> = [
  {
    name: 'kubeadm CoreDNS on 53 with named pod ports',
    service: service('kube-system', 'kube-dns', { 'k8s-app': 'kube-dns' }, [
      { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
      { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
      { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
    ]),
    pods: [
      dnsPod('kube-system', { 'k8s-app': 'kube-dns', 'pod-template-hash': 'abc' }, [
        { name: 'dns', containerPort: 53, protocol: 'UDP' },
        { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
      ]),
    ],
    expected: {
      ok: true,
      target: {
        name: 'kube-system/k8s-app=kube-dns',
        namespace: 'kube-system',
        podLabels: { 'k8s-app': 'kube-dns' },
        ports: [
          { protocol: 'UDP', port: 53, name: 'dns' },
          { protocol: 'TCP', port: 53, name: 'dns-tcp' },
        ],
      },
    },
  },
  {
    name: 'OpenShift dns-default on 5353 resolved from the EndpointSlice',
    service: service('openshift-dns', 'dns-default', { 'dns.operator.openshift.io/daemonset-dns': 'default' }, [
      { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 'dns-tcp' },
    ]),
    slices: [
      {
        metadata: { namespace: 'openshift-dns', name: 'dns-default-x1', labels: { 'kubernetes.io/service-name': 'dns-default' } },
        ports: [
          { name: 'dns', port: 5353, protocol: 'UDP' },
          { name: 'dns-tcp', port: 5353, protocol: 'TCP' },
        ],
      },
    ],
    expected: {
      ok: true,
      target: {
        name: 'openshift-dns/dns.operator.openshift.io/daemonset-dns=default',
        namespace: 'openshift-dns',
        podLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' },
        ports: [
          { protocol: 'UDP', port: 5353, name: 'dns' },
          { protocol: 'TCP', port: 5353, name: 'dns-tcp' },
        ],
      },
    },
  },
  {
    name: 'OpenShift port names resolved from the DNS pods without EndpointSlices',
    service: service('openshift-dns', 'dns-default', { 'dns.operator.openshift.io/daemonset-dns': 'default' }, [
      { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 'dns-tcp' },
    ]),
    pods: [
      dnsPod('openshift-dns', { 'dns.operator.openshift.io/daemonset-dns': 'default' }, [
        { name: 'dns', containerPort: 5353, protocol: 'UDP' },
        { name: 'dns-tcp', containerPort: 5353, protocol: 'TCP' },
      ]),
    ],
    expected: {
      ok: true,
      target: {
        name: 'openshift-dns/dns.operator.openshift.io/daemonset-dns=default',
        namespace: 'openshift-dns',
        podLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' },
        ports: [
          { protocol: 'UDP', port: 5353, name: 'dns' },
          { protocol: 'TCP', port: 5353, name: 'dns-tcp' },
        ],
      },
    },
  },
  {
    name: 'vcluster CoreDNS on numeric target port 1053',
    service: service('kube-system', 'kube-dns', { 'k8s-app': 'kube-dns' }, [
      { name: 'dns', port: 53, protocol: 'UDP', targetPort: 1053 },
      { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 1053 },
    ]),
    expected: {
      ok: true,
      target: {
        name: 'kube-system/k8s-app=kube-dns',
        namespace: 'kube-system',
        podLabels: { 'k8s-app': 'kube-dns' },
        ports: [
          { protocol: 'UDP', port: 1053 },
          { protocol: 'TCP', port: 1053 },
        ],
      },
    },
  },
  {
    name: 'CoreDNS labelled k8s-app: coredns, target port defaulted to the port',
    service: service('kube-system', 'kube-dns', { 'k8s-app': 'coredns' }, [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
    ]),
    expected: {
      ok: true,
      target: {
        name: 'kube-system/k8s-app=coredns',
        namespace: 'kube-system',
        podLabels: { 'k8s-app': 'coredns' },
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    },
  },
  {
    name: 'Service without a selector',
    service: service('kube-system', 'kube-dns', undefined, [{ name: 'dns', port: 53, protocol: 'UDP' }]),
    expected: { ok: false, reason: 'Service kube-system/kube-dns has no selector, so its DNS pods cannot be told by labels' },
  },
  {
    name: 'Service without port 53',
    service: service('kube-system', 'kube-dns', { 'k8s-app': 'kube-dns' }, [{ name: 'metrics', port: 9153, protocol: 'TCP' }]),
    expected: { ok: false, reason: 'Service kube-system/kube-dns has no UDP or TCP port 53' },
  },
  {
    name: 'named target port nothing resolves',
    service: service('kube-system', 'kube-dns', { 'k8s-app': 'kube-dns' }, [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' }]),
    expected: {
      ok: false,
      reason: 'Service kube-system/kube-dns: UDP port 53 targets container port "dns", which no EndpointSlice or DNS pod resolves',
    },
  },
];

t.test('dnsTargetFromService maps DNS Services to targets', async (t) => {
  for (const entry of cases) {
    const slicePorts = (entry.slices ?? []).flatMap((slice) => endpointSlicePorts(slice));
    t.same(dnsTargetFromService(serviceFacts(entry.service), slicePorts, entry.pods ?? []), entry.expected, entry.name);
  }
});

t.test('selectDnsTargets falls back to the configured targets', async (t) => {
  const found = cases[0]!.expected;
  t.same(selectDnsTargets([{ service: 'kube-system/kube-dns', result: undefined }, { service: 'openshift-dns/dns-default', result: found }], DEFAULT_DNS_TARGETS), {
    targets: [(found as { target: unknown }).target],
    source: 'discovered',
    service: 'openshift-dns/dns-default',
    skipped: ['Service kube-system/kube-dns not found'],
  });
  t.same(
    selectDnsTargets(
      [
        { service: 'kube-system/kube-dns', result: { ok: false, reason: 'no port' } },
        { service: 'openshift-dns/dns-default', result: undefined },
      ],
      DEFAULT_DNS_TARGETS,
    ),
    { targets: DEFAULT_DNS_TARGETS, source: 'configured', skipped: ['no port', 'Service openshift-dns/dns-default not found'] },
  );
});

t.test('dnsServiceCandidates puts the configured Service first', async (t) => {
  t.same(dnsServiceCandidates({ namespace: 'kube-system', name: 'kube-dns' }), [
    { namespace: 'kube-system', name: 'kube-dns' },
    { namespace: 'openshift-dns', name: 'dns-default' },
  ]);
  t.same(dnsServiceCandidates({ namespace: 'dns', name: 'resolver' }), [
    { namespace: 'dns', name: 'resolver' },
    { namespace: 'kube-system', name: 'kube-dns' },
    { namespace: 'openshift-dns', name: 'dns-default' },
  ]);
});

t.test('discovered OpenShift DNS port reaches the baseline policy', async (t) => {
  const harness = await startHarness(t, {
    server: {
      objects: [
        namespace('openshift-dns'),
        service('openshift-dns', 'dns-default', { 'dns.operator.openshift.io/daemonset-dns': 'default' }, [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 'dns-tcp' },
        ]) as never,
        pod('openshift-dns', 'dns-default-abcde', { 'dns.operator.openshift.io/daemonset-dns': 'default' }, [
          { name: 'dns', containerPort: 5353, protocol: 'UDP' },
          { name: 'dns-tcp', containerPort: 5353, protocol: 'TCP' },
        ]),
        namespace('shop', { 'netpol-guard.io/baseline': 'enabled' }),
      ],
    },
  });
  const state = await harness.start();
  await waitFor(state, 'the allow-DNS policy in shop', () => state.store.policy('shop', 'allow-dns-egress') !== undefined);

  t.same(state.dnsTargets().map((target) => target.ports.map((port) => `${port.protocol}/${port.port}`)), [['UDP/5353', 'TCP/5353']]);
  t.same(harness.server.get('NetworkPolicy', 'shop', 'allow-dns-egress')?.spec, {
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'openshift-dns' } },
            podSelector: { matchLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' } },
          },
        ],
        ports: [
          { protocol: 'UDP', port: 5353 },
          { protocol: 'TCP', port: 5353 },
        ],
      },
    ],
  });
  const used = harness.lines.find((line) => line.msg === 'DNS targets in use');
  t.same(used && { source: used.source, service: used.service }, { source: 'discovered', service: 'openshift-dns/dns-default' });
});

t.test('DNS Service change re-applies the allow-DNS policy', async (t) => {
  const harness = await startHarness(t, { server: { objects: [...kubeDnsObjects(), namespace('shop', { 'netpol-guard.io/baseline': 'enabled' })] } });
  const state = await harness.start();
  await waitFor(state, 'the allow-DNS policy in shop', () => state.store.policy('shop', 'allow-dns-egress') !== undefined);
  t.same(state.dns?.selection.source, 'discovered');

  // vcluster's CoreDNS listens on 1053 behind the same Service.
  for (const object of kubeDnsObjects({ podPort: 1053 })) harness.server.put(object);
  await waitFor(state, 'the policy on port 1053', () =>
    JSON.stringify(harness.server.get('NetworkPolicy', 'shop', 'allow-dns-egress')?.spec).includes('1053'),
  );
  t.ok(harness.lines.some((line) => line.msg === 'using DNS targets discovered from the DNS Service'));
});

t.test('missing DNS Service falls back to the configured targets', async (t) => {
  const harness = await startHarness(t);
  const state = await harness.start();
  await waitForReady(state);

  t.same(state.dnsTargets(), harness.config.dns.targets);
  const used = harness.lines.find((line) => line.msg === 'DNS targets in use');
  t.same(used && { source: used.source, skipped: used.skipped }, {
    source: 'configured',
    skipped: ['Service kube-system/kube-dns not found', 'Service openshift-dns/dns-default not found'],
  });
});
