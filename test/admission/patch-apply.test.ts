// Applies every JSONPatch the mutating webhook returns to the request's object
// with fast-json-patch, as the API server applies it, and checks the result.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastJsonPatch, { type Operation } from 'fast-json-patch';
import t from 'tap';
import { defaultConfig } from '../../src/config/defaults.js';
import {
  createTestReviewer,
  decodePatch,
  exampleReview,
  loadExampleState,
  namespaceReview,
  readJsonFile,
  responseOf,
  SHARED_ADMISSION_REQUESTS,
  type AdmissionReviewBody,
  type KubeObject,
} from '../helpers/reviews.js';

const BASELINE_LABEL = 'netpol-guard.io/baseline';
const BASELINE_POLICIES = 'netpol-guard.io/baseline-policies';
const SHARED_NAMESPACE_CREATE = join(SHARED_ADMISSION_REQUESTS, 'namespace-create-kubectl.json');

/** Reviews at /mutate, applies the returned patch to a copy of the request object and returns the result. */
async function mutateAndApply(review: AdmissionReviewBody, config = defaultConfig()): Promise<{ patched: KubeObject; operations: Operation[] }> {
  const reviewer = createTestReviewer(await loadExampleState(), { config });
  const answer = await reviewer.review(structuredClone(review), 'mutate');
  const response = responseOf(answer.body);
  const operations = (decodePatch(response) ?? []) as Operation[];
  // validateOperation = true makes fast-json-patch reject an op the API server would reject, such as adding under a missing parent.
  const result = fastJsonPatch.applyPatch(structuredClone(review.request.object!), operations, true, false);
  return { patched: result.newDocument, operations };
}

function metadataOf(object: KubeObject): { labels?: Record<string, string>; annotations?: Record<string, string>; name?: string } {
  return object.metadata as { labels?: Record<string, string>; annotations?: Record<string, string> };
}

const cases: Array<{ name: string; review: () => AdmissionReviewBody; labels: Record<string, string>; annotations: Record<string, string> }> = [
  {
    name: 'kubectl create namespace with labels and no annotations',
    review: () => exampleReview('namespace-create.json'),
    labels: { 'kubernetes.io/metadata.name': 'team-a', [BASELINE_LABEL]: 'enabled' },
    annotations: { [BASELINE_POLICIES]: 'default-deny-all,allow-dns-egress' },
  },
  {
    name: 'namespace without metadata',
    review: () => namespaceReview('team-b', undefined),
    labels: { [BASELINE_LABEL]: 'enabled' },
    annotations: { [BASELINE_POLICIES]: 'default-deny-all,allow-dns-egress' },
  },
  {
    name: 'namespace without labels or annotations',
    review: () => namespaceReview('team-c', { name: 'team-c' }),
    labels: { [BASELINE_LABEL]: 'enabled' },
    annotations: { [BASELINE_POLICIES]: 'default-deny-all,allow-dns-egress' },
  },
  {
    name: 'namespace with null labels and annotations',
    review: () => namespaceReview('team-d', { name: 'team-d', labels: null, annotations: null }),
    labels: { [BASELINE_LABEL]: 'enabled' },
    annotations: { [BASELINE_POLICIES]: 'default-deny-all,allow-dns-egress' },
  },
  {
    name: 'namespace with other labels and annotations',
    review: () =>
      namespaceReview('team-e', {
        name: 'team-e',
        labels: { team: 'e', 'app.kubernetes.io/part-of': 'shop' },
        annotations: { 'owner.example.com/contact': 'team-e@example.com', 'a~b/c': 'tilde' },
      }),
    labels: { team: 'e', 'app.kubernetes.io/part-of': 'shop', [BASELINE_LABEL]: 'enabled' },
    annotations: {
      'owner.example.com/contact': 'team-e@example.com',
      'a~b/c': 'tilde',
      [BASELINE_POLICIES]: 'default-deny-all,allow-dns-egress',
    },
  },
  {
    name: 'namespace with an incomplete exemption (no reason)',
    review: () => namespaceReview('team-f', { name: 'team-f', annotations: { 'netpol-guard.io/exempt': 'all' } }),
    labels: { [BASELINE_LABEL]: 'enabled' },
    annotations: { 'netpol-guard.io/exempt': 'all', [BASELINE_POLICIES]: 'default-deny-all,allow-dns-egress' },
  },
];

for (const testCase of cases) {
  t.test(`patch applies to ${testCase.name}`, async (t) => {
    const review = testCase.review();
    const { patched, operations } = await mutateAndApply(review);
    t.ok(operations.length > 0, 'a patch was returned');
    t.strictSame(metadataOf(patched).labels, testCase.labels, 'labels');
    t.strictSame(metadataOf(patched).annotations, testCase.annotations, 'annotations');

    const original = review.request.object!;
    t.strictSame({ ...patched, metadata: undefined }, { ...original, metadata: undefined }, 'only metadata changed');
  });
}

t.test('reinvocation adds no second patch', async (t) => {
  const review = exampleReview('namespace-create.json');
  const { patched } = await mutateAndApply(review);
  review.request.object = patched;
  const again = await mutateAndApply(review);
  t.strictSame(again.operations, []);
  t.strictSame(again.patched, patched);
});

t.test('patch lists extra baseline policies', async (t) => {
  const config = defaultConfig();
  config.baseline.extraPolicies = [{ name: 'allow-prometheus-scrape', spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] } }];
  const { patched } = await mutateAndApply(namespaceReview('team-g', { name: 'team-g' }), config);
  t.strictSame(metadataOf(patched).annotations, { [BASELINE_POLICIES]: 'default-deny-all,allow-dns-egress,allow-prometheus-scrape' });
});

t.test(
  'patch applies to shared kubectl namespace',
  { skip: existsSync(SHARED_NAMESPACE_CREATE) ? false : `${SHARED_NAMESPACE_CREATE} is absent` },
  async (t) => {
    const review = readJsonFile(SHARED_NAMESPACE_CREATE);
    const { patched, operations } = await mutateAndApply(review);
    t.strictSame(operations, [
      { op: 'add', path: '/metadata/labels/netpol-guard.io~1baseline', value: 'enabled' },
      { op: 'add', path: '/metadata/annotations', value: { [BASELINE_POLICIES]: 'default-deny-all,allow-dns-egress' } },
    ]);
    t.strictSame(metadataOf(patched).labels, { 'kubernetes.io/metadata.name': 'payments', team: 'payments', [BASELINE_LABEL]: 'enabled' });
    t.strictSame(metadataOf(patched).annotations, { [BASELINE_POLICIES]: 'default-deny-all,allow-dns-egress' });
    t.equal(metadataOf(patched).name, 'payments');
  },
);
