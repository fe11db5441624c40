import t from 'tap';
import { parseAddress } from '../../src/engine/cidr.js';
import { compilePolicy, effectivePolicyTypes, policyRef } from '../../src/engine/policy.js';
import type { NetworkPolicySpec, PolicyError } from '../../src/engine/types.js';
import { compiled, pod, policy } from '../helpers/engine-builders.js';

const prod = { 'kubernetes.io/metadata.name': 'prod', env: 'prod' };
const dev = { 'kubernetes.io/metadata.name': 'dev', env: 'dev' };

t.test('policyRef', async (t) => {
  t.equal(policyRef({ namespace: 'prod', name: 'deny-all' }), 'prod/deny-all');
});

t.test('effectivePolicyTypes', async (t) => {
  const cases: Array<[string, NetworkPolicySpec, string[]]> = [
    ['no rules defaults to Ingress', { podSelector: {} }, ['Ingress']],
    ['ingress rules default to Ingress', { podSelector: {}, ingress: [{}] }, ['Ingress']],
    ['egress rules add Egress', { podSelector: {}, egress: [{}] }, ['Ingress', 'Egress']],
    ['empty egress list does not add Egress', { podSelector: {}, egress: [] }, ['Ingress']],
    ['empty policyTypes list is defaulted', { podSelector: {}, policyTypes: [], egress: [{}] }, ['Ingress', 'Egress']],
    ['declared Egress only', { podSelector: {}, policyTypes: ['Egress'] }, ['Egress']],
    ['declared Egress ignores ingress rules', { podSelector: {}, policyTypes: ['Egress'], ingress: [{}] }, ['Egress']],
    ['declared Ingress ignores egress rules', { podSelector: {}, policyTypes: ['Ingress'], egress: [{}] }, ['Ingress']],
    ['declared both', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }, ['Ingress', 'Egress']],
  ];
  for (const [name, spec, expected] of cases) {
    t.same([...effectivePolicyTypes(policy('prod', 'p', spec))], expected, name);
    t.same([...compiled(policy('prod', 'p', spec)).policyTypes], expected, `${name} (compiled)`);
  }
});

t.test('compilePolicy rule shapes', async (t) => {
  // `peers` and `ports` are null when the rule matches every peer or every port.
  const cases: Array<[string, NetworkPolicySpec['ingress'], Array<{ index: number; peers: number | null; ports: number | null }>]> = [
    ['empty rule allows everything', [{}], [{ index: 0, peers: null, ports: null }]],
    ['empty from and ports lists match everything', [{ from: [], ports: [] }], [{ index: 0, peers: null, ports: null }]],
    ['null from and ports match everything', [{ from: null, ports: null }], [{ index: 0, peers: null, ports: null }]],
    ['peers and ports are kept in order', [{ from: [{ podSelector: {} }, { ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 80 }] }], [{ index: 0, peers: 2, ports: 1 }]],
    ['several rules keep their index', [{ ports: [{ port: 80 }] }, { from: [{ podSelector: {} }] }], [{ index: 0, peers: null, ports: 1 }, { index: 1, peers: 1, ports: null }]],
  ];
  for (const [name, ingress, expected] of cases) {
    const result = compiled(policy('prod', 'p', { podSelector: {}, ingress }));
    const shapes = result.ingress.map((rule) => ({
      index: rule.index,
      peers: rule.peers === null ? null : rule.peers.length,
      ports: rule.ports === null ? null : rule.ports.length,
    }));
    t.same(shapes, expected, name);
  }
});

t.test('compilePolicy podSelector', async (t) => {
  const all = compiled(policy('prod', 'all', { podSelector: {} }));
  t.equal(all.selectsAllPods, true, 'empty podSelector selects all pods');
  t.equal(all.selects({}), true, 'empty podSelector selects a pod without labels');

  const missing = compiled(policy('prod', 'missing', {}));
  t.equal(missing.selectsAllPods, true, 'missing podSelector selects all pods');

  const web = compiled(policy('prod', 'web', { podSelector: { matchLabels: { app: 'web' } } }));
  t.equal(web.selectsAllPods, false, 'label selector does not select all pods');
  t.equal(web.selects({ app: 'web' }), true, 'selects a matching pod');
  t.equal(web.selects({ app: 'db' }), false, 'does not select another pod');
  t.equal(web.ref, 'prod/web', 'ref');
});

t.test('compilePolicy peers', async (t) => {
  const web = pod('prod', 'web', { app: 'web' }, '10.1.0.5');
  const webInDev = pod('dev', 'web', { app: 'web' }, '10.2.0.5');
  const db = pod('prod', 'db', { app: 'db' }, '10.1.0.6');
  const template = { kind: 'pod' as const, namespace: 'prod', labels: { app: 'web' } };

  // Each case lists whether the peer matches web, db (both in prod), web in dev and a template in prod.
  const cases: Array<[string, NonNullable<NetworkPolicySpec['ingress']>[number]['from'], [boolean, boolean, boolean, boolean]]> = [
    ['podSelector alone means the policy namespace', [{ podSelector: { matchLabels: { app: 'web' } } }], [true, false, false, true]],
    ['empty podSelector means every pod in the policy namespace', [{ podSelector: {} }], [true, true, false, true]],
    ['namespaceSelector alone means every pod in matching namespaces', [{ namespaceSelector: { matchLabels: { env: 'dev' } } }], [false, false, true, false]],
    ['empty namespaceSelector means every pod in every namespace', [{ namespaceSelector: {} }], [true, true, true, true]],
    [
      'namespaceSelector and podSelector together are ANDed',
      [{ namespaceSelector: { matchLabels: { env: 'dev' } }, podSelector: { matchLabels: { app: 'web' } } }],
      [false, false, true, false],
    ],
    [
      'empty namespaceSelector with podSelector means those pods in every namespace',
      [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } }],
      [true, false, true, true],
    ],
    [
      'two peers are ORed',
      [{ podSelector: { matchLabels: { app: 'db' } } }, { namespaceSelector: { matchLabels: { env: 'dev' } } }],
      [false, true, true, false],
    ],
    [
      'namespaceSelector by kubernetes.io/metadata.name',
      [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'prod' } } }],
      [true, true, false, true],
    ],
    ['ipBlock matches a pod by its IP', [{ ipBlock: { cidr: '10.1.0.0/16' } }], [true, true, false, false]],
    ['ipBlock except removes a pod IP', [{ ipBlock: { cidr: '10.1.0.0/16', except: ['10.1.0.6/32'] } }], [true, false, false, false]],
    ['IPv6 ipBlock does not match IPv4 pod IPs', [{ ipBlock: { cidr: '::/0' } }], [false, false, false, false]],
  ];
  for (const [name, from, [matchesWeb, matchesDb, matchesDevWeb, matchesTemplate]] of cases) {
    const rule = compiled(policy('prod', 'p', { podSelector: {}, ingress: [{ from }] })).ingress[0]!;
    const matches = (candidate: typeof web): boolean =>
      rule.peers!.some((peer) => peer.matchesPod(candidate, candidate.namespace === 'dev' ? dev : prod));
    t.equal(matches(web), matchesWeb, `${name}: web`);
    t.equal(matches(db), matchesDb, `${name}: db`);
    t.equal(matches(webInDev), matchesDevWeb, `${name}: web in dev`);
    t.equal(matches(template), matchesTemplate, `${name}: template`);
  }
});

t.test('compilePolicy ipBlock addresses', async (t) => {
  const cases: Array<[string, { cidr: string; except?: string[] }, string, boolean]> = [
    ['IPv4 inside cidr', { cidr: '10.0.0.0/8' }, '10.9.8.7', true],
    ['IPv4 outside cidr', { cidr: '10.0.0.0/8' }, '192.168.0.1', false],
    ['IPv4 in except', { cidr: '10.0.0.0/8', except: ['10.9.0.0/16'] }, '10.9.8.7', false],
    ['IPv4 next to except', { cidr: '10.0.0.0/8', except: ['10.9.0.0/16'] }, '10.10.0.1', true],
    ['IPv4 in the second except', { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12'] }, '172.20.0.1', false],
    ['IPv6 inside cidr', { cidr: 'fd00::/8', except: ['fd00:bad::/32'] }, 'fd00:1::1', true],
    ['IPv6 in except', { cidr: 'fd00::/8', except: ['fd00:bad::/32'] }, 'fd00:bad::1', false],
    ['IPv4 address against IPv6 cidr', { cidr: '::/0' }, '10.0.0.1', false],
  ];
  for (const [name, ipBlock, address, expected] of cases) {
    const rule = compiled(policy('prod', 'p', { podSelector: {}, egress: [{ to: [{ ipBlock }] }] })).egress[0]!;
    t.equal(rule.peers![0]!.matchesAddress(parseAddress(address)!), expected, name);
  }

  const selectorRule = compiled(policy('prod', 'p', { podSelector: {}, egress: [{ to: [{ namespaceSelector: {} }] }] })).egress[0]!;
  t.equal(selectorRule.peers![0]!.matchesAddress(parseAddress('10.0.0.1')!), false, 'selector peers never match addresses');
});

t.test('compilePolicy errors', async (t) => {
  const error = (field: string, message: string): PolicyError => ({ policy: 'prod/bad', field, message });
  const cases: Array<[string, unknown, PolicyError[]]> = [
    [
      'unknown policy type',
      { podSelector: {}, policyTypes: ['Ingress', 'egress'] },
      [error('spec.policyTypes[1]', 'unknown policy type "egress"; use Ingress or Egress')],
    ],
    [
      'invalid podSelector',
      { podSelector: { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['x'] }] } },
      [error('spec.podSelector.matchExpressions[0].operator', 'unknown operator "Equals"; use In, NotIn, Exists or DoesNotExist')],
    ],
    [
      'invalid namespaceSelector in a peer',
      { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In' }] } }] }] },
      [error('spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values', 'operator In requires at least one value')],
    ],
    [
      'invalid podSelector in an egress peer',
      { podSelector: {}, egress: [{ to: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['x'] }] } }] }] },
      [error('spec.egress[0].to[0].podSelector.matchExpressions[0].values', 'operator Exists takes no values')],
    ],
    [
      'empty peer',
      { podSelector: {}, ingress: [{ from: [{}] }] },
      [error('spec.ingress[0].from[0]', 'a peer needs podSelector, namespaceSelector or ipBlock; to allow every peer, omit the list instead')],
    ],
    [
      'ipBlock with podSelector',
      { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] },
      [error('spec.egress[0].to[0]', 'ipBlock cannot be combined with podSelector or namespaceSelector; write them as separate peers')],
    ],
    [
      'invalid cidr',
      { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0' } }] }] },
      [error('spec.egress[0].to[0].ipBlock.cidr', '"10.0.0.0" is not a CIDR: the prefix length is missing (for example 10.0.0.0/8)')],
    ],
    [
      'except outside cidr',
      { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['192.168.0.0/16'] } }] }] },
      [error('spec.egress[0].to[0].ipBlock.except[0]', '"192.168.0.0/16" must be a strict subnet of cidr "10.0.0.0/8"')],
    ],
    [
      'except equal to cidr',
      { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.0/8'] } }] }] },
      [error('spec.egress[0].to[0].ipBlock.except[0]', '"10.0.0.0/8" must be a strict subnet of cidr "10.0.0.0/8"')],
    ],
    [
      'except of the other family',
      { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['fd00::/8'] } }] }] },
      [error('spec.egress[0].to[0].ipBlock.except[0]', '"fd00::/8" must be a strict subnet of cidr "0.0.0.0/0"')],
    ],
    [
      'invalid port',
      { podSelector: {}, ingress: [{ ports: [{ port: 80 }, { protocol: 'ICMP' }] }] },
      [error('spec.ingress[0].ports[1].protocol', 'unsupported protocol "ICMP"; use TCP, UDP or SCTP')],
    ],
    ['spec that is a string', 'deny-all', [error('spec', 'must be an object')]],
    ['ingress that is a map', { podSelector: {}, ingress: { from: [] } }, [error('spec.ingress', 'must be a list')]],
    ['from that is a map', { podSelector: {}, ingress: [{ from: { podSelector: {} } }] }, [error('spec.ingress[0].from', 'must be a list')]],
    ['ports that is a number', { podSelector: {}, egress: [{ ports: 53 }] }, [error('spec.egress[0].ports', 'must be a list')]],
    ['port entry that is a number', { podSelector: {}, egress: [{ ports: [53] }] }, [error('spec.egress[0].ports[0]', 'must be an object with protocol, port and endPort')]],
    ['rule that is a string', { podSelector: {}, egress: ['all'] }, [error('spec.egress[0]', 'must be an object with to and ports')]],
    ['policyTypes that is a string', { podSelector: {}, policyTypes: 'Egress' }, [error('spec.policyTypes', 'must be a list')]],
    ['except that is a string', { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: '10.1.0.0/16' } }] }] }, [error('spec.egress[0].to[0].ipBlock.except', 'must be a list of CIDRs')]],
    ['ipBlock that is a string', { podSelector: {}, egress: [{ to: [{ ipBlock: '10.0.0.0/8' }] }] }, [error('spec.egress[0].to[0].ipBlock', 'must be an object with cidr and except')]],
    [
      'every error is reported',
      {
        podSelector: {},
        policyTypes: ['Ingress', 'Egress', 'Both'],
        ingress: [{ from: [{}] }],
        egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/40' } }], ports: [{ port: 'http', endPort: 90 }] }],
      },
      [
        error('spec.policyTypes[2]', 'unknown policy type "Both"; use Ingress or Egress'),
        error('spec.ingress[0].from[0]', 'a peer needs podSelector, namespaceSelector or ipBlock; to allow every peer, omit the list instead'),
        error('spec.egress[0].to[0].ipBlock.cidr', '"10.0.0.0/40" is not a CIDR: the prefix length must be 0 to 32'),
        error('spec.egress[0].ports[0].endPort', 'endPort requires a numeric port'),
      ],
    ],
  ];
  for (const [name, spec, expected] of cases) {
    t.same(compilePolicy({ namespace: 'prod', name: 'bad', spec: spec as NetworkPolicySpec }), { ok: false, errors: expected }, name);
  }
});
