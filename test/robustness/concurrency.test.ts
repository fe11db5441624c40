// 1,000 concurrent HTTPS connections, each with its own TLS handshake and
// no keep-alive, mixing valid and invalid reviews. Every response must be the
// one a lone request gets, and the heap must settle back to its level.
import t from 'tap';
import { httpsPost, settledHeapUsed, startHostileServer, type HttpsReply } from '../helpers/hostile.js';
import { exampleReview, loadExampleState, nextUid, responseOf, workloadReview, type AdmissionReviewBody } from '../helpers/reviews.js';

const CONNECTIONS = 1000;
const VALIDATE = '/validate?timeout=10s';

type Kind = 'allowed' | 'denied' | 'bad-request' | 'invalid-json' | 'not-a-review';

interface Exchange {
  kind: Kind;
  uid?: string;
  payload: string;
}

/** Builds request `index` of a round: five kinds in turn. */
function exchange(index: number): Exchange {
  const kinds: Kind[] = ['allowed', 'denied', 'bad-request', 'invalid-json', 'not-a-review'];
  const kind = kinds[index % kinds.length]!;
  let review: AdmissionReviewBody;
  switch (kind) {
    case 'allowed':
      review = exampleReview('pod-create-shop.json');
      review.request.uid = nextUid();
      break;
    case 'denied':
      review = workloadReview('Deployment', { namespace: 'legacy', name: `batch-${index}`, podLabels: { app: `batch-${index}` } });
      break;
    case 'bad-request':
      review = workloadReview('Deployment', { namespace: 'legacy', name: `batch-${index}`, podLabels: { app: 'batch' }, operation: 'UPDATE' });
      review.request.oldObject = null;
      break;
    case 'invalid-json':
      return { kind, payload: '{"apiVersion": "admission.k8s.io/v1", "kind": ' };
    case 'not-a-review':
      return { kind, payload: '[{"kind":"AdmissionReview"}]' };
  }
  return { kind, uid: review.request.uid, payload: JSON.stringify(review) };
}

/** Returns a description of how `reply` differs from what a lone request of this kind gets, or undefined when it matches. */
function mismatch(entry: Exchange, reply: HttpsReply): string | undefined {
  const describe = (problem: string): string => `${entry.kind} ${entry.uid ?? ''}: ${problem}: ${reply.statusCode} ${reply.body.slice(0, 200)}`;
  if (entry.kind === 'invalid-json') {
    return reply.statusCode === 400 && reply.body === '{"code":400,"message":"request body is not valid JSON"}' ? undefined : describe('wrong error');
  }
  if (entry.kind === 'not-a-review') {
    const expected = '{"code":400,"message":"invalid AdmissionReview: body must be a JSON object of kind AdmissionReview"}';
    return reply.statusCode === 400 && reply.body === expected ? undefined : describe('wrong error');
  }
  if (reply.statusCode !== 200) return describe('status');
  const response = responseOf(JSON.parse(reply.body));
  if (response.uid !== entry.uid) return describe('uid');
  if (entry.kind === 'allowed') return response.allowed === true && response.status === undefined ? undefined : describe('not allowed');
  if (entry.kind === 'denied') {
    return response.allowed === false && response.status?.code === 403 && response.status.message.startsWith('default-deny: namespace "legacy"')
      ? undefined
      : describe('not denied by default-deny');
  }
  return response.allowed === false && response.status?.code === 400 && response.status.message === 'request.oldObject is missing; UPDATE requests carry the stored object'
    ? undefined
    : describe('not a bad request');
}

t.test('1,000 concurrent connections are all answered correctly', async (t) => {
  const server = await startHostileServer(t, { state: { store: await loadExampleState() } });

  const round = async (count: number): Promise<{ problems: string[]; errors: string[]; counts: Record<Kind, number> }> => {
    const entries = Array.from({ length: count }, (_, index) => exchange(index));
    const settled = await Promise.allSettled(entries.map((entry) => httpsPost(server.port, VALIDATE, entry.payload)));
    const problems: string[] = [];
    const errors: string[] = [];
    const counts: Record<Kind, number> = { allowed: 0, denied: 0, 'bad-request': 0, 'invalid-json': 0, 'not-a-review': 0 };
    settled.forEach((result, index) => {
      const entry = entries[index]!;
      if (result.status === 'rejected') {
        errors.push(`${entry.kind}: ${(result.reason as Error).message}`);
        return;
      }
      const problem = mismatch(entry, result.value);
      if (problem) problems.push(problem);
      else counts[entry.kind]++;
    });
    return { problems, errors, counts };
  };

  // A smaller warm-up round compiles the code paths and fills lazy caches before the heap is measured.
  const warmUp = await round(100);
  t.strictSame(warmUp.errors, [], 'warm-up: no connection errors');
  const before = await settledHeapUsed();

  const { problems, errors, counts } = await round(CONNECTIONS);
  t.strictSame(errors, [], 'no connection errors');
  t.strictSame(problems, [], 'every answer matches the answer to a lone request');
  t.strictSame(counts, { allowed: 200, denied: 200, 'bad-request': 200, 'invalid-json': 200, 'not-a-review': 200 }, 'answers by kind');

  const after = await settledHeapUsed();
  t.ok(after <= before * 1.1, `heap after the burst is ${after} bytes, within 10% of ${before}`);
});
