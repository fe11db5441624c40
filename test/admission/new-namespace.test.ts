import t from 'tap';
import { StateStore } from '../../src/state/store.js';
import type { BaselineCoordinator } from '../../src/admission/reviewer.js';
import { createTestReviewer, loadExampleState, responseOf, workloadReview } from '../helpers/reviews.js';

// A namespace the informers have not delivered yet: `kubectl apply` of a file
// with the namespace and its workloads sends them faster than the watch.
const NEW_NAMESPACE = 'team-new';

t.test('unknown namespace with informer state', async (t) => {
  const state = await loadExampleState();
  const reviewer = createTestReviewer(state, { assumeBaselineForUnknownNamespaces: true });

  const answer = await reviewer.review(
    workloadReview('Deployment', { namespace: NEW_NAMESPACE, name: 'api', podLabels: { app: 'api' } }),
    'validate',
  );

  t.equal(answer.statusCode, 200);
  t.equal(responseOf(answer.body).allowed, true, 'judged by the baseline the namespace is about to get');
});

t.test('unknown namespace with file state', async (t) => {
  const state = await loadExampleState();
  const reviewer = createTestReviewer(state);

  const answer = await reviewer.review(
    workloadReview('Deployment', { namespace: NEW_NAMESPACE, name: 'api', podLabels: { app: 'api' } }),
    'validate',
  );

  t.equal(responseOf(answer.body).allowed, false, 'files describe the whole state, so no baseline is assumed');
  t.match(responseOf(answer.body).status?.message, /^default-deny: namespace "team-new" has no default-deny/);
});

t.test('unknown exempt namespace gets no assumed baseline', async (t) => {
  const reviewer = createTestReviewer(new StateStore(), { assumeBaselineForUnknownNamespaces: true });
  const calls: string[] = [];
  const baseline: BaselineCoordinator = {
    ensure: async (namespace) => {
      calls.push(namespace);
      return true;
    },
  };
  const withBaseline = createTestReviewer(new StateStore(), { assumeBaselineForUnknownNamespaces: true, baseline });

  const deployment = await reviewer.review(
    workloadReview('Deployment', { namespace: 'kube-system', name: 'dns', podLabels: { app: 'dns' } }),
    'validate',
  );
  const pod = await withBaseline.review(
    workloadReview('Pod', { namespace: 'kube-system', name: 'dns-1', podLabels: { app: 'dns' } }),
    'validate',
  );

  t.equal(responseOf(deployment.body).allowed, true);
  t.equal(responseOf(pod.body).allowed, true);
  t.same(calls, [], 'no baseline is requested for a statically exempt namespace');
});

t.test('pod in unknown namespace waits for its baseline', async (t) => {
  const calls: string[] = [];
  const baseline: BaselineCoordinator = {
    ensure: async (namespace) => {
      calls.push(namespace);
      return false;
    },
  };
  const reviewer = createTestReviewer(new StateStore(), { assumeBaselineForUnknownNamespaces: true, baseline });

  const answer = await reviewer.review(
    workloadReview('Pod', { namespace: NEW_NAMESPACE, name: 'api-1', podLabels: { app: 'api' } }),
    'validate',
  );

  t.same(calls, [NEW_NAMESPACE]);
  t.equal(responseOf(answer.body).allowed, false);
  t.match(responseOf(answer.body).status?.message, /still being applied; the pod is not admitted before them, retry/);
});
