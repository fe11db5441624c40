/**
 * Reachability suite: three namespaces with three pods each, and for every
 * policy scenario the full expected matrix written out from the
 * networking.k8s.io/v1 NetworkPolicy API reference. Grids follow the
 * notation of the upstream Kubernetes network policy e2e tests: rows are
 * sources, columns are destinations, "." means connected, "X" blocked.
 */
import t from 'tap';
import { evaluate } from '../../src/engine/evaluate.js';
import type { Labels, NetworkPolicy, PodEndpoint, Protocol } from '../../src/engine/types.js';
import { policy, sourceOf } from '../helpers/engine-builders.js';

const NAMESPACE_LABELS: Record<string, Labels> = {
  x: { ns: 'x', env: 'prod' },
  y: { ns: 'y', env: 'prod' },
  z: { ns: 'z', env: 'dev' },
};
const POD_LABELS: Record<string, Labels> = {
  a: { pod: 'a', app: 'web' },
  b: { pod: 'b', app: 'db' },
  c: { pod: 'c' },
};
const NAMESPACE_NUMBERS: Record<string, number> = { x: 1, y: 2, z: 3 };
const POD_NUMBERS: Record<string, number> = { a: 1, b: 2, c: 3 };

/**
 * Returns the container ports of pod a, b or c: ports 80 and 81 on TCP, UDP
 * and SCTP. The name "http" is port 80/TCP on pods a and b but port 81/TCP
 * on pod c, so named ports resolve differently per destination.
 */
function containerPorts(podName: string): PodEndpoint['ports'] {
  const httpPort = podName === 'c' ? 81 : 80;
  const ports = [];
  for (const protocol of ['TCP', 'UDP', 'SCTP']) {
    for (const port of [80, 81]) {
      const name = protocol === 'TCP' && port === httpPort ? 'http' : `serve-${port}-${protocol.toLowerCase()}`;
      ports.push({ name, containerPort: port, protocol });
    }
  }
  return ports;
}

const ORDER = ['xa', 'xb', 'xc', 'ya', 'yb', 'yc', 'za', 'zb', 'zc'];

function buildPods(podLabels: Record<string, Labels> = {}): PodEndpoint[] {
  return ORDER.map((key) => {
    const namespace = key[0]!;
    const name = key[1]!;
    return {
      kind: 'pod',
      namespace,
      name,
      labels: podLabels[key] ?? POD_LABELS[name]!,
      ip: `10.0.${NAMESPACE_NUMBERS[namespace]}.${POD_NUMBERS[name]}`,
      ports: containerPorts(name),
    };
  });
}

/** Parses a grid with a header row and a label at the start of each row into "from>to" keys. */
function parseGrid(grid: string): Record<string, boolean> {
  const lines = grid.trim().split('\n').map((line) => line.trim().split(/\s+/));
  const [header, ...rows] = lines;
  if (header!.join(' ') !== ORDER.join(' ')) throw new Error(`grid header must be ${ORDER.join(' ')}`);
  const cells: Record<string, boolean> = {};
  rows.forEach((row, index) => {
    const [label, ...values] = row;
    if (label !== ORDER[index] || values.length !== ORDER.length) throw new Error(`grid row ${index + 1} is malformed: ${row.join(' ')}`);
    values.forEach((value, column) => {
      if (value !== '.' && value !== 'X') throw new Error(`grid cell ${label}>${ORDER[column]} must be . or X`);
      cells[`${label}>${ORDER[column]}`] = value === '.';
    });
  });
  return cells;
}

interface Probe {
  port: number;
  protocol: Protocol;
  grid: string;
}

interface Scenario {
  name: string;
  policies: NetworkPolicy[];
  namespaceLabels?: Record<string, Labels>;
  podLabels?: Record<string, Labels>;
  probes: Probe[];
}

const ALL_CONNECTED = `
    xa xb xc ya yb yc za zb zc
xa  .  .  .  .  .  .  .  .  .
xb  .  .  .  .  .  .  .  .  .
xc  .  .  .  .  .  .  .  .  .
ya  .  .  .  .  .  .  .  .  .
yb  .  .  .  .  .  .  .  .  .
yc  .  .  .  .  .  .  .  .  .
za  .  .  .  .  .  .  .  .  .
zb  .  .  .  .  .  .  .  .  .
zc  .  .  .  .  .  .  .  .  .
`;

const X_INGRESS_BLOCKED = `
    xa xb xc ya yb yc za zb zc
xa  .  X  X  .  .  .  .  .  .
xb  X  .  X  .  .  .  .  .  .
xc  X  X  .  .  .  .  .  .  .
ya  X  X  X  .  .  .  .  .  .
yb  X  X  X  .  .  .  .  .  .
yc  X  X  X  .  .  .  .  .  .
za  X  X  X  .  .  .  .  .  .
zb  X  X  X  .  .  .  .  .  .
zc  X  X  X  .  .  .  .  .  .
`;

const X_EGRESS_BLOCKED = `
    xa xb xc ya yb yc za zb zc
xa  .  X  X  X  X  X  X  X  X
xb  X  .  X  X  X  X  X  X  X
xc  X  X  .  X  X  X  X  X  X
ya  .  .  .  .  .  .  .  .  .
yb  .  .  .  .  .  .  .  .  .
yc  .  .  .  .  .  .  .  .  .
za  .  .  .  .  .  .  .  .  .
zb  .  .  .  .  .  .  .  .  .
zc  .  .  .  .  .  .  .  .  .
`;

const X_ISOLATED_BOTH_WAYS = `
    xa xb xc ya yb yc za zb zc
xa  .  X  X  X  X  X  X  X  X
xb  X  .  X  X  X  X  X  X  X
xc  X  X  .  X  X  X  X  X  X
ya  X  X  X  .  .  .  .  .  .
yb  X  X  X  .  .  .  .  .  .
yc  X  X  X  .  .  .  .  .  .
za  X  X  X  .  .  .  .  .  .
zb  X  X  X  .  .  .  .  .  .
zc  X  X  X  .  .  .  .  .  .
`;

const tcp80 = (grid: string): Probe => ({ port: 80, protocol: 'TCP', grid });

const denyIngressX = policy('x', 'deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
const denyEgressX = policy('x', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] });
const onlyPodA = { matchLabels: { pod: 'a' } };

const scenarios: Scenario[] = [
  { name: 'no policies', policies: [], probes: [tcp80(ALL_CONNECTED), { port: 81, protocol: 'SCTP', grid: ALL_CONNECTED }] },
  {
    name: 'ingress deny-all in x',
    policies: [denyIngressX],
    probes: [tcp80(X_INGRESS_BLOCKED), { port: 81, protocol: 'UDP', grid: X_INGRESS_BLOCKED }, { port: 80, protocol: 'SCTP', grid: X_INGRESS_BLOCKED }],
  },
  { name: 'egress deny-all in x', policies: [denyEgressX], probes: [tcp80(X_EGRESS_BLOCKED), { port: 81, protocol: 'UDP', grid: X_EGRESS_BLOCKED }] },
  {
    name: 'deny-all in both directions in x',
    policies: [policy('x', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })],
    probes: [tcp80(X_ISOLATED_BOTH_WAYS)],
  },
  {
    name: 'ingress deny-all written as an empty ingress list',
    policies: [policy('x', 'deny-ingress', { podSelector: {}, ingress: [] })],
    probes: [tcp80(X_INGRESS_BLOCKED)],
  },
  {
    name: 'x admits only its own namespace',
    policies: [policy('x', 'same-namespace', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })],
    probes: [
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  .  .  .  .  .  .  .  .
xb  .  .  .  .  .  .  .  .  .
xc  .  .  .  .  .  .  .  .  .
ya  X  X  X  .  .  .  .  .  .
yb  X  X  X  .  .  .  .  .  .
yc  X  X  X  .  .  .  .  .  .
za  X  X  X  .  .  .  .  .  .
zb  X  X  X  .  .  .  .  .  .
zc  X  X  X  .  .  .  .  .  .
`),
    ],
  },
  {
    name: 'x/a admits only pod b of x',
    policies: [policy('x', 'a-from-b', { podSelector: onlyPodA, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] })],
    probes: [
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  .  .  .  .  .  .  .  .
xb  .  .  .  .  .  .  .  .  .
xc  X  .  .  .  .  .  .  .  .
ya  X  .  .  .  .  .  .  .  .
yb  X  .  .  .  .  .  .  .  .
yc  X  .  .  .  .  .  .  .  .
za  X  .  .  .  .  .  .  .  .
zb  X  .  .  .  .  .  .  .  .
zc  X  .  .  .  .  .  .  .  .
`),
    ],
  },
  {
    name: 'x/a admits every pod of namespace y',
    policies: [policy('x', 'a-from-y', { podSelector: onlyPodA, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] })],
    probes: [
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  .  .  .  .  .  .  .  .
xb  X  .  .  .  .  .  .  .  .
xc  X  .  .  .  .  .  .  .  .
ya  .  .  .  .  .  .  .  .  .
yb  .  .  .  .  .  .  .  .  .
yc  .  .  .  .  .  .  .  .  .
za  X  .  .  .  .  .  .  .  .
zb  X  .  .  .  .  .  .  .  .
zc  X  .  .  .  .  .  .  .  .
`),
    ],
  },
  {
    name: 'x/a admits pod b of namespace y (selectors ANDed)',
    policies: [
      policy('x', 'a-from-y-b', {
        podSelector: onlyPodA,
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }] }],
      }),
    ],
    probes: [
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  .  .  .  .  .  .  .  .
xb  X  .  .  .  .  .  .  .  .
xc  X  .  .  .  .  .  .  .  .
ya  X  .  .  .  .  .  .  .  .
yb  .  .  .  .  .  .  .  .  .
yc  X  .  .  .  .  .  .  .  .
za  X  .  .  .  .  .  .  .  .
zb  X  .  .  .  .  .  .  .  .
zc  X  .  .  .  .  .  .  .  .
`),
    ],
  },
  {
    name: 'x/a admits namespace y or pod b of x (peers ORed)',
    policies: [
      policy('x', 'a-from-y-or-b', {
        podSelector: onlyPodA,
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }, { podSelector: { matchLabels: { pod: 'b' } } }] }],
      }),
    ],
    probes: [
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  .  .  .  .  .  .  .  .
xb  .  .  .  .  .  .  .  .  .
xc  X  .  .  .  .  .  .  .  .
ya  .  .  .  .  .  .  .  .  .
yb  .  .  .  .  .  .  .  .  .
yc  .  .  .  .  .  .  .  .  .
za  X  .  .  .  .  .  .  .  .
zb  X  .  .  .  .  .  .  .  .
zc  X  .  .  .  .  .  .  .  .
`),
    ],
  },
  {
    name: 'x/a admits pod c of every namespace',
    policies: [
      policy('x', 'a-from-any-c', { podSelector: onlyPodA, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { pod: 'c' } } }] }] }),
    ],
    probes: [
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  .  .  .  .  .  .  .  .
xb  X  .  .  .  .  .  .  .  .
xc  .  .  .  .  .  .  .  .  .
ya  X  .  .  .  .  .  .  .  .
yb  X  .  .  .  .  .  .  .  .
yc  .  .  .  .  .  .  .  .  .
za  X  .  .  .  .  .  .  .  .
zb  X  .  .  .  .  .  .  .  .
zc  .  .  .  .  .  .  .  .  .
`),
    ],
  },
  {
    name: 'x admits namespaces with env In prod',
    policies: [
      policy('x', 'from-prod', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] } }] }] }),
    ],
    probes: [
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  .  .  .  .  .  .  .  .
xb  .  .  .  .  .  .  .  .  .
xc  .  .  .  .  .  .  .  .  .
ya  .  .  .  .  .  .  .  .  .
yb  .  .  .  .  .  .  .  .  .
yc  .  .  .  .  .  .  .  .  .
za  X  X  X  .  .  .  .  .  .
zb  X  X  X  .  .  .  .  .  .
zc  X  X  X  .  .  .  .  .  .
`),
    ],
  },
  {
    name: 'x admits namespaces with ns NotIn y',
    policies: [
      policy('x', 'not-from-y', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: ['y'] }] } }] }] }),
    ],
    probes: [
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  .  .  .  .  .  .  .  .
xb  .  .  .  .  .  .  .  .  .
xc  .  .  .  .  .  .  .  .  .
ya  X  X  X  .  .  .  .  .  .
yb  X  X  X  .  .  .  .  .  .
yc  X  X  X  .  .  .  .  .  .
za  .  .  .  .  .  .  .  .  .
zb  .  .  .  .  .  .  .  .  .
zc  .  .  .  .  .  .  .  .  .
`),
    ],
  },
  {
    name: 'x admits pods where app DoesNotExist in any namespace',
    policies: [
      policy('x', 'from-unlabelled', {
        podSelector: {},
        ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] } }] }],
      }),
    ],
    probes: [
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  X  X  .  .  .  .  .  .
xb  X  .  X  .  .  .  .  .  .
xc  .  .  .  .  .  .  .  .  .
ya  X  X  X  .  .  .  .  .  .
yb  X  X  X  .  .  .  .  .  .
yc  .  .  .  .  .  .  .  .  .
za  X  X  X  .  .  .  .  .  .
zb  X  X  X  .  .  .  .  .  .
zc  .  .  .  .  .  .  .  .  .
`),
    ],
  },
  {
    name: 'deny ingress to pods where app Exists in x',
    policies: [policy('x', 'deny-apps', { podSelector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, policyTypes: ['Ingress'] })],
    probes: [
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  X  .  .  .  .  .  .  .
xb  X  .  .  .  .  .  .  .  .
xc  X  X  .  .  .  .  .  .  .
ya  X  X  .  .  .  .  .  .  .
yb  X  X  .  .  .  .  .  .  .
yc  X  X  .  .  .  .  .  .  .
za  X  X  .  .  .  .  .  .  .
zb  X  X  .  .  .  .  .  .  .
zc  X  X  .  .  .  .  .  .  .
`),
    ],
  },
  {
    name: 'y/a and y/c admit only their namespace (pod In a, c)',
    policies: [
      policy('y', 'a-c-local', {
        podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['a', 'c'] }] },
        ingress: [{ from: [{ podSelector: {} }] }],
      }),
    ],
    probes: [
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  .  .  X  .  X  .  .  .
xb  .  .  .  X  .  X  .  .  .
xc  .  .  .  X  .  X  .  .  .
ya  .  .  .  .  .  .  .  .  .
yb  .  .  .  .  .  .  .  .  .
yc  .  .  .  .  .  .  .  .  .
za  .  .  .  X  .  X  .  .  .
zb  .  .  .  X  .  X  .  .  .
zc  .  .  .  X  .  X  .  .  .
`),
    ],
  },
  {
    name: 'x may send only to namespace y',
    policies: [policy('x', 'to-y', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] })],
    probes: [
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  X  X  .  .  .  X  X  X
xb  X  .  X  .  .  .  X  X  X
xc  X  X  .  .  .  .  X  X  X
ya  .  .  .  .  .  .  .  .  .
yb  .  .  .  .  .  .  .  .  .
yc  .  .  .  .  .  .  .  .  .
za  .  .  .  .  .  .  .  .  .
zb  .  .  .  .  .  .  .  .  .
zc  .  .  .  .  .  .  .  .  .
`),
    ],
  },
  {
    name: 'egress section without policyTypes also isolates ingress',
    policies: [policy('x', 'a-to-b', { podSelector: onlyPodA, egress: [{ to: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] })],
    probes: [
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  .  X  X  X  X  X  X  X
xb  X  .  .  .  .  .  .  .  .
xc  X  .  .  .  .  .  .  .  .
ya  X  .  .  .  .  .  .  .  .
yb  X  .  .  .  .  .  .  .  .
yc  X  .  .  .  .  .  .  .  .
za  X  .  .  .  .  .  .  .  .
zb  X  .  .  .  .  .  .  .  .
zc  X  .  .  .  .  .  .  .  .
`),
    ],
  },
  {
    name: 'egress-only policy leaves ingress open',
    policies: [policy('x', 'a-to-b', { podSelector: onlyPodA, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] })],
    probes: [
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  .  X  X  X  X  X  X  X
xb  .  .  .  .  .  .  .  .  .
xc  .  .  .  .  .  .  .  .  .
ya  .  .  .  .  .  .  .  .  .
yb  .  .  .  .  .  .  .  .  .
yc  .  .  .  .  .  .  .  .  .
za  .  .  .  .  .  .  .  .  .
zb  .  .  .  .  .  .  .  .  .
zc  .  .  .  .  .  .  .  .  .
`),
    ],
  },
  {
    name: 'x/b to x/a needs egress and ingress rules',
    policies: [
      policy('x', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      policy('x', 'a-from-b', { podSelector: onlyPodA, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] }),
      policy('x', 'b-to-a', { podSelector: { matchLabels: { pod: 'b' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: onlyPodA }] }] }),
    ],
    probes: [
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  X  X  X  X  X  X  X  X
xb  .  .  X  X  X  X  X  X  X
xc  X  X  .  X  X  X  X  X  X
ya  X  X  X  .  .  .  .  .  .
yb  X  X  X  .  .  .  .  .  .
yc  X  X  X  .  .  .  .  .  .
za  X  X  X  .  .  .  .  .  .
zb  X  X  X  .  .  .  .  .  .
zc  X  X  X  .  .  .  .  .  .
`),
    ],
  },
  {
    name: 'x admits the pod IPs of y by ipBlock',
    policies: [policy('x', 'from-y-ips', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.2.0/24' } }] }] })],
    probes: [
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  X  X  .  .  .  .  .  .
xb  X  .  X  .  .  .  .  .  .
xc  X  X  .  .  .  .  .  .  .
ya  .  .  .  .  .  .  .  .  .
yb  .  .  .  .  .  .  .  .  .
yc  .  .  .  .  .  .  .  .  .
za  X  X  X  .  .  .  .  .  .
zb  X  X  X  .  .  .  .  .  .
zc  X  X  X  .  .  .  .  .  .
`),
    ],
  },
  {
    name: 'x admits the pod network except y/b by ipBlock except',
    policies: [policy('x', 'from-all-but-yb', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.2.2/32'] } }] }] })],
    probes: [
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  .  .  .  .  .  .  .  .
xb  .  .  .  .  .  .  .  .  .
xc  .  .  .  .  .  .  .  .  .
ya  .  .  .  .  .  .  .  .  .
yb  X  X  X  .  .  .  .  .  .
yc  .  .  .  .  .  .  .  .  .
za  .  .  .  .  .  .  .  .  .
zb  .  .  .  .  .  .  .  .  .
zc  .  .  .  .  .  .  .  .  .
`),
    ],
  },
  {
    name: 'z may send only to the pod IPs of x',
    policies: [policy('z', 'to-x-ips', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.1.0/24' } }] }] })],
    probes: [
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  .  .  .  .  .  .  .  .
xb  .  .  .  .  .  .  .  .  .
xc  .  .  .  .  .  .  .  .  .
ya  .  .  .  .  .  .  .  .  .
yb  .  .  .  .  .  .  .  .  .
yc  .  .  .  .  .  .  .  .  .
za  .  .  .  X  X  X  .  X  X
zb  .  .  .  X  X  X  X  .  X
zc  .  .  .  X  X  X  X  X  .
`),
    ],
  },
  {
    name: 'x admits ports 79 to 80 by endPort',
    policies: [policy('x', 'range', { podSelector: {}, ingress: [{ ports: [{ port: 79, endPort: 80 }] }] })],
    probes: [tcp80(ALL_CONNECTED), { port: 81, protocol: 'TCP', grid: X_INGRESS_BLOCKED }, { port: 80, protocol: 'UDP', grid: X_INGRESS_BLOCKED }],
  },
  {
    name: 'x admits UDP ports 80 to 81 by endPort',
    policies: [policy('x', 'udp-range', { podSelector: {}, ingress: [{ ports: [{ protocol: 'UDP', port: 80, endPort: 81 }] }] })],
    probes: [{ port: 81, protocol: 'UDP', grid: ALL_CONNECTED }, { port: 81, protocol: 'TCP', grid: X_INGRESS_BLOCKED }],
  },
  {
    name: 'x admits only UDP port 80',
    policies: [policy('x', 'udp-80', { podSelector: {}, ingress: [{ ports: [{ protocol: 'UDP', port: 80 }] }] })],
    probes: [
      tcp80(X_INGRESS_BLOCKED),
      { port: 80, protocol: 'UDP', grid: ALL_CONNECTED },
      { port: 80, protocol: 'SCTP', grid: X_INGRESS_BLOCKED },
    ],
  },
  {
    name: 'y admits only SCTP port 81 from every namespace',
    policies: [policy('y', 'sctp-81', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ protocol: 'SCTP', port: 81 }] }] })],
    probes: [
      { port: 81, protocol: 'SCTP', grid: ALL_CONNECTED },
      {
        port: 81,
        protocol: 'UDP',
        grid: `
    xa xb xc ya yb yc za zb zc
xa  .  .  .  X  X  X  .  .  .
xb  .  .  .  X  X  X  .  .  .
xc  .  .  .  X  X  X  .  .  .
ya  .  .  .  .  X  X  .  .  .
yb  .  .  .  X  .  X  .  .  .
yc  .  .  .  X  X  .  .  .  .
za  .  .  .  X  X  X  .  .  .
zb  .  .  .  X  X  X  .  .  .
zc  .  .  .  X  X  X  .  .  .
`,
      },
    ],
  },
  {
    name: 'x admits the named port http',
    policies: [policy('x', 'http', { podSelector: {}, ingress: [{ ports: [{ port: 'http' }] }] })],
    probes: [
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  .  X  .  .  .  .  .  .
xb  .  .  X  .  .  .  .  .  .
xc  .  .  .  .  .  .  .  .  .
ya  .  .  X  .  .  .  .  .  .
yb  .  .  X  .  .  .  .  .  .
yc  .  .  X  .  .  .  .  .  .
za  .  .  X  .  .  .  .  .  .
zb  .  .  X  .  .  .  .  .  .
zc  .  .  X  .  .  .  .  .  .
`),
      {
        port: 81,
        protocol: 'TCP',
        grid: `
    xa xb xc ya yb yc za zb zc
xa  .  X  .  .  .  .  .  .  .
xb  X  .  .  .  .  .  .  .  .
xc  X  X  .  .  .  .  .  .  .
ya  X  X  .  .  .  .  .  .  .
yb  X  X  .  .  .  .  .  .  .
yc  X  X  .  .  .  .  .  .  .
za  X  X  .  .  .  .  .  .  .
zb  X  X  .  .  .  .  .  .  .
zc  X  X  .  .  .  .  .  .  .
`,
      },
    ],
  },
  {
    name: 'y may send only to the named port http',
    policies: [policy('y', 'http-out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] })],
    probes: [
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  .  .  .  .  .  .  .  .
xb  .  .  .  .  .  .  .  .  .
xc  .  .  .  .  .  .  .  .  .
ya  .  .  X  .  .  X  .  .  X
yb  .  .  X  .  .  X  .  .  X
yc  .  .  X  .  .  .  .  .  X
za  .  .  .  .  .  .  .  .  .
zb  .  .  .  .  .  .  .  .  .
zc  .  .  .  .  .  .  .  .  .
`),
      {
        port: 81,
        protocol: 'TCP',
        grid: `
    xa xb xc ya yb yc za zb zc
xa  .  .  .  .  .  .  .  .  .
xb  .  .  .  .  .  .  .  .  .
xc  .  .  .  .  .  .  .  .  .
ya  X  X  .  .  X  .  X  X  .
yb  X  X  .  X  .  .  X  X  .
yc  X  X  .  X  X  .  X  X  .
za  .  .  .  .  .  .  .  .  .
zb  .  .  .  .  .  .  .  .  .
zc  .  .  .  .  .  .  .  .  .
`,
      },
    ],
  },
  {
    name: 'z admits the named UDP port serve-80-udp',
    policies: [policy('z', 'udp-named', { podSelector: {}, ingress: [{ ports: [{ protocol: 'UDP', port: 'serve-80-udp' }] }] })],
    probes: [
      { port: 80, protocol: 'UDP', grid: ALL_CONNECTED },
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  .  .  .  .  .  X  X  X
xb  .  .  .  .  .  .  X  X  X
xc  .  .  .  .  .  .  X  X  X
ya  .  .  .  .  .  .  X  X  X
yb  .  .  .  .  .  .  X  X  X
yc  .  .  .  .  .  .  X  X  X
za  .  .  .  .  .  .  .  X  X
zb  .  .  .  .  .  .  X  .  X
zc  .  .  .  .  .  .  X  X  .
`),
    ],
  },
  {
    name: 'policy in y admits only x and does not affect x',
    policies: [policy('y', 'from-x', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'x' } } }] }] })],
    probes: [
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  .  .  .  .  .  .  .  .
xb  .  .  .  .  .  .  .  .  .
xc  .  .  .  .  .  .  .  .  .
ya  .  .  .  .  X  X  .  .  .
yb  .  .  .  X  .  X  .  .  .
yc  .  .  .  X  X  .  .  .  .
za  .  .  .  X  X  X  .  .  .
zb  .  .  .  X  X  X  .  .  .
zc  .  .  .  X  X  X  .  .  .
`),
    ],
  },
  {
    name: 'x/b admits app web before x/c is relabelled',
    policies: [policy('x', 'db-from-web', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] })],
    probes: [
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  .  .  .  .  .  .  .  .
xb  .  .  .  .  .  .  .  .  .
xc  .  X  .  .  .  .  .  .  .
ya  .  X  .  .  .  .  .  .  .
yb  .  X  .  .  .  .  .  .  .
yc  .  X  .  .  .  .  .  .  .
za  .  X  .  .  .  .  .  .  .
zb  .  X  .  .  .  .  .  .  .
zc  .  X  .  .  .  .  .  .  .
`),
    ],
  },
  {
    name: 'x/b admits app web after x/c is relabelled web',
    policies: [policy('x', 'db-from-web', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] })],
    podLabels: { xc: { pod: 'c', app: 'web' } },
    probes: [
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  .  .  .  .  .  .  .  .
xb  .  .  .  .  .  .  .  .  .
xc  .  .  .  .  .  .  .  .  .
ya  .  X  .  .  .  .  .  .  .
yb  .  X  .  .  .  .  .  .  .
yc  .  X  .  .  .  .  .  .  .
za  .  X  .  .  .  .  .  .  .
zb  .  X  .  .  .  .  .  .  .
zc  .  X  .  .  .  .  .  .  .
`),
    ],
  },
  {
    name: 'relabelling x/b out of the policy removes its isolation',
    policies: [policy('x', 'db-from-web', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] })],
    podLabels: { xb: { pod: 'b', app: 'cache' } },
    probes: [tcp80(ALL_CONNECTED)],
  },
  {
    name: 'x admits env prod after z is relabelled prod',
    policies: [policy('x', 'from-prod', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'prod' } } }] }] })],
    namespaceLabels: { ...NAMESPACE_LABELS, z: { ns: 'z', env: 'prod' } },
    probes: [tcp80(ALL_CONNECTED)],
  },
  {
    name: 'two policies on x/a combine as a union',
    policies: [
      policy('x', 'a-from-b', { podSelector: onlyPodA, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] }),
      policy('x', 'a-from-z', { podSelector: onlyPodA, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'z' } } }] }] }),
    ],
    probes: [
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  .  .  .  .  .  .  .  .
xb  .  .  .  .  .  .  .  .  .
xc  X  .  .  .  .  .  .  .  .
ya  X  .  .  .  .  .  .  .  .
yb  X  .  .  .  .  .  .  .  .
yc  X  .  .  .  .  .  .  .  .
za  .  .  .  .  .  .  .  .  .
zb  .  .  .  .  .  .  .  .  .
zc  .  .  .  .  .  .  .  .  .
`),
    ],
  },
  {
    name: 'empty rule on x/a opens it despite deny-all',
    policies: [denyIngressX, policy('x', 'a-open', { podSelector: onlyPodA, ingress: [{}] })],
    probes: [
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  X  X  .  .  .  .  .  .
xb  .  .  X  .  .  .  .  .  .
xc  .  X  .  .  .  .  .  .  .
ya  .  X  X  .  .  .  .  .  .
yb  .  X  X  .  .  .  .  .  .
yc  .  X  X  .  .  .  .  .  .
za  .  X  X  .  .  .  .  .  .
zb  .  X  X  .  .  .  .  .  .
zc  .  X  X  .  .  .  .  .  .
`),
    ],
  },
  {
    name: 'x may send to every destination on port 81 (to: [])',
    policies: [policy('x', 'out-81', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [], ports: [{ port: 81 }] }] })],
    probes: [tcp80(X_EGRESS_BLOCKED), { port: 81, protocol: 'TCP', grid: ALL_CONNECTED }, { port: 81, protocol: 'UDP', grid: X_EGRESS_BLOCKED }],
  },
  {
    name: 'x sends only to y but y admits only z',
    policies: [
      policy('x', 'to-y', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] }),
      policy('y', 'from-z', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'z' } } }] }] }),
    ],
    probes: [
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  X  X  X  X  X  X  X  X
xb  X  .  X  X  X  X  X  X  X
xc  X  X  .  X  X  X  X  X  X
ya  .  .  .  .  X  X  .  .  .
yb  .  .  .  X  .  X  .  .  .
yc  .  .  .  X  X  .  .  .  .
za  .  .  .  .  .  .  .  .  .
zb  .  .  .  .  .  .  .  .  .
zc  .  .  .  .  .  .  .  .  .
`),
    ],
  },
  {
    name: 'x/b admits y and z except pods a (In and NotIn together)',
    policies: [
      policy('x', 'b-from-others', {
        podSelector: { matchLabels: { pod: 'b' } },
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'In', values: ['y', 'z'] }] },
                podSelector: { matchExpressions: [{ key: 'pod', operator: 'NotIn', values: ['a'] }] },
              },
            ],
          },
        ],
      }),
    ],
    probes: [
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  X  .  .  .  .  .  .  .
xb  .  .  .  .  .  .  .  .  .
xc  .  X  .  .  .  .  .  .  .
ya  .  X  .  .  .  .  .  .  .
yb  .  .  .  .  .  .  .  .  .
yc  .  .  .  .  .  .  .  .  .
za  .  X  .  .  .  .  .  .  .
zb  .  .  .  .  .  .  .  .  .
zc  .  .  .  .  .  .  .  .  .
`),
    ],
  },
  {
    name: 'z/c admits x on port 80 and y on port 81 in separate rules',
    policies: [
      policy('z', 'c-split', {
        podSelector: { matchLabels: { pod: 'c' } },
        ingress: [
          { from: [{ namespaceSelector: { matchLabels: { ns: 'x' } } }], ports: [{ port: 80 }] },
          { from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }], ports: [{ port: 81 }] },
        ],
      }),
    ],
    probes: [
      tcp80(`
    xa xb xc ya yb yc za zb zc
xa  .  .  .  .  .  .  .  .  .
xb  .  .  .  .  .  .  .  .  .
xc  .  .  .  .  .  .  .  .  .
ya  .  .  .  .  .  .  .  .  X
yb  .  .  .  .  .  .  .  .  X
yc  .  .  .  .  .  .  .  .  X
za  .  .  .  .  .  .  .  .  X
zb  .  .  .  .  .  .  .  .  X
zc  .  .  .  .  .  .  .  .  .
`),
      {
        port: 81,
        protocol: 'TCP',
        grid: `
    xa xb xc ya yb yc za zb zc
xa  .  .  .  .  .  .  .  .  X
xb  .  .  .  .  .  .  .  .  X
xc  .  .  .  .  .  .  .  .  X
ya  .  .  .  .  .  .  .  .  .
yb  .  .  .  .  .  .  .  .  .
yc  .  .  .  .  .  .  .  .  .
za  .  .  .  .  .  .  .  .  X
zb  .  .  .  .  .  .  .  .  X
zc  .  .  .  .  .  .  .  .  .
`,
      },
    ],
  },
];

t.test('reachability scenarios', async (t) => {
  t.ok(scenarios.length >= 30, 'at least 30 scenarios');
  for (const scenario of scenarios) {
    const source = sourceOf(scenario.policies, scenario.namespaceLabels ?? NAMESPACE_LABELS);
    const pods = buildPods(scenario.podLabels);
    for (const probe of scenario.probes) {
      const actual: Record<string, boolean> = {};
      for (const from of pods) {
        for (const to of pods) {
          const traffic = { source: from, destination: to, port: probe.port, protocol: probe.protocol };
          actual[`${from.namespace}${from.name}>${to.namespace}${to.name}`] = evaluate(source, traffic).allowed;
        }
      }
      t.same(actual, parseGrid(probe.grid), `${scenario.name} on ${probe.port}/${probe.protocol}`);
    }
  }
});
