import t from 'tap';
import { StateStore } from '../../src/state/store.js';
import { serverSideApply } from '../../src/cluster/apply.js';
import { loadKubeConfig, makeClients } from '../../src/cluster/kube-client.js';
import { BaselineReconciler, needsBaseline, containsFields } from '../../src/cluster/reconciler.js';
import { namespaceFacts } from '../../src/state/objects.js';
import { WebhookMetrics } from '../../src/server/metrics.js';
import type { RequestRecord } from '../helpers/kube-api-server.js';
import { FAST_TIMING, namespace, startHarness, testConfig, waitFor, waitForReady } from './cluster-harness.js';

const BASELINE = { 'netpol-guard.io/baseline': 'enabled' };
const NOW = new Date('2026-01-15T12:00:00Z');

function isApply(request: RequestRecord, namespaceName: string): boolean {
  return request.method === 'PATCH' && request.resource === 'networkpolicies' && request.namespace === namespaceName;
}

t.test('needsBaseline decides per namespace', async (t) => {
  const cases: Array<{ name: string; labels?: Record<string, string>; annotations?: Record<string, string>; applyToExisting: boolean; terminating?: boolean; expected: boolean }> = [
    { name: 'shop', labels: BASELINE, applyToExisting: false, expected: true },
    { name: 'shop', applyToExisting: false, expected: false },
    { name: 'shop', applyToExisting: true, expected: true },
    { name: 'shop', labels: BASELINE, applyToExisting: false, terminating: true, expected: false },
    { name: 'kube-system', applyToExisting: true, expected: false },
    { name: 'netpol-guard', applyToExisting: true, expected: false },
    { name: 'legacy', labels: { 'netpol-guard.io/baseline': 'disabled' }, applyToExisting: true, expected: false },
    {
      name: 'legacy',
      annotations: { 'netpol-guard.io/exempt': 'default-deny', 'netpol-guard.io/exempt-reason': 'migration' },
      applyToExisting: true,
      expected: false,
    },
    {
      name: 'legacy',
      annotations: { 'netpol-guard.io/exempt': 'default-deny', 'netpol-guard.io/exempt-reason': 'migration', 'netpol-guard.io/exempt-until': '2025-01-01' },
      applyToExisting: true,
      expected: true,
    },
    { name: 'legacy', annotations: { 'netpol-guard.io/exempt': 'dns-egress', 'netpol-guard.io/exempt-reason': 'resolver' }, applyToExisting: true, expected: true },
  ];
  for (const entry of cases) {
    const config = testConfig((config) => (config.baseline.applyToExisting = entry.applyToExisting));
    const facts = namespaceFacts(namespace(entry.name, entry.labels, entry.annotations));
    if (entry.terminating) facts.terminating = true;
    t.equal(needsBaseline(facts, config, NOW), entry.expected, JSON.stringify(entry));
  }
});

t.test('containsFields ignores server defaults', async (t) => {
  t.equal(containsFields({ a: 1, b: { c: [1, 2] }, defaulted: 'x' }, { a: 1, b: { c: [1, 2] } }), true);
  t.equal(containsFields({ ports: [{ port: 53, protocol: 'UDP' }] }, { ports: [{ port: 53 }] }), true);
  t.equal(containsFields({ ports: [{ port: 53 }, { port: 54 }] }, { ports: [{ port: 53 }] }), false);
  t.equal(containsFields({ a: 2 }, { a: 1 }), false);
  t.equal(containsFields(undefined, { a: 1 }), false);
});

t.test('labelled namespace gets its baseline by server-side apply', async (t) => {
  const harness = await startHarness(t);
  const state = await harness.start();
  await waitFor(state, 'the reconciler to be active', () => state.reconciler.isActive);

  harness.server.put(namespace('shop', BASELINE));
  await waitFor(state, 'baseline policies in shop', () => state.store.policiesIn('shop').length === 2);

  const applies = harness.server.requests.filter((request) => isApply(request, 'shop'));
  t.same(
    applies.map((request) => ({ path: request.path, contentType: request.contentType, query: request.query, status: request.status })),
    ['default-deny-all', 'allow-dns-egress'].map((name) => ({
      path: `/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies/${name}`,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: 'netpol-guard', force: 'true' },
      status: 201,
    })),
  );
  const stored = harness.server.get('NetworkPolicy', 'shop', 'default-deny-all');
  t.same(stored?.metadata.labels, { 'app.kubernetes.io/managed-by': 'netpol-guard' });
  t.same(stored?.spec, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  t.same(
    stored?.metadata.managedFields?.map((entry) => ({ manager: entry.manager, operation: entry.operation })),
    [{ manager: 'netpol-guard', operation: 'Apply' }],
  );
  t.ok(harness.lines.some((line) => line.msg === 'baseline policies applied' && line.namespace === 'shop'));
});

t.test('deleted baseline policy is restored', async (t) => {
  const harness = await startHarness(t, { server: { objects: [namespace('shop', BASELINE)] } });
  const state = await harness.start();
  await waitFor(state, 'baseline policies in shop', () => state.store.policiesIn('shop').length === 2);

  const reapplied = harness.server.nextRequest((request) => isApply(request, 'shop') && request.name === 'default-deny-all');
  harness.server.remove('NetworkPolicy', 'shop', 'default-deny-all');
  const request = await reapplied;
  await waitFor(state, 'default-deny-all restored', () => state.store.policy('shop', 'default-deny-all') !== undefined);

  t.equal(request.status, 201);
  t.same(harness.server.get('NetworkPolicy', 'shop', 'default-deny-all')?.spec, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  t.ok(harness.lines.some((line) => line.msg === 'baseline policy deleted; restoring it' && line.policy === 'default-deny-all'));
});

t.test('edited baseline policy is restored', async (t) => {
  const harness = await startHarness(t, { server: { objects: [namespace('shop', BASELINE)] } });
  const state = await harness.start();
  await waitFor(state, 'baseline policies in shop', () => state.store.policiesIn('shop').length === 2);

  const stored = harness.server.get('NetworkPolicy', 'shop', 'default-deny-all')!;
  const reapplied = harness.server.nextRequest((request) => isApply(request, 'shop') && request.name === 'default-deny-all');
  harness.server.put({ ...stored, spec: { podSelector: {}, policyTypes: ['Ingress'] } });
  await reapplied;
  await waitFor(state, 'the Egress type restored', () => state.store.policy('shop', 'default-deny-all')?.policyTypes.has('Egress') === true);

  t.same(harness.server.get('NetworkPolicy', 'shop', 'default-deny-all')?.spec, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  t.ok(harness.lines.some((line) => line.msg === 'baseline policy changed; restoring it' && line.policy === 'default-deny-all'));
});

t.test('applyToExisting covers namespaces that are not exempt', async (t) => {
  const harness = await startHarness(t, {
    server: {
      objects: [
        namespace('shop'),
        namespace('legacy', { 'netpol-guard.io/baseline': 'disabled' }),
        namespace('lab', {}, { 'netpol-guard.io/exempt': 'all', 'netpol-guard.io/exempt-reason': 'experiments' }),
      ],
    },
    config: (config) => (config.baseline.applyToExisting = true),
  });
  const state = await harness.start();
  await waitFor(state, 'baseline policies in shop and default', () => state.store.policiesIn('shop').length === 2 && state.store.policiesIn('default').length === 2);

  const namespaces = [...new Set(harness.server.list('NetworkPolicy').map((policy) => policy.metadata.namespace))].sort();
  t.same(namespaces, ['default', 'shop']);
});

t.test('failed apply is retried with backoff and counted', async (t) => {
  const metrics = new WebhookMetrics();
  const harness = await startHarness(t);
  const allow = harness.server.forbid((attributes) => attributes.resource === 'networkpolicies' && attributes.verb === 'patch');
  const state = await harness.start({ metrics });
  await waitFor(state, 'the reconciler to be active', () => state.reconciler.isActive);

  // The forbid check runs before the request's first await, so an attempt seen here is already refused.
  const firstAttempt = harness.server.nextRequest((request) => isApply(request, 'shop'));
  harness.server.put(namespace('shop', BASELINE));
  await firstAttempt;
  await harness.server.nextRequest((request) => isApply(request, 'shop'));
  allow();
  await waitFor(state, 'baseline policies in shop', () => state.store.policiesIn('shop').length === 2);

  const counts = Object.fromEntries((await metrics.baselineApplies.get()).values.map((value) => [value.labels.result, value.value]));
  t.same(counts, { failure: 2, success: 1 });
  t.same(
    harness.server.requests.filter((request) => isApply(request, 'shop')).map((request) => [request.name, request.status]),
    [
      ['default-deny-all', 403],
      ['default-deny-all', 403],
      ['default-deny-all', 201],
      ['allow-dns-egress', 201],
    ],
  );
  t.ok(harness.lines.some((line) => line.msg === 'baseline apply failed; retrying' && line.namespace === 'shop' && /^HTTP 403/.test(String(line.reason))));
});

t.test('deleted or terminating namespace is skipped without errors', async (t) => {
  const metrics = new WebhookMetrics();
  const harness = await startHarness(t);
  const config = testConfig();
  const store = new StateStore();
  const reconciler = new BaselineReconciler({
    store,
    config,
    logger: harness.logger,
    apply: serverSideApply(makeClients(loadKubeConfig(harness.server.kubeconfigPath)).networking),
    dnsTargets: () => config.dns.targets,
    backoff: FAST_TIMING.backoff,
    metrics,
  });
  reconciler.setActive(true);

  // The store still shows a namespace the API server already deleted: the apply gets 404.
  store.putNamespace(namespace('ghost', BASELINE));
  t.equal(await reconciler.applyNow('ghost'), 'skipped');

  const terminating = namespace('closing', BASELINE);
  terminating.metadata.deletionTimestamp = '2026-01-15T12:00:00Z';
  store.putNamespace(terminating);
  const writesBefore = harness.server.requests.filter((request) => request.method === 'PATCH').length;
  t.equal(await reconciler.applyNow('closing'), 'skipped');
  t.equal(await reconciler.applyNow('never-seen'), 'skipped');

  t.equal(harness.server.requests.filter((request) => request.method === 'PATCH').length, writesBefore, 'no write for a terminating namespace');
  t.same((await metrics.baselineApplies.get()).values, []);
  t.notOk(harness.lines.some((line) => line.level >= 40), 'nothing logged at warn or above');
  reconciler.setActive(false);
});

t.test('namespace deleted while its baseline is pending raises no error', async (t) => {
  const harness = await startHarness(t, { server: { objects: [namespace('shop', BASELINE)] } });
  const state = await harness.start();
  await waitFor(state, 'baseline policies in shop', () => state.store.policiesIn('shop').length === 2);

  harness.server.remove('Namespace', undefined, 'shop');
  await waitFor(state, 'namespace shop removed', () => state.store.namespace('shop') === undefined);
  await waitForReady(state);
  t.notOk(harness.lines.some((line) => line.level >= 40), 'nothing logged at warn or above');
  t.equal(harness.server.requests.filter((request) => isApply(request, 'shop')).length, 2, 'no apply after the deletion');
});
