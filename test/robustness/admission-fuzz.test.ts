// Fuzzes the Reviewer with arbitrary JSON and with real-shaped reviews in
// which one field is replaced by a hostile value. Bad input must never
// crash a review: the response is a 400, or a 200 decision with the request's
// uid, and never an internal error. `npm run fuzz` runs more cases.
import fc from 'fast-check';
import t from 'tap';
import type { HttpAnswer } from '../../src/admission/response.js';
import { fuzzRuns, hostileJsonArbitrary } from '../helpers/hostile.js';
import {
  createTestReviewer,
  exampleReview,
  loadExampleState,
  namespaceReview,
  networkPolicyReview,
  responseOf,
  workloadReview,
  type AdmissionReviewBody,
} from '../helpers/reviews.js';

const RUNS = fuzzRuns(300);

const TEMPLATES: ReadonlyArray<() => AdmissionReviewBody> = [
  () => exampleReview('pod-create-shop.json'),
  () => exampleReview('deployment-create-payments.json'),
  () => exampleReview('deployment-create-shop-v1beta1.json'),
  () => exampleReview('networkpolicy-delete-shop-default-deny.json'),
  () => workloadReview('CronJob', { namespace: 'shop', name: 'report', podLabels: { app: 'report' }, operation: 'UPDATE' }),
  () =>
    networkPolicyReview({
      namespace: 'shop',
      name: 'allow-web',
      operation: 'UPDATE',
      spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: {} }] }], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ port: 53, protocol: 'UDP' }] }] },
      oldSpec: { podSelector: {}, policyTypes: ['Egress'] },
    }),
  () => namespaceReview('team-a', { name: 'team-a', labels: { team: 'a' }, annotations: { 'netpol-guard.io/exempt': 'default-deny', 'netpol-guard.io/exempt-reason': 'x' } }, 'UPDATE'),
];

/** Lists the paths of every value in `value`, objects and arrays included, root first. */
function pathsOf(value: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  const paths = [path];
  if (Array.isArray(value)) value.forEach((item, index) => paths.push(...pathsOf(item, [...path, index])));
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) paths.push(...pathsOf(item, [...path, key]));
  }
  return paths;
}

function replaceAt(root: unknown, path: ReadonlyArray<string | number>, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  let parent = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  parent[path[path.length - 1]!] = replacement;
  return root;
}

/** Returns what is wrong with the response to bad input, or undefined when it is acceptable. */
function problemOf(answer: HttpAnswer, body: unknown): string | undefined {
  if (answer.statusCode === 400) return undefined;
  if (answer.statusCode !== 200) return `status ${answer.statusCode}: ${JSON.stringify(answer.body)}`;
  const response = responseOf(answer.body);
  const uid = (body as { request?: { uid?: unknown } }).request?.uid;
  if (response.uid !== uid) return `uid ${JSON.stringify(response.uid)} instead of ${JSON.stringify(uid)}`;
  if (typeof response.allowed !== 'boolean') return 'allowed is not a boolean';
  return undefined;
}

t.test('arbitrary JSON never crashes a review', async (t) => {
  const reviewer = createTestReviewer(await loadExampleState());
  await fc.assert(
    fc.asyncProperty(hostileJsonArbitrary, fc.constantFrom('validate' as const, 'mutate' as const), async (body, endpoint) => {
      const answer = await reviewer.review(body, endpoint);
      const problem = problemOf(answer, body);
      if (problem) throw new Error(problem);
    }),
    { numRuns: RUNS },
  );
  t.pass('every response is a 400 or a decision');
});

t.test('one hostile field never crashes a review', async (t) => {
  const reviewer = createTestReviewer(await loadExampleState());
  const cases = fc
    .tuple(fc.nat(TEMPLATES.length - 1), fc.nat(), hostileJsonArbitrary, fc.constantFrom('validate' as const, 'mutate' as const))
    .map(([template, pick, replacement, endpoint]) => {
      const review = TEMPLATES[template]!();
      const paths = pathsOf(review).filter((path) => path.length > 0);
      const path = paths[pick % paths.length]!;
      return { body: replaceAt(review, path, replacement), path: path.join('.'), endpoint };
    });
  await fc.assert(
    fc.asyncProperty(cases, async ({ body, path, endpoint }) => {
      const answer = await reviewer.review(body, endpoint);
      const problem = problemOf(answer, body);
      if (problem) throw new Error(`${endpoint} with a hostile ${path}: ${problem}`);
    }),
    { numRuns: RUNS * 3 },
  );
  t.pass('every response is a 400 or a decision');
});
