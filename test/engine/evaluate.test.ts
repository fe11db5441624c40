import t from 'tap';
import { evaluate, evaluateDirection, isolatingPolicies } from '../../src/engine/evaluate.js';
import type {
  DirectionVerdict,
  Endpoint,
  NetworkPolicy,
  Protocol,
  RuleRef,
  TrafficVerdict,
} from '../../src/engine/index.js';
import { pod, policy, sourceOf } from '../helpers/engine-builders.js';

const namespaces = { prod: { env: 'prod' }, dev: { env: 'dev' } };
const web = pod('prod', 'web', { app: 'web' }, '10.1.0.5', [{ name: 'http', containerPort: 8080 }]);
const db = pod('prod', 'db', { app: 'db', tier: 'data' }, '10.1.0.6', [
  { name: 'postgres', containerPort: 5432 },
  { name: 'metrics', containerPort: 9187, protocol: 'TCP' },
  { name: 'stats', containerPort: 9125, protocol: 'UDP' },
]);
const client = pod('dev', 'client', { app: 'client' }, '10.2.0.7');
const devWeb = pod('dev', 'web', { app: 'web' }, '10.2.0.8');
const external: Endpoint = { kind: 'ip', ip: '203.0.113.9' };
const v6Pod = pod('prod', 'v6', { app: 'v6' }, 'fd00:1::5');

const denyIngress = policy('prod', 'deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
const denyEgress = policy('prod', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] });

function open(direction: DirectionVerdict['direction']): DirectionVerdict {
  return { direction, isolated: false, allowed: true, isolatingPolicies: [], allowedBy: [] };
}

function isolated(direction: DirectionVerdict['direction'], isolatingPolicies: string[], allowedBy: RuleRef[]): DirectionVerdict {
  return { direction, isolated: true, allowed: allowedBy.length > 0, isolatingPolicies, allowedBy };
}

function ingressRule(policyRef: string, ruleIndex: number): RuleRef {
  return { policy: policyRef, direction: 'Ingress', ruleIndex };
}

function egressRule(policyRef: string, ruleIndex: number): RuleRef {
  return { policy: policyRef, direction: 'Egress', ruleIndex };
}

interface Case {
  name: string;
  policies: NetworkPolicy[];
  from: Endpoint;
  to: Endpoint;
  port: number;
  protocol?: Protocol;
  expected: TrafficVerdict;
}

const cases: Case[] = [
  {
    name: 'no policies allow everything',
    policies: [],
    from: web,
    to: db,
    port: 5432,
    expected: { allowed: true, reason: 'allowed', egress: open('Egress'), ingress: open('Ingress') },
  },
  {
    name: 'ingress deny-all isolates the destination',
    policies: [denyIngress],
    from: web,
    to: db,
    port: 5432,
    expected: { allowed: false, reason: 'denied-by-ingress', egress: open('Egress'), ingress: isolated('Ingress', ['prod/deny-ingress'], []) },
  },
  {
    name: 'egress deny-all isolates only egress',
    policies: [denyEgress],
    from: web,
    to: db,
    port: 5432,
    expected: { allowed: false, reason: 'denied-by-egress', egress: isolated('Egress', ['prod/deny-egress'], []), ingress: open('Ingress') },
  },
  {
    name: 'both deny-alls deny both sides',
    policies: [denyIngress, denyEgress],
    from: web,
    to: db,
    port: 5432,
    expected: {
      allowed: false,
      reason: 'denied-by-both',
      egress: isolated('Egress', ['prod/deny-egress'], []),
      ingress: isolated('Ingress', ['prod/deny-ingress'], []),
    },
  },
  {
    name: 'ingress allowed but egress denied',
    policies: [denyEgress, policy('prod', 'db-from-web', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] })],
    from: web,
    to: db,
    port: 5432,
    expected: {
      allowed: false,
      reason: 'denied-by-egress',
      egress: isolated('Egress', ['prod/deny-egress'], []),
      ingress: isolated('Ingress', ['prod/db-from-web'], [ingressRule('prod/db-from-web', 0)]),
    },
  },
  {
    name: 'policies combine as a union',
    policies: [
      denyIngress,
      policy('prod', 'db-from-web', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] }),
    ],
    from: web,
    to: db,
    port: 5432,
    expected: {
      allowed: true,
      reason: 'allowed',
      egress: open('Egress'),
      ingress: isolated('Ingress', ['prod/deny-ingress', 'prod/db-from-web'], [ingressRule('prod/db-from-web', 0)]),
    },
  },
  {
    name: 'every allowing rule is listed',
    policies: [
      policy('prod', 'db', {
        podSelector: { matchLabels: { app: 'db' } },
        ingress: [{ ports: [{ port: 5432 }] }, { from: [{ podSelector: {} }] }, { from: [{ namespaceSelector: { matchLabels: { env: 'dev' } } }] }],
      }),
    ],
    from: web,
    to: db,
    port: 5432,
    expected: {
      allowed: true,
      reason: 'allowed',
      egress: open('Egress'),
      ingress: isolated('Ingress', ['prod/db'], [ingressRule('prod/db', 0), ingressRule('prod/db', 1)]),
    },
  },
  {
    name: 'empty ingress rule allows all sources',
    policies: [policy('prod', 'allow-all', { podSelector: {}, ingress: [{}] })],
    from: external,
    to: db,
    port: 1,
    protocol: 'UDP',
    expected: { allowed: true, reason: 'allowed', egress: null, ingress: isolated('Ingress', ['prod/allow-all'], [ingressRule('prod/allow-all', 0)]) },
  },
  {
    name: 'empty ingress list allows nothing',
    policies: [policy('prod', 'none', { podSelector: {}, ingress: [] })],
    from: web,
    to: db,
    port: 5432,
    expected: { allowed: false, reason: 'denied-by-ingress', egress: open('Egress'), ingress: isolated('Ingress', ['prod/none'], []) },
  },
  {
    name: 'rule ports reject another port',
    policies: [policy('prod', 'db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ ports: [{ port: 5432 }] }] })],
    from: web,
    to: db,
    port: 5433,
    expected: { allowed: false, reason: 'denied-by-ingress', egress: open('Egress'), ingress: isolated('Ingress', ['prod/db'], []) },
  },
  {
    name: 'rule port without protocol means TCP only',
    policies: [policy('prod', 'db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ ports: [{ port: 5432 }] }] })],
    from: web,
    to: db,
    port: 5432,
    protocol: 'UDP',
    expected: { allowed: false, reason: 'denied-by-ingress', egress: open('Egress'), ingress: isolated('Ingress', ['prod/db'], []) },
  },
  {
    name: 'SCTP port allows SCTP',
    policies: [policy('prod', 'db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ ports: [{ protocol: 'SCTP', port: 9000 }] }] })],
    from: web,
    to: db,
    port: 9000,
    protocol: 'SCTP',
    expected: { allowed: true, reason: 'allowed', egress: open('Egress'), ingress: isolated('Ingress', ['prod/db'], [ingressRule('prod/db', 0)]) },
  },
  {
    name: 'several ports in one rule are ORed',
    policies: [policy('prod', 'db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ ports: [{ port: 80 }, { protocol: 'UDP', port: 9125 }] }] })],
    from: web,
    to: db,
    port: 9125,
    protocol: 'UDP',
    expected: { allowed: true, reason: 'allowed', egress: open('Egress'), ingress: isolated('Ingress', ['prod/db'], [ingressRule('prod/db', 0)]) },
  },
  {
    name: 'peer and port must both match',
    policies: [
      policy('prod', 'db', {
        podSelector: { matchLabels: { app: 'db' } },
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432 }] }],
      }),
    ],
    from: web,
    to: db,
    port: 9187,
    expected: { allowed: false, reason: 'denied-by-ingress', egress: open('Egress'), ingress: isolated('Ingress', ['prod/db'], []) },
  },
  {
    name: 'endPort range includes its last port',
    policies: [policy('prod', 'db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ ports: [{ port: 5000, endPort: 5432 }] }] })],
    from: web,
    to: db,
    port: 5432,
    expected: { allowed: true, reason: 'allowed', egress: open('Egress'), ingress: isolated('Ingress', ['prod/db'], [ingressRule('prod/db', 0)]) },
  },
  {
    name: 'endPort range excludes the next port',
    policies: [policy('prod', 'db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ ports: [{ port: 5000, endPort: 5432 }] }] })],
    from: web,
    to: db,
    port: 5433,
    expected: { allowed: false, reason: 'denied-by-ingress', egress: open('Egress'), ingress: isolated('Ingress', ['prod/db'], []) },
  },
  {
    name: 'named ingress port resolves on the destination',
    policies: [policy('prod', 'db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ ports: [{ port: 'postgres' }] }] })],
    from: web,
    to: db,
    port: 5432,
    expected: { allowed: true, reason: 'allowed', egress: open('Egress'), ingress: isolated('Ingress', ['prod/db'], [ingressRule('prod/db', 0)]) },
  },
  {
    name: 'named UDP port needs the UDP protocol in the rule',
    policies: [policy('prod', 'db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ ports: [{ port: 'stats' }] }] })],
    from: web,
    to: db,
    port: 9125,
    protocol: 'UDP',
    expected: { allowed: false, reason: 'denied-by-ingress', egress: open('Egress'), ingress: isolated('Ingress', ['prod/db'], []) },
  },
  {
    name: 'named egress port resolves on the destination',
    policies: [policy('prod', 'web-out', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'postgres' }] }] })],
    from: web,
    to: db,
    port: 5432,
    expected: { allowed: true, reason: 'allowed', egress: isolated('Egress', ['prod/web-out'], [egressRule('prod/web-out', 0)]), ingress: open('Ingress') },
  },
  {
    name: 'named egress port fails on a destination without that name',
    policies: [policy('prod', 'web-out', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'postgres' }] }] })],
    from: web,
    to: client,
    port: 5432,
    expected: { allowed: false, reason: 'denied-by-egress', egress: isolated('Egress', ['prod/web-out'], []), ingress: open('Ingress') },
  },
  {
    name: 'named egress port never matches an IP destination',
    policies: [policy('prod', 'web-out', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'postgres' }] }] })],
    from: web,
    to: external,
    port: 5432,
    expected: { allowed: false, reason: 'denied-by-egress', egress: isolated('Egress', ['prod/web-out'], []), ingress: null },
  },
  {
    name: 'namespaceSelector admits pods of matching namespaces',
    policies: [policy('prod', 'db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'dev' } } }] }] })],
    from: client,
    to: db,
    port: 5432,
    expected: { allowed: true, reason: 'allowed', egress: open('Egress'), ingress: isolated('Ingress', ['prod/db'], [ingressRule('prod/db', 0)]) },
  },
  {
    name: 'namespaceSelector does not admit the policy namespace unless it matches',
    policies: [policy('prod', 'db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'dev' } } }] }] })],
    from: web,
    to: db,
    port: 5432,
    expected: { allowed: false, reason: 'denied-by-ingress', egress: open('Egress'), ingress: isolated('Ingress', ['prod/db'], []) },
  },
  {
    name: 'podSelector alone does not admit the same labels in another namespace',
    policies: [policy('prod', 'db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] })],
    from: devWeb,
    to: db,
    port: 5432,
    expected: { allowed: false, reason: 'denied-by-ingress', egress: open('Egress'), ingress: isolated('Ingress', ['prod/db'], []) },
  },
  {
    name: 'namespaceSelector with podSelector admits those pods elsewhere',
    policies: [
      policy('prod', 'db', {
        podSelector: { matchLabels: { app: 'db' } },
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'dev' } }, podSelector: { matchLabels: { app: 'web' } } }] }],
      }),
    ],
    from: devWeb,
    to: db,
    port: 5432,
    expected: { allowed: true, reason: 'allowed', egress: open('Egress'), ingress: isolated('Ingress', ['prod/db'], [ingressRule('prod/db', 0)]) },
  },
  {
    name: 'namespaceSelector with podSelector rejects other pods there',
    policies: [
      policy('prod', 'db', {
        podSelector: { matchLabels: { app: 'db' } },
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'dev' } }, podSelector: { matchLabels: { app: 'web' } } }] }],
      }),
    ],
    from: client,
    to: db,
    port: 5432,
    expected: { allowed: false, reason: 'denied-by-ingress', egress: open('Egress'), ingress: isolated('Ingress', ['prod/db'], []) },
  },
  {
    name: 'ipBlock admits an external source',
    policies: [policy('prod', 'db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ ipBlock: { cidr: '203.0.113.0/24' } }] }] })],
    from: external,
    to: db,
    port: 5432,
    expected: { allowed: true, reason: 'allowed', egress: null, ingress: isolated('Ingress', ['prod/db'], [ingressRule('prod/db', 0)]) },
  },
  {
    name: 'ipBlock except rejects an external source',
    policies: [
      policy('prod', 'db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.8/29'] } }] }] }),
    ],
    from: external,
    to: db,
    port: 5432,
    expected: { allowed: false, reason: 'denied-by-ingress', egress: null, ingress: isolated('Ingress', ['prod/db'], []) },
  },
  {
    name: 'pod selectors never admit an external source',
    policies: [policy('prod', 'db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ namespaceSelector: {} }] }] })],
    from: external,
    to: db,
    port: 5432,
    expected: { allowed: false, reason: 'denied-by-ingress', egress: null, ingress: isolated('Ingress', ['prod/db'], []) },
  },
  {
    name: 'egress ipBlock allows an external destination',
    policies: [policy('prod', 'web-out', { podSelector: { matchLabels: { app: 'web' } }, egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] }] })],
    from: web,
    to: external,
    port: 443,
    expected: {
      allowed: true,
      reason: 'allowed',
      egress: isolated('Egress', ['prod/web-out'], [egressRule('prod/web-out', 0)]),
      ingress: null,
    },
  },
  {
    name: 'egress ipBlock except denies a pod by its IP',
    policies: [policy('prod', 'web-out', { podSelector: { matchLabels: { app: 'web' } }, egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] }] })],
    from: web,
    to: db,
    port: 5432,
    expected: { allowed: false, reason: 'denied-by-egress', egress: isolated('Egress', ['prod/web-out'], []), ingress: open('Ingress') },
  },
  {
    name: 'egress ipBlock allows a pod by its IP',
    policies: [policy('prod', 'web-out', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.1.0.0/16' } }] }] })],
    from: web,
    to: db,
    port: 5432,
    expected: { allowed: true, reason: 'allowed', egress: isolated('Egress', ['prod/web-out'], [egressRule('prod/web-out', 0)]), ingress: open('Ingress') },
  },
  {
    name: 'IPv6 ipBlock allows an IPv6 pod',
    policies: [policy('prod', 'web-out', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: 'fd00::/8', except: ['fd00:bad::/32'] } }] }] })],
    from: web,
    to: v6Pod,
    port: 80,
    expected: { allowed: true, reason: 'allowed', egress: isolated('Egress', ['prod/web-out'], [egressRule('prod/web-out', 0)]), ingress: open('Ingress') },
  },
  {
    name: 'IPv6 ipBlock except denies an IPv6 address',
    policies: [policy('prod', 'web-out', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: 'fd00::/8', except: ['fd00:bad::/32'] } }] }] })],
    from: web,
    to: { kind: 'ip', ip: 'fd00:bad::1' },
    port: 80,
    expected: { allowed: false, reason: 'denied-by-egress', egress: isolated('Egress', ['prod/web-out'], []), ingress: null },
  },
  {
    name: 'IPv6 ipBlock does not match an IPv4 address',
    policies: [policy('prod', 'web-out', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '::/0' } }] }] })],
    from: web,
    to: external,
    port: 80,
    expected: { allowed: false, reason: 'denied-by-egress', egress: isolated('Egress', ['prod/web-out'], []), ingress: null },
  },
  {
    name: 'pod talking to itself is always allowed',
    policies: [denyIngress, denyEgress],
    from: web,
    to: web,
    port: 8080,
    expected: { allowed: true, reason: 'same-pod', egress: null, ingress: null },
  },
  {
    name: 'pod talking to its own IP is allowed',
    policies: [denyIngress, denyEgress],
    from: web,
    to: { kind: 'ip', ip: '10.1.0.5' },
    port: 8080,
    expected: { allowed: true, reason: 'same-pod', egress: null, ingress: null },
  },
  {
    name: 'policies in another namespace do not isolate',
    policies: [policy('dev', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })],
    from: web,
    to: db,
    port: 5432,
    expected: { allowed: true, reason: 'allowed', egress: open('Egress'), ingress: open('Ingress') },
  },
  {
    name: 'policy selecting other pods does not isolate',
    policies: [policy('prod', 'web-only', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] })],
    from: web,
    to: db,
    port: 5432,
    expected: { allowed: true, reason: 'allowed', egress: open('Egress'), ingress: open('Ingress') },
  },
  {
    name: 'egress rules are ignored without the Egress type',
    policies: [policy('prod', 'ingress-only', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}], egress: [{ ports: [{ port: 1 }] }] })],
    from: web,
    to: db,
    port: 5432,
    expected: { allowed: true, reason: 'allowed', egress: open('Egress'), ingress: isolated('Ingress', ['prod/ingress-only'], [ingressRule('prod/ingress-only', 0)]) },
  },
  {
    name: 'egress section adds the Egress type',
    policies: [policy('prod', 'defaulted', { podSelector: {}, egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] })],
    from: web,
    to: db,
    port: 5432,
    expected: {
      allowed: false,
      reason: 'denied-by-both',
      egress: isolated('Egress', ['prod/defaulted'], []),
      ingress: isolated('Ingress', ['prod/defaulted'], []),
    },
  },
  {
    name: 'egress to [] with ports allows every destination on those ports',
    policies: [policy('prod', 'dns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [], ports: [{ port: 53, protocol: 'UDP' }] }] })],
    from: web,
    to: external,
    port: 53,
    protocol: 'UDP',
    expected: { allowed: true, reason: 'allowed', egress: isolated('Egress', ['prod/dns'], [egressRule('prod/dns', 0)]), ingress: null },
  },
  {
    name: 'pod template is evaluated by its labels',
    policies: [policy('prod', 'db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] })],
    from: { kind: 'pod', namespace: 'prod', labels: { app: 'web' } },
    to: db,
    port: 5432,
    expected: { allowed: true, reason: 'allowed', egress: open('Egress'), ingress: isolated('Ingress', ['prod/db'], [ingressRule('prod/db', 0)]) },
  },
  {
    name: 'external to external is not restricted',
    policies: [denyIngress, denyEgress],
    from: external,
    to: { kind: 'ip', ip: '198.51.100.1' },
    port: 80,
    expected: { allowed: true, reason: 'allowed', egress: null, ingress: null },
  },
];

t.test('evaluate', async (t) => {
  for (const testCase of cases) {
    const source = sourceOf(testCase.policies, namespaces);
    const verdict = evaluate(source, {
      source: testCase.from,
      destination: testCase.to,
      port: testCase.port,
      protocol: testCase.protocol ?? 'TCP',
    });
    t.same(verdict, testCase.expected, testCase.name);
  }
});

t.test('evaluate label changes', async (t) => {
  const policies = [
    policy('prod', 'db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'reader' } } }] }] }),
  ];
  const source = sourceOf(policies, namespaces);
  const before = evaluate(source, { source: web, destination: db, port: 5432, protocol: 'TCP' });
  const relabelled = { ...web, labels: { ...web.labels, role: 'reader' } };
  const after = evaluate(source, { source: relabelled, destination: db, port: 5432, protocol: 'TCP' });
  t.equal(before.allowed, false, 'denied before the label is added');
  t.equal(after.allowed, true, 'allowed after the label is added');

  const relabelledDb = { ...db, labels: { app: 'db-v2' } };
  const unisolated = evaluate(source, { source: web, destination: relabelledDb, port: 5432, protocol: 'TCP' });
  t.same(unisolated.ingress, open('Ingress'), 'destination relabelled out of the policy is not isolated');
});

t.test('evaluate namespace label changes', async (t) => {
  const policies = [
    policy('prod', 'db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'blue' } } }] }] }),
  ];
  const traffic = { source: client, destination: db, port: 5432, protocol: 'TCP' as const };
  t.equal(evaluate(sourceOf(policies, namespaces), traffic).allowed, false, 'dev without team label');
  t.equal(evaluate(sourceOf(policies, { ...namespaces, dev: { env: 'dev', team: 'blue' } }), traffic).allowed, true, 'dev with team label');
});

t.test('isolatingPolicies', async (t) => {
  const source = sourceOf([denyIngress, denyEgress, policy('prod', 'web', { podSelector: { matchLabels: { app: 'web' } }, egress: [{}] })], namespaces);
  t.same(isolatingPolicies(source, web, 'Ingress').map((entry) => entry.ref), ['prod/deny-ingress', 'prod/web'], 'ingress of web');
  t.same(isolatingPolicies(source, web, 'Egress').map((entry) => entry.ref), ['prod/deny-egress', 'prod/web'], 'egress of web');
  t.same(isolatingPolicies(source, db, 'Egress').map((entry) => entry.ref), ['prod/deny-egress'], 'egress of db');
  t.same(isolatingPolicies(source, client, 'Ingress'), [], 'pod in another namespace');
});

t.test('evaluateDirection', async (t) => {
  const source = sourceOf([policy('prod', 'db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ ports: [{ port: 'postgres' }] }] })], namespaces);
  t.same(evaluateDirection(source, 'Ingress', db, web, 5432, 'TCP'), isolated('Ingress', ['prod/db'], [ingressRule('prod/db', 0)]), 'named port on the subject');
  t.same(evaluateDirection(source, 'Egress', web, db, 5432, 'TCP'), open('Egress'), 'egress of an unselected pod');
});
