// Properties of the NetworkPolicy engine and of the decisions built on it,
// checked with fast-check on generated clusters. `npm run fuzz` runs them
// with FUZZ_RUNS runs each; CI runs the short defaults below.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import fastJsonPatch, { type Operation } from 'fast-json-patch';
import t from 'tap';
import { main } from '../../src/cli/main.js';
import { defaultConfig, LABEL_BASELINE } from '../../src/config/defaults.js';
import {
  compilePolicy,
  defaultDenyStatus,
  defaultNamespaceLabels,
  evaluate,
  evaluateDirection,
  type CompiledPolicy,
  type Endpoint,
  type LabelSelector,
  type Labels,
  type NetworkPolicy,
  type NetworkPolicySpec,
  type PodEndpoint,
  type PolicySource,
  type Protocol,
} from '../../src/engine/index.js';
import { loadStateFromFiles } from '../../src/state/load-files.js';
import { StateStore } from '../../src/state/store.js';
import {
  fuzzRuns,
  labelKeyArbitrary,
  labelsArbitrary,
  labelValueArbitrary,
  NAMESPACES,
  nameArbitrary,
  policySpecArbitrary,
  ruleArbitrary,
  selectorArbitrary,
} from '../helpers/hostile.js';
import { createTestReviewer, decodePatch, namespaceReview, responseOf, workloadReview } from '../helpers/reviews.js';

const RUNS = fuzzRuns(150);
/** Properties that read files or run a whole review are slower, so CI runs fewer of them. */
const SLOW_RUNS = fuzzRuns(25);

// ---------------------------------------------------------------------------
// Generated clusters

interface Cluster {
  pods: PodEndpoint[];
  namespaceLabels: Record<string, Labels>;
  policies: NetworkPolicy[];
}

const CONTAINER_PORTS = [
  { name: 'dns', containerPort: 53, protocol: 'UDP' },
  { name: 'http', containerPort: 80, protocol: 'TCP' },
];

/** Label keys that are also Object.prototype members, so a lookup that is not own-property checked shows up. */
const PROTOTYPE_KEYS = fc.constantFrom('constructor', 'toString', 'hasOwnProperty');

const podLabelsArbitrary = fc.dictionary(fc.oneof(labelKeyArbitrary, PROTOTYPE_KEYS), labelValueArbitrary, { maxKeys: 3 });

const podsArbitrary: fc.Arbitrary<PodEndpoint[]> = fc
  .array(fc.record({ namespace: fc.constantFrom(...NAMESPACES), labels: podLabelsArbitrary, withIp: fc.boolean() }), { minLength: 1, maxLength: 5 })
  .map((entries) =>
    entries.map((entry, index) => ({
      kind: 'pod' as const,
      namespace: entry.namespace,
      name: `pod-${index}`,
      labels: entry.labels,
      ports: CONTAINER_PORTS,
      ...(entry.withIp ? { ip: `10.${index % 2}.0.${index + 1}` } : {}),
    })),
  );

const namespaceLabelsArbitrary: fc.Arbitrary<Record<string, Labels>> = fc
  .tuple(...NAMESPACES.map(() => labelsArbitrary))
  .map((labels) => Object.fromEntries(NAMESPACES.map((namespace, index) => [namespace, { ...labels[index], ...defaultNamespaceLabels(namespace) }])));

function policiesArbitrary(spec: fc.Arbitrary<NetworkPolicySpec>, maxLength = 4): fc.Arbitrary<NetworkPolicy[]> {
  return fc
    .array(fc.record({ namespace: fc.constantFrom(...NAMESPACES), spec }), { maxLength })
    .map((entries) => entries.map((entry, index) => ({ namespace: entry.namespace, name: `policy-${index}`, spec: entry.spec })));
}

/** Specs as the API server stores them: policyTypes always filled in. */
const storedSpecArbitrary: fc.Arbitrary<NetworkPolicySpec> = fc
  .tuple(policySpecArbitrary, fc.constantFrom(['Ingress'], ['Egress'], ['Ingress', 'Egress']))
  .map(([spec, policyTypes]): NetworkPolicySpec => ({ ...spec, policyTypes: [...policyTypes] }));

const clusterArbitrary = (spec: fc.Arbitrary<NetworkPolicySpec> = policySpecArbitrary): fc.Arbitrary<Cluster> =>
  fc.record({ pods: podsArbitrary, namespaceLabels: namespaceLabelsArbitrary, policies: policiesArbitrary(spec) });

function compileAll(policies: readonly NetworkPolicy[]): CompiledPolicy[] {
  return policies.map((policy) => {
    const result = compilePolicy(policy);
    if (!result.ok) throw new Error(`generated policy ${policy.namespace}/${policy.name} is invalid: ${JSON.stringify(result.errors)}`);
    return result.policy;
  });
}

function sourceOf(cluster: Cluster, policies: readonly NetworkPolicy[] = cluster.policies): PolicySource {
  const compiled = compileAll(policies);
  return {
    namespaceLabels: (namespace) => cluster.namespaceLabels[namespace] ?? defaultNamespaceLabels(namespace),
    policiesIn: (namespace) => compiled.filter((policy) => policy.namespace === namespace),
  };
}

interface Probe {
  source: Endpoint;
  destination: Endpoint;
  port: number;
  protocol: Protocol;
}

const CONNECTIONS: ReadonlyArray<{ port: number; protocol: Protocol }> = [
  { port: 53, protocol: 'UDP' },
  { port: 80, protocol: 'TCP' },
  { port: 55, protocol: 'TCP' },
];

/** Lists every connection between the cluster's pods, and between them and two outside addresses, on three ports. */
function probes(cluster: Cluster): Probe[] {
  const outside: Endpoint[] = [
    { kind: 'ip', ip: '10.1.2.3' },
    { kind: 'ip', ip: '192.0.2.10' },
  ];
  const endpoints: Endpoint[] = [...cluster.pods, ...outside];
  const result: Probe[] = [];
  for (const source of endpoints) {
    for (const destination of endpoints) {
      if (source.kind === 'ip' && destination.kind === 'ip') continue;
      for (const connection of CONNECTIONS) result.push({ source, destination, ...connection });
    }
  }
  return result;
}

function describeProbe(probe: Probe): string {
  const name = (endpoint: Endpoint): string => (endpoint.kind === 'ip' ? endpoint.ip : `${endpoint.namespace}/${endpoint.name}`);
  return `${name(probe.source)} -> ${name(probe.destination)} ${probe.protocol}/${probe.port}`;
}

// ---------------------------------------------------------------------------
// A reference label selector, written from the API reference, to check the engine against

function referenceMatches(selector: LabelSelector | null | undefined, labels: Labels): boolean {
  if (selector === null || selector === undefined) return true;
  const has = (key: string): boolean => Object.prototype.hasOwnProperty.call(labels, key);
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!has(key) || labels[key] !== value) return false;
  }
  for (const requirement of selector.matchExpressions ?? []) {
    const present = has(requirement.key);
    const values = requirement.values ?? [];
    const matched =
      requirement.operator === 'In'
        ? present && values.includes(labels[requirement.key]!)
        : requirement.operator === 'NotIn'
          ? !present || !values.includes(labels[requirement.key]!)
          : requirement.operator === 'Exists'
            ? present
            : !present;
    if (!matched) return false;
  }
  return true;
}

function referenceSelects(policy: NetworkPolicy, pod: PodEndpoint): boolean {
  return policy.namespace === pod.namespace && referenceMatches(policy.spec.podSelector, pod.labels);
}

// ---------------------------------------------------------------------------
// Engine properties

t.test('selector matches like the API reference', async (t) => {
  fc.assert(
    fc.property(selectorArbitrary, podLabelsArbitrary, (selector, labels) => {
      const compiled = compilePolicy({ namespace: 'alpha', name: 'probe', spec: { podSelector: selector } });
      if (!compiled.ok) throw new Error(`valid selector rejected: ${JSON.stringify(compiled.errors)}`);
      return compiled.policy.selects(labels) === referenceMatches(selector, labels);
    }),
    { numRuns: RUNS * 4 },
  );
  t.pass('compiled selectors agree with the reference on every generated label map');
});

t.test('adding a rule to a policy never removes allowed traffic', async (t) => {
  fc.assert(
    fc.property(
      clusterArbitrary(storedSpecArbitrary).filter((cluster) => cluster.policies.length > 0),
      fc.nat(),
      fc.constantFrom('ingress' as const, 'egress' as const),
      fc.oneof(ruleArbitrary('from'), ruleArbitrary('to')),
      (cluster, pick, section, generated) => {
        const index = pick % cluster.policies.length;
        const target = cluster.policies[index]!;
        const rule = section === 'ingress' ? { from: generated.from ?? generated.to, ports: generated.ports } : { to: generated.to ?? generated.from, ports: generated.ports };
        const extended: NetworkPolicy = { ...target, spec: { ...target.spec, [section]: [...(target.spec[section] ?? []), rule] } };
        const after = cluster.policies.map((policy, position) => (position === index ? extended : policy));

        const beforeSource = sourceOf(cluster);
        const afterSource = sourceOf(cluster, after);
        for (const probe of probes(cluster)) {
          if (evaluate(beforeSource, probe).allowed && !evaluate(afterSource, probe).allowed) {
            throw new Error(`adding ${JSON.stringify(rule)} to spec.${section} of ${target.namespace}/${target.name} denied ${describeProbe(probe)}`);
          }
        }
      },
    ),
    { numRuns: RUNS },
  );
  t.pass('every connection allowed before the new rule is allowed after it');
});

t.test('new policy changes traffic only of the pods it selects', async (t) => {
  fc.assert(
    fc.property(clusterArbitrary(), fc.constantFrom(...NAMESPACES), policySpecArbitrary, (cluster, namespace, spec) => {
      const added: NetworkPolicy = { namespace, name: 'added', spec };
      const types = compileAll([added])[0]!.policyTypes;
      const beforeSource = sourceOf(cluster);
      const afterSource = sourceOf(cluster, [...cluster.policies, added]);
      for (const probe of probes(cluster)) {
        const sourceSelected = probe.source.kind === 'pod' && types.has('Egress') && referenceSelects(added, probe.source);
        const destinationSelected = probe.destination.kind === 'pod' && types.has('Ingress') && referenceSelects(added, probe.destination);
        if (sourceSelected || destinationSelected) continue;
        const before = evaluate(beforeSource, probe);
        const after = evaluate(afterSource, probe);
        if (before.allowed !== after.allowed || before.reason !== after.reason) {
          throw new Error(`adding ${JSON.stringify(spec)} in ${namespace} changed ${describeProbe(probe)} from ${before.reason} to ${after.reason}`);
        }
      }
    }),
    { numRuns: RUNS },
  );
  t.pass('connections between pods the new policy does not select keep their verdict');
});

t.test('pod selected by no policy is never isolated', async (t) => {
  fc.assert(
    fc.property(clusterArbitrary(), (cluster) => {
      const source = sourceOf(cluster);
      const peer: Endpoint = { kind: 'ip', ip: '192.0.2.10' };
      for (const pod of cluster.pods) {
        if (cluster.policies.some((policy) => referenceSelects(policy, pod))) continue;
        for (const direction of ['Ingress', 'Egress'] as const) {
          for (const connection of CONNECTIONS) {
            const verdict = evaluateDirection(source, direction, pod, peer, connection.port, connection.protocol);
            if (verdict.isolated || !verdict.allowed || verdict.isolatingPolicies.length > 0) {
              throw new Error(`${pod.namespace}/${pod.name} with labels ${JSON.stringify(pod.labels)} is isolated for ${direction} by ${verdict.isolatingPolicies.join(', ')}`);
            }
          }
        }
      }
    }),
    { numRuns: RUNS },
  );
  t.pass('unselected pods are not isolated in either direction');
});

/** Builds a store from manifests of the generated cluster: namespaces with their labels, then `policies`. */
function storeOf(cluster: Cluster, policies: readonly NetworkPolicy[]): StateStore {
  const store = new StateStore();
  for (const namespace of NAMESPACES) store.apply({ kind: 'Namespace', metadata: { name: namespace, labels: { ...cluster.namespaceLabels[namespace] } } });
  for (const policy of policies) store.apply({ kind: 'NetworkPolicy', metadata: { name: policy.name, namespace: policy.namespace }, spec: policy.spec });
  return store;
}

t.test('default-deny of a namespace ignores other namespaces', async (t) => {
  const namespace = NAMESPACES[0];
  fc.assert(
    fc.property(clusterArbitrary(), policiesArbitrary(policySpecArbitrary, 4), (cluster, elsewhere) => {
      const own = cluster.policies.filter((policy) => policy.namespace === namespace);
      const others = elsewhere.filter((policy) => policy.namespace !== namespace).map((policy) => ({ ...policy, name: `other-${policy.name}` }));
      const alone = defaultDenyStatus(namespace, storeOf(cluster, own).policiesIn(namespace));
      const withOthers = defaultDenyStatus(namespace, storeOf(cluster, [...own, ...others]).policiesIn(namespace));
      if (JSON.stringify(alone) !== JSON.stringify(withOthers)) {
        throw new Error(`policies in other namespaces changed the default-deny status of ${namespace}: ${JSON.stringify(alone)} -> ${JSON.stringify(withOthers)}`);
      }
    }),
    { numRuns: RUNS },
  );
  t.pass('engine: the status depends only on the namespace own policies');

  await fc.assert(
    fc.asyncProperty(clusterArbitrary(), policiesArbitrary(policySpecArbitrary, 4), async (cluster, elsewhere) => {
      const own = cluster.policies.filter((policy) => policy.namespace === namespace);
      const others = elsewhere.filter((policy) => policy.namespace !== namespace).map((policy) => ({ ...policy, name: `other-${policy.name}` }));
      const defaultDenyViolated = async (policies: readonly NetworkPolicy[]): Promise<boolean> => {
        const review = workloadReview('Deployment', { namespace, name: 'web', podLabels: { app: 'web' } });
        const answer = await createTestReviewer(storeOf(cluster, policies)).review(review, 'validate');
        const response = responseOf(answer.body);
        return (response.auditAnnotations?.violations ?? '').split(',').includes('default-deny');
      };
      const alone = await defaultDenyViolated(own);
      const withOthers = await defaultDenyViolated([...own, ...others]);
      if (alone !== withOthers) throw new Error(`policies in other namespaces turned the default-deny violation of ${namespace} from ${alone} to ${withOthers}`);
    }),
    { numRuns: SLOW_RUNS },
  );
  t.pass('admission: the default-deny violation depends only on the namespace own policies');
});

// ---------------------------------------------------------------------------
// explain and the admission decision on the same manifests

/** Runs `netpol-guard explain` and returns its exit code, stdout and stderr. */
async function runExplain(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const code = await main(['explain', ...argv], { stdout, stderr, stdin: new PassThrough(), env: {} });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

t.test('explain and the dns-egress decision agree', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'netpol-guard-properties-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  let run = 0;
  const seen = { denied: 0, allowed: 0 };

  await fc.assert(
    fc.asyncProperty(
      podLabelsArbitrary,
      policiesArbitrary(policySpecArbitrary, 4),
      fc.array(storedSpecArbitrary, { maxLength: 1 }),
      async (clientLabels, generated, dnsIngress) => {
        const policies = generated.map((policy) => ({ ...policy, namespace: 'alpha' }));
        const folder = join(directory, `run-${run++}`);
        const items = [
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'alpha' } },
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } },
          {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: 'coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
            spec: { containers: [{ name: 'coredns', ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }] }] },
          },
          { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client', namespace: 'alpha', labels: clientLabels }, spec: { containers: [{ name: 'main' }] } },
          ...policies.map((policy) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: policy.name, namespace: 'alpha' }, spec: policy.spec })),
          ...dnsIngress.map((spec, index) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `dns-${index}`, namespace: 'kube-system' }, spec })),
        ];
        mkdirSync(folder);
        writeFileSync(join(folder, 'cluster.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));

        const explained = await runExplain(['-f', folder, '--from', 'alpha/client', '--to', 'kube-system/coredns', '--port', '53', '--protocol', 'UDP', '-o', 'json']);
        if (explained.code !== 0) throw new Error(`explain failed with ${explained.code}: ${explained.stderr}`);
        const verdict = JSON.parse(explained.stdout) as { egress: { allowed: boolean } | null };
        const egressDenied = verdict.egress?.allowed === false;

        const { store } = await loadStateFromFiles([folder]);
        const review = workloadReview('Pod', { namespace: 'alpha', name: 'client', podLabels: clientLabels });
        const response = responseOf((await createTestReviewer(store).review(review, 'validate')).body);
        const dnsDenied = response.allowed === false && (response.status?.message ?? '').includes('no egress rule allows UDP 53 to DNS');
        seen[dnsDenied ? 'denied' : 'allowed']++;
        if (dnsDenied !== egressDenied) {
          throw new Error(`explain says egress ${egressDenied ? 'denied' : 'allowed'} but the review ${dnsDenied ? 'denies' : 'does not deny'} DNS: ${response.status?.message ?? 'allowed'}`);
        }
      },
    ),
    { numRuns: SLOW_RUNS },
  );
  t.pass('the review denies DNS egress exactly when explain denies UDP 53 to the DNS pod by egress');
  t.ok(seen.denied > 0 && seen.allowed > 0, `the generated clusters both deny and allow DNS: ${JSON.stringify(seen)}`);
});

// ---------------------------------------------------------------------------
// The mutating webhook's patch

const ANNOTATION_EXEMPT = 'netpol-guard.io/exempt';

const namespaceMetadataArbitrary = fc.record(
  {
    labels: fc.oneof(
      fc.constant(null),
      podLabelsArbitrary,
      podLabelsArbitrary.map((labels) => ({ ...labels, [LABEL_BASELINE]: 'enabled' })),
      podLabelsArbitrary.map((labels) => ({ ...labels, [LABEL_BASELINE]: 'disabled' })),
    ),
    annotations: fc.oneof(
      fc.constant(null),
      fc.dictionary(fc.constantFrom('example.com/owner', 'note', 'a~b', 'x/y~1z'), labelValueArbitrary, { maxKeys: 2 }),
      fc.record({
        [ANNOTATION_EXEMPT]: fc.constantFrom('default-deny', 'all', 'dns-egress', ''),
        'netpol-guard.io/exempt-reason': fc.constantFrom('migration', ''),
      }),
    ),
  },
  { requiredKeys: [] },
);

t.test('mutate patch yields a valid namespace with the baseline label', async (t) => {
  const config = defaultConfig();
  const reviewer = createTestReviewer(new StateStore(), { config });
  const seen = { patched: 0, unpatched: 0 };
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(nameArbitrary.map((name) => `ns-${name}`), fc.constantFrom('kube-system', 'netpol-guard')),
      fc.option(namespaceMetadataArbitrary, { nil: undefined }),
      async (name, metadata) => {
        const review = namespaceReview(name, metadata === undefined ? undefined : { name, ...metadata });
        const object = structuredClone(review.request.object!);
        const answer = await reviewer.review(review, 'mutate');
        if (answer.statusCode !== 200) throw new Error(`mutate answered ${answer.statusCode}: ${JSON.stringify(answer.body)}`);
        const response = responseOf(answer.body);
        if (response.allowed !== true) throw new Error(`mutate did not allow: ${JSON.stringify(response)}`);
        const operations = decodePatch(response);

        const labels = (metadata?.labels ?? {}) as Record<string, string>;
        const annotations = (metadata?.annotations ?? {}) as Record<string, string>;
        seen[operations === undefined ? 'unpatched' : 'patched']++;
        if (operations === undefined) {
          const reason =
            labels[LABEL_BASELINE] !== undefined || config.exemptions.namespaces.includes(name) || name === config.webhookNamespace || annotations[ANNOTATION_EXEMPT] !== undefined;
          if (!reason) throw new Error(`no patch for namespace ${name} with ${JSON.stringify(metadata)}`);
          return;
        }

        const patched = fastJsonPatch.applyPatch(object, operations as Operation[], true, false).newDocument as {
          metadata: { name: string; labels: Record<string, unknown>; annotations: Record<string, unknown> };
        };
        if (patched.metadata.labels[LABEL_BASELINE] !== 'enabled') throw new Error(`patched namespace lacks the baseline label: ${JSON.stringify(patched.metadata)}`);
        for (const [key, value] of Object.entries(labels)) {
          if (key !== LABEL_BASELINE && patched.metadata.labels[key] !== value) throw new Error(`the patch lost label ${key}`);
        }
        for (const [key, value] of Object.entries(annotations)) {
          if (patched.metadata.annotations[key] !== value) throw new Error(`the patch lost annotation ${key}`);
        }
        for (const map of [patched.metadata.labels, patched.metadata.annotations]) {
          if (Object.values(map).some((value) => typeof value !== 'string')) throw new Error(`patched map has a value that is not a string: ${JSON.stringify(map)}`);
        }
        if (patched.metadata.annotations['netpol-guard.io/baseline-policies'] !== 'default-deny-all,allow-dns-egress') {
          throw new Error(`patched namespace names the wrong baseline policies: ${JSON.stringify(patched.metadata.annotations)}`);
        }
        if (patched.metadata.name !== (object.metadata as { name?: string } | undefined)?.name) throw new Error('the patch changed the name');
      },
    ),
    { numRuns: RUNS },
  );
  t.pass('every patch applies cleanly and adds the baseline label and annotation');
  t.ok(seen.patched > 0 && seen.unpatched > 0, `the generated namespaces are both patched and left alone: ${JSON.stringify(seen)}`);
});
