import t from 'tap';
import { Reviewer } from '../../src/admission/reviewer.js';
import { LEASE_NAME } from '../../src/cluster/leader.js';
import type { ClusterState } from '../../src/cluster/runtime.js';
import type { Config } from '../../src/config/types.js';
import { workloadReview, type AdmissionResponseBody } from '../helpers/reviews.js';
import { microTime } from '../../src/cluster/leader.js';
import { WEBHOOK_NAMESPACE, namespace, startHarness, waitFor, waitForReady, waitForWatches, type Harness } from './cluster-harness.js';

const BASELINE = { 'netpol-guard.io/baseline': 'enabled' };

function reviewerFor(state: ClusterState, config: Config, harness: Harness): Reviewer {
  return new Reviewer({
    state: state.store,
    config,
    logger: harness.logger,
    health: () => state.health(),
    dnsTargets: () => state.dnsTargets(),
    baseline: state.baseline,
    rbacApprover: state.rbacApprover,
  });
}

function podCreate(namespaceName: string, dryRun = false): unknown {
  const review = workloadReview('Pod', { namespace: namespaceName, name: 'web-1', podLabels: { app: 'web' } });
  review.request.dryRun = dryRun;
  return review;
}

function responseOf(body: unknown): AdmissionResponseBody {
  return (body as { response: AdmissionResponseBody }).response;
}

/** Builds a Lease held by another replica and renewed now, so the replica under test stays a follower. */
function foreignLease(): Parameters<Harness['server']['put']>[0] {
  const now = microTime(new Date());
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { namespace: WEBHOOK_NAMESPACE, name: LEASE_NAME },
    spec: { holderIdentity: 'other-replica', leaseDurationSeconds: 3600, acquireTime: now, renewTime: now, leaseTransitions: 0 },
  };
}

t.test('Pod CREATE waits for the baseline applied with its namespace', async (t) => {
  const harness = await startHarness(t);
  const allow = harness.server.forbid((attributes) => attributes.resource === 'networkpolicies' && attributes.verb === 'patch');
  const state = await harness.start();
  await waitFor(state, 'the reconciler to be active', () => state.reconciler.isActive);
  const reviewer = reviewerFor(state, harness.config, harness);

  harness.server.put(namespace('shop', BASELINE));
  await waitFor(state, 'namespace shop', () => state.store.namespace('shop') !== undefined);
  t.same(state.store.policiesIn('shop'), [], 'the baseline is pending');

  // The review starts while applies are refused, then the API server accepts them.
  const answer = reviewer.review(podCreate('shop'), 'validate');
  await harness.server.nextRequest((request) => request.method === 'PATCH' && request.namespace === 'shop');
  allow();
  const { statusCode, body } = await answer;

  t.equal(statusCode, 200);
  t.equal(responseOf(body).allowed, true);
  t.same(
    state.store.policiesIn('shop').map((policy) => policy.name),
    ['allow-dns-egress', 'default-deny-all'],
    'decided with the policies stored by the API server',
  );
  t.ok(harness.lines.some((line) => line.msg === 'baseline pending; applying it before admitting the pod'));
});

t.test('Pod CREATE is denied when the baseline does not appear in time', async (t) => {
  const harness = await startHarness(t, {
    server: { objects: [foreignLease()] },
    config: (config) => (config.baseline.podWaitMs = 50),
  });
  const state = await harness.start();
  await waitForReady(state);
  harness.server.put(namespace('shop', BASELINE));
  await waitFor(state, 'namespace shop', () => state.store.namespace('shop') !== undefined);

  const { statusCode, body } = await reviewerFor(state, harness.config, harness).review(podCreate('shop'), 'validate');

  t.equal(statusCode, 200);
  t.equal(responseOf(body).allowed, false);
  t.match(responseOf(body).status?.message, /baseline NetworkPolicies of namespace "shop" are still being applied; .*retry in a few seconds/);
  t.equal(state.leader.isLeader, false);
});

t.test('dry-run Pod CREATE in a pending namespace writes nothing', async (t) => {
  const harness = await startHarness(t, { server: { objects: [foreignLease()] } });
  const state = await harness.start();
  await waitForReady(state);
  harness.server.put(namespace('shop', BASELINE));
  await waitFor(state, 'namespace shop', () => state.store.namespace('shop') !== undefined);

  const { statusCode, body } = await reviewerFor(state, harness.config, harness).review(podCreate('shop', true), 'validate');

  t.equal(statusCode, 200);
  t.equal(responseOf(body).allowed, true, 'decided as if the baseline were present');
  const writes = harness.server.requests.filter((request) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(request.method) && request.resource !== 'leases');
  t.same(writes, []);
  t.same(state.store.policiesIn('shop'), []);
});

t.test('stale state fails reviews with HTTP 500', async (t) => {
  const harness = await startHarness(t, { config: (config) => (config.state.maxAgeSeconds = 0) });
  const state = await harness.start();
  await waitForWatches(state);
  const reviewer = reviewerFor(state, harness.config, harness);

  await harness.server.stop();
  await waitFor(state, 'the state to age', () => state.health().ageSeconds > 0);
  const { statusCode, body } = await reviewer.review(podCreate('default'), 'validate');

  t.equal(statusCode, 500);
  t.match(body, {
    code: 500,
    message: /^netpol-guard cannot decide: the cluster state is \d+ s old, over the limit of 0 s \(state\.maxAgeSeconds\): the watch of .+ is down; the webhook's failurePolicy applies$/,
  });
});

t.test('unsynced state fails reviews with HTTP 500', async (t) => {
  const harness = await startHarness(t);
  await harness.server.stop();
  const state = await harness.start();

  const { statusCode, body } = await reviewerFor(state, harness.config, harness).review(podCreate('default'), 'validate');

  t.equal(statusCode, 500);
  t.match(body, { code: 500, message: /^netpol-guard cannot decide: the cluster state is not synced yet: waiting for the first list of namespaces, / });
});
