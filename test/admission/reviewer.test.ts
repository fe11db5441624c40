import t from 'tap';
import type { ReviewSummary } from '../../src/admission/reviewer.js';
import { defaultConfig } from '../../src/config/defaults.js';
import { StateStore } from '../../src/state/store.js';
import {
  createTestReviewer,
  decodePatch,
  exampleReview,
  loadExampleState,
  namespaceReview,
  responseOf,
  workloadReview,
  type AdmissionReviewBody,
} from '../helpers/reviews.js';

const POLICIES = 'default-deny-all,allow-dns-egress';
const EXEMPT = 'netpol-guard.io/exempt';
const EXEMPT_REASON = 'netpol-guard.io/exempt-reason';

async function mutate(review: AdmissionReviewBody) {
  const reviewer = createTestReviewer(await loadExampleState());
  const answer = await reviewer.review(review, 'mutate');
  return { statusCode: answer.statusCode, response: responseOf(answer.body) };
}

t.test('mutate patches a new namespace for the baseline', async (t) => {
  const cases: Array<{ name: string; review: () => AdmissionReviewBody; patch: unknown[] }> = [
    {
      name: 'labels present, annotations absent',
      review: () => exampleReview('namespace-create.json'),
      patch: [
        { op: 'add', path: '/metadata/labels/netpol-guard.io~1baseline', value: 'enabled' },
        { op: 'add', path: '/metadata/annotations', value: { 'netpol-guard.io/baseline-policies': POLICIES } },
      ],
    },
    {
      name: 'both maps present',
      review: () => namespaceReview('team-b', { name: 'team-b', labels: { team: 'b' }, annotations: { owner: 'b' } }),
      patch: [
        { op: 'add', path: '/metadata/labels/netpol-guard.io~1baseline', value: 'enabled' },
        { op: 'add', path: '/metadata/annotations/netpol-guard.io~1baseline-policies', value: POLICIES },
      ],
    },
    {
      name: 'both maps absent',
      review: () => namespaceReview('team-c', { name: 'team-c' }),
      patch: [
        { op: 'add', path: '/metadata/labels', value: { 'netpol-guard.io/baseline': 'enabled' } },
        { op: 'add', path: '/metadata/annotations', value: { 'netpol-guard.io/baseline-policies': POLICIES } },
      ],
    },
    {
      name: 'metadata absent',
      review: () => namespaceReview('team-d', undefined),
      patch: [
        { op: 'add', path: '/metadata', value: {} },
        { op: 'add', path: '/metadata/labels', value: { 'netpol-guard.io/baseline': 'enabled' } },
        { op: 'add', path: '/metadata/annotations', value: { 'netpol-guard.io/baseline-policies': POLICIES } },
      ],
    },
    {
      name: 'exemption from another rule only',
      review: () => namespaceReview('team-e', { name: 'team-e', annotations: { [EXEMPT]: 'dns-egress', [EXEMPT_REASON]: 'runs its own resolver' } }),
      patch: [
        { op: 'add', path: '/metadata/labels', value: { 'netpol-guard.io/baseline': 'enabled' } },
        { op: 'add', path: '/metadata/annotations/netpol-guard.io~1baseline-policies', value: POLICIES },
      ],
    },
  ];
  for (const testCase of cases) {
    const review = testCase.review();
    const { statusCode, response } = await mutate(review);
    t.equal(statusCode, 200, `${testCase.name}: status`);
    t.equal(response.patchType, 'JSONPatch', `${testCase.name}: patchType`);
    t.match(response.patch, /^[A-Za-z0-9+/]+=*$/, `${testCase.name}: patch is base64`);
    t.strictSame(decodePatch(response), testCase.patch, `${testCase.name}: patch`);
    t.strictSame(Object.keys(response).sort(), ['allowed', 'patch', 'patchType', 'uid'], `${testCase.name}: fields`);
    t.equal(response.allowed, true, `${testCase.name}: allowed`);
  }
});

t.test('mutate leaves a namespace without a patch', async (t) => {
  const cases: Array<{ name: string; review: () => AdmissionReviewBody }> = [
    { name: 'already enabled', review: () => namespaceReview('team-a', { name: 'team-a', labels: { 'netpol-guard.io/baseline': 'enabled' } }) },
    { name: 'already disabled', review: () => namespaceReview('team-a', { name: 'team-a', labels: { 'netpol-guard.io/baseline': 'disabled' } }) },
    {
      name: 'valid exemption from all rules',
      review: () => namespaceReview('team-a', { name: 'team-a', annotations: { [EXEMPT]: 'all', [EXEMPT_REASON]: 'network appliance' } }),
    },
    {
      name: 'valid exemption from default-deny',
      review: () => namespaceReview('team-a', { name: 'team-a', annotations: { [EXEMPT]: 'default-deny', [EXEMPT_REASON]: 'migration' } }),
    },
    { name: 'kube-public', review: () => namespaceReview('kube-public', { name: 'kube-public' }) },
    { name: 'the webhook namespace', review: () => namespaceReview('netpol-guard', { name: 'netpol-guard' }) },
    { name: 'UPDATE', review: () => namespaceReview('team-a', { name: 'team-a' }, 'UPDATE') },
    { name: 'DELETE', review: () => namespaceReview('team-a', { name: 'team-a' }, 'DELETE') },
    { name: 'a Deployment', review: () => workloadReview('Deployment', { namespace: 'legacy', name: 'api', podLabels: { app: 'api' } }) },
  ];
  for (const testCase of cases) {
    const review = testCase.review();
    const { statusCode, response } = await mutate(review);
    t.equal(statusCode, 200, `${testCase.name}: status`);
    t.strictSame(response, { uid: review.request.uid, allowed: true }, testCase.name);
  }
});

t.test('validate never patches a new namespace', async (t) => {
  const reviewer = createTestReviewer(await loadExampleState());
  const review = exampleReview('namespace-create.json');
  const answer = await reviewer.review(review, 'validate');
  t.equal(answer.statusCode, 200);
  t.strictSame(responseOf(answer.body), {
    uid: review.request.uid,
    allowed: true,
    auditAnnotations: { mode: 'enforce', exemption: 'none', decision: 'allowed' },
  });
});

t.test('review reports each decision to onReview', async (t) => {
  const summaries: ReviewSummary[] = [];
  const reviewer = createTestReviewer(await loadExampleState(), { onReview: (summary) => summaries.push(summary) });
  const legacy = workloadReview('Deployment', { namespace: 'legacy', name: 'invoice-export', podLabels: { app: 'invoice-export' } });
  await reviewer.review(legacy, 'validate');
  await reviewer.review(exampleReview('namespace-create.json'), 'mutate');
  await reviewer.review({ apiVersion: 'admission.k8s.io/v1' }, 'validate');

  const stable = summaries.map(({ durationMs, ...rest }) => {
    t.type(durationMs, 'number');
    return rest;
  });
  t.strictSame(stable, [
    {
      endpoint: 'validate',
      decision: 'denied',
      rules: ['default-deny', 'dns-egress', 'exemption-approval'],
      violations: ['default-deny'],
      uid: legacy.request.uid,
      operation: 'CREATE',
      kind: 'Deployment',
      namespace: 'legacy',
      name: 'invoice-export',
      user: 'alice@example.com',
      dryRun: false,
      mode: 'enforce',
    },
    {
      endpoint: 'mutate',
      decision: 'patched',
      rules: [],
      violations: [],
      uid: '3e5a7c9b-2d4f-4a6c-8e0b-1f3a5c7e9d45',
      operation: 'CREATE',
      kind: 'Namespace',
      namespace: 'team-a',
      name: 'team-a',
      user: 'carol@example.com',
      dryRun: false,
    },
    { endpoint: 'validate', decision: 'invalid', rules: [], violations: [] },
  ]);
});

t.test('review internal fault returns 500', async (t) => {
  class FailingStore extends StateStore {
    override policiesIn(): never {
      throw new Error('index corrupted');
    }
  }
  const summaries: ReviewSummary[] = [];
  const reviewer = createTestReviewer(new FailingStore(), { onReview: (summary) => summaries.push(summary) });
  const review = workloadReview('Deployment', { namespace: 'legacy', name: 'invoice-export', podLabels: { app: 'invoice-export' } });
  const answer = await reviewer.review(review, 'validate');
  t.equal(answer.statusCode, 500);
  t.strictSame(answer.body, { code: 500, message: `internal error while reviewing request ${review.request.uid}; see the webhook log` });
  t.equal(summaries[0]?.decision, 'errored');
});

t.test('review invalid body returns 400', async (t) => {
  const reviewer = createTestReviewer(new StateStore());
  const answer = await reviewer.review({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'abc' } }, 'validate');
  t.equal(answer.statusCode, 400);
  t.strictSame(answer.body, { code: 400, message: 'invalid AdmissionReview: request.kind is missing' });
});

t.test('review decides with the configured mode', async (t) => {
  const legacy = () => workloadReview('Deployment', { namespace: 'legacy', name: 'invoice-export', podLabels: { app: 'invoice-export' } });
  const warnConfig = defaultConfig();
  warnConfig.mode = 'warn';
  const warnReview = legacy();
  const warned = await createTestReviewer(await loadExampleState(), { config: warnConfig }).review(warnReview, 'validate');
  t.strictSame(responseOf(warned.body), {
    uid: warnReview.request.uid,
    allowed: true,
    warnings: ['default-deny: namespace legacy has no default-deny NetworkPolicy for Ingress and Egress'],
    auditAnnotations: { mode: 'warn', exemption: 'none', violations: 'default-deny', decision: 'allowed' },
  });

  const auditConfig = defaultConfig();
  auditConfig.mode = 'audit';
  const auditReview = legacy();
  const audited = await createTestReviewer(await loadExampleState(), { config: auditConfig }).review(auditReview, 'validate');
  const response = responseOf(audited.body);
  t.equal(response.allowed, true, 'audit allows');
  t.notOk('warnings' in response, 'audit adds no warnings');
  t.strictSame(Object.keys(response.auditAnnotations ?? {}).sort(), ['decision', 'exemption', 'mode', 'violation-default-deny', 'violations']);
  t.match(response.auditAnnotations?.['violation-default-deny'], /^default-deny: namespace "legacy" has no default-deny NetworkPolicy/);
});
