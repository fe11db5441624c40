import { pino } from 'pino';
import t from 'tap';
import { Reviewer } from '../../src/admission/reviewer.js';
import { defaultConfig } from '../../src/config/defaults.js';
import { StateStore } from '../../src/state/store.js';
import { decisionOf } from '../../bench/decision.js';
import { clusterCounts, generateCluster, namespaceName, requestNamespace, type ClusterSpec } from '../../bench/fixtures/generate-cluster.js';
import { benchPayloads, DEPLOYMENT_REVIEW_BYTES, POD_REVIEW_BYTES, type PayloadId } from '../../bench/fixtures/reviews.js';

const SPEC: ClusterSpec = { namespaces: 4, policiesPerNamespace: 8, podsPerNamespace: 5 };

function loadedStore(spec: ClusterSpec): StateStore {
  const store = new StateStore();
  for (const object of generateCluster(spec)) store.apply(object);
  return store;
}

t.test('generateCluster yields the counted objects', async (t) => {
  const kinds = new Map<string, number>();
  for (const object of generateCluster(SPEC)) kinds.set(String(object.kind), (kinds.get(String(object.kind)) ?? 0) + 1);

  t.same(clusterCounts(SPEC), { namespaces: 5, networkPolicies: 32, pods: 22 });
  t.equal(kinds.get('Namespace'), 5);
  t.equal(kinds.get('NetworkPolicy'), 32);
  t.equal(kinds.get('Pod'), 22);
  t.equal(kinds.size, 3);
});

t.test('generateCluster policies are all valid', async (t) => {
  const counts = loadedStore(SPEC).counts();

  t.same(counts, { namespaces: 5, networkPolicies: 32, invalidNetworkPolicies: 0, workloads: 0, pods: 22 });
});

t.test('requestNamespace picks the middle namespace', async (t) => {
  t.equal(requestNamespace(SPEC), 'team-00002');
  t.equal(namespaceName(10_000), 'team-10000');
});

t.test('benchPayloads reach their target sizes', async (t) => {
  const payloads = benchPayloads({ namespace: 'team-00002', podLabels: { app: 'api' } });

  t.ok(payloads.pod.bytes >= POD_REVIEW_BYTES, `pod review is ${payloads.pod.bytes} bytes`);
  t.ok(payloads.pod.bytes < POD_REVIEW_BYTES + 512, `pod review is ${payloads.pod.bytes} bytes`);
  t.ok(payloads.deployment.bytes >= DEPLOYMENT_REVIEW_BYTES, `deployment review is ${payloads.deployment.bytes} bytes`);
  t.ok(payloads.deployment.bytes < DEPLOYMENT_REVIEW_BYTES + 1024, `deployment review is ${payloads.deployment.bytes} bytes`);
  t.equal(payloads.pod.bytes, Buffer.byteLength(payloads.pod.body));
  t.equal(payloads.namespace.path, '/mutate?timeout=10s');
  t.equal(payloads.configmap.path, '/validate?timeout=10s');
});

t.test('deployment review carries the last-applied copy', async (t) => {
  const review = JSON.parse(benchPayloads({ namespace: 'team-00002', podLabels: { app: 'api' } }).deployment.body);
  const metadata = review.request.object.metadata;
  const applied = JSON.parse(metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
  const container = review.request.object.spec.template.spec.containers[0];

  t.same(applied.spec.template.spec.containers[0].env, container.env);
  t.equal(metadata.namespace, 'team-00002');
  t.same(review.request.object.spec.template.metadata.labels, { app: 'api' });
  t.equal(metadata.managedFields[0].manager, 'kubectl-client-side-apply');
});

t.test('benchPayloads decisions on a generated state', async (t) => {
  const store = loadedStore(SPEC);
  const reviewer = new Reviewer({ state: store, config: defaultConfig(), logger: pino({ level: 'silent' }) });
  const payloads = benchPayloads({ namespace: requestNamespace(SPEC), podLabels: { app: 'api' } });
  const expected: Record<PayloadId, string> = { pod: 'allowed', deployment: 'allowed', namespace: 'patched', configmap: 'allowed' };

  for (const [id, decision] of Object.entries(expected) as Array<[PayloadId, string]>) {
    const payload = payloads[id];
    const answer = await reviewer.review(JSON.parse(payload.body), payload.endpoint);
    t.equal(decisionOf(answer.statusCode, answer.body), decision, id);
  }
});

t.test('decisionOf names each outcome', async (t) => {
  const cases: Array<[string, number, unknown, string]> = [
    ['allowed', 200, { response: { allowed: true } }, 'allowed'],
    ['patched', 200, { response: { allowed: true, patch: 'W10=' } }, 'patched'],
    ['denied', 200, { response: { allowed: false, status: { code: 403 } } }, 'denied (403)'],
    ['denied without code', 200, { response: { allowed: false } }, 'denied (no code)'],
    ['server error', 500, { code: 500, message: 'internal error' }, 'HTTP 500'],
    ['unparsable body', 200, undefined, 'HTTP 200'],
  ];
  for (const [name, statusCode, body, expected] of cases) t.equal(decisionOf(statusCode, body), expected, name);
});
