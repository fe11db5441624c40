import t from 'tap';
import { resourcePath } from '../../src/cluster/reflector.js';
import { kubeDnsObjects, namespace, networkPolicy, pod, startHarness, waitFor, waitForReady, waitForWatches } from './cluster-harness.js';

const INFORMERS = [
  'namespaces',
  'networkpolicies',
  'pods',
  'deployments',
  'replicasets',
  'statefulsets',
  'daemonsets',
  'jobs',
  'cronjobs',
  'replicationcontrollers',
  'services kube-system/kube-dns',
  'endpointslices kube-system/kube-dns',
  'services openshift-dns/dns-default',
  'endpointslices openshift-dns/dns-default',
];

t.test('informers sync every resource into the store', async (t) => {
  const harness = await startHarness(t, {
    server: {
      objects: [
        namespace('shop'),
        pod('shop', 'cart-1', { app: 'cart' }, [{ name: 'http', containerPort: 8080 }]),
        networkPolicy('shop', 'deny', { podSelector: {}, policyTypes: ['Ingress'] }),
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { namespace: 'shop', name: 'cart' },
          spec: { selector: { matchLabels: { app: 'cart' } }, template: { metadata: { labels: { app: 'cart' } }, spec: { containers: [] } } },
        },
        ...kubeDnsObjects(),
      ],
    },
  });
  const state = await harness.start();
  await waitForReady(state);

  t.same(state.statuses().map((status) => status.name), INFORMERS);
  t.equal(state.statuses().every((status) => status.synced), true);
  t.same(state.health(), { ready: true, ageSeconds: 0 });
  t.same(state.store.namespace('shop')?.labels, { 'kubernetes.io/metadata.name': 'shop' });
  t.equal(state.store.policy('shop', 'deny')?.name, 'deny');
  t.same(state.store.counts(), { namespaces: 6, networkPolicies: 1, invalidNetworkPolicies: 0, workloads: 1, pods: 2 });
  const synced = harness.lines.filter((line) => line.msg === 'informer synced').map((line) => line.informer);
  t.same([...synced].sort(), [...INFORMERS].sort());
});

t.test('informers follow watch events', async (t) => {
  const harness = await startHarness(t);
  const state = await harness.start();
  await waitForReady(state);

  harness.server.put(namespace('blog'));
  harness.server.put(pod('blog', 'web-1', { app: 'web' }));
  await waitFor(state, 'pod blog/web-1', () => state.store.podsIn('blog').length === 1);

  harness.server.remove('Pod', 'blog', 'web-1');
  await waitFor(state, 'pod blog/web-1 removed', () => state.store.podsIn('blog').length === 0);
  t.equal(state.store.namespace('blog')?.name, 'blog');
});

t.test('dropped watches resume from the last resourceVersion', async (t) => {
  const harness = await startHarness(t);
  const state = await harness.start();
  await waitForWatches(state);
  const listsBefore = harness.server.requests.filter((request) => request.verb === 'list').length;

  const resumed = harness.server.nextRequest((request) => request.verb === 'watch' && request.resource === 'namespaces');
  harness.server.dropWatches();
  const request = await resumed;
  harness.server.put(namespace('after-drop'));
  await waitFor(state, 'namespace after-drop', () => state.store.namespace('after-drop') !== undefined);

  t.not(request.query.resourceVersion, '', 'the watch resumes from a resourceVersion');
  t.equal(harness.server.requests.filter((entry) => entry.verb === 'list').length, listsBefore, 'no relist');
  t.ok(harness.lines.some((line) => line.msg === 'watch restarted' && line.informer === 'namespaces' && line.reason === 'watch closed by the server'));
  t.equal(state.health().ready, true);
});

t.test('expired resourceVersion relists and drops deleted objects', async (t) => {
  const harness = await startHarness(t, { server: { objects: [namespace('old')] } });
  const state = await harness.start();
  await waitForWatches(state);

  // Changes made while no watch is open, then history compaction: only a relist can show them.
  await harness.server.stop();
  harness.server.remove('Namespace', undefined, 'old');
  harness.server.put(namespace('new'));
  harness.server.expireHistory();
  await harness.server.listen();

  await waitFor(state, 'the relist after 410', () => state.store.namespace('new') !== undefined && state.store.namespace('old') === undefined);
  const relisted = harness.lines.find((line) => line.msg === 'informer relisted' && line.informer === 'namespaces');
  t.equal(relisted?.removed, 1);
  t.ok(harness.lines.some((line) => line.informer === 'namespaces' && /expired/.test(line.msg)));
  await waitForReady(state);
  t.equal(state.health().ready, true);
});

t.test('API server down at start, then back without a restart', async (t) => {
  const harness = await startHarness(t);
  await harness.server.stop();
  const state = await harness.start();

  await waitFor(state, 'a failed list', () => state.statuses().every((status) => status.failures > 0));
  const health = state.health();
  t.equal(health.ready, false);
  t.match(health.reason, /^the cluster state is not synced yet: waiting for the first list of namespaces, networkpolicies, pods/);
  t.ok(harness.lines.some((line) => line.msg === 'list failed; retrying' && line.informer === 'namespaces' && /ECONNREFUSED/.test(String(line.reason))));

  await harness.server.listen();
  await waitForReady(state);
  t.equal(state.health().ready, true);
});

t.test('state older than maxAgeSeconds is not ready', async (t) => {
  const harness = await startHarness(t, { config: (config) => (config.state.maxAgeSeconds = 0) });
  const state = await harness.start();
  await waitForWatches(state);

  await harness.server.stop();
  await waitFor(state, 'a watch down', () => state.statuses().some((status) => status.staleSince !== undefined));
  // With a limit of 0 s any measurable age is too old; wait for the clock to move past it.
  await waitFor(state, 'the state to age', () => state.health().ageSeconds > 0);
  const health = state.health();
  t.equal(health.ready, false);
  t.match(health.reason, /^the cluster state is \d+ s old, over the limit of 0 s \(state\.maxAgeSeconds\): the watch of .* is down$/);

  await harness.server.listen();
  await waitForReady(state);
});

t.test('resourcePath builds list and watch paths', async (t) => {
  t.equal(resourcePath({ group: '', version: 'v1', resource: 'pods', kind: 'Pod' }), '/api/v1/pods');
  t.equal(resourcePath({ group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment' }), '/apis/apps/v1/deployments');
  t.equal(resourcePath({ group: '', version: 'v1', resource: 'services', kind: 'Service', namespace: 'kube-system' }), '/api/v1/namespaces/kube-system/services');
});

t.test('DNS informers are off without discovery', async (t) => {
  const harness = await startHarness(t, { config: (config) => (config.dns.discover = false) });
  const state = await harness.start();
  await waitForReady(state);

  t.equal(state.statuses().length, 10);
  t.equal(state.statuses().some((status) => status.name.startsWith('services')), false);
  t.same(state.dnsTargets(), harness.config.dns.targets);
});
