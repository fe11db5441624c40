// Runs @kubernetes/client-node 1.x for real, through a kubeconfig file,
// against the test API server in test/helpers/kube-api-server.ts.
import {
  ApiException,
  AppsV1Api,
  AuthorizationV1Api,
  CoordinationV1Api,
  CoreV1Api,
  KubernetesObjectApi,
  NetworkingV1Api,
  PatchStrategy,
  Watch,
  makeInformer,
  type KubeConfig,
  type ListWatch,
  type KubernetesObject,
  type V1NetworkPolicy,
  type V1Pod,
} from '@kubernetes/client-node';
import t from 'tap';
import { createCertificateAuthority, createServingCertificate } from '../../src/tls/certificates.js';
import {
  NAMESPACE_NAME_LABEL,
  startKubeApiServer,
  type KubeApiServer,
  type KubeApiServerOptions,
  type KubeObject,
  type RequestRecord,
} from '../helpers/kube-api-server.js';

/** The part of a tap test these helpers use. */
interface Test {
  teardown(fn: () => unknown): void;
}

async function startServer(test: Test, options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const server = await startKubeApiServer(options);
  test.teardown(() => server.close());
  return server;
}

function podObject(namespace: string, name: string, labels: Record<string, string> = {}): V1Pod & KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] },
  };
}

function denyAllPolicy(namespace: string, name = 'default-deny'): V1NetworkPolicy & KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  };
}

/** Returns the Status body of a failed client call. */
async function statusOf(call: Promise<unknown>): Promise<{ code: number; reason: string; message: string }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ApiException) {
      const body = JSON.parse(error.body as string) as { code: number; reason: string; message: string };
      return { code: body.code, reason: body.reason, message: body.message };
    }
    throw error;
  }
  throw new Error('expected the call to fail with an API error');
}

type Verb = 'add' | 'update' | 'delete';

interface RunningInformer<T extends KubernetesObject> {
  informer: ListWatch<T>;
  /** Resolves with the next object passed to `verb` whose name is `name`. */
  next(verb: Verb, name: string): Promise<T>;
  errors: unknown[];
  /** Resolves with the next error passed to the informer's error callback. */
  nextError(): Promise<unknown>;
}

/**
 * Starts an informer whose error handler restarts it after a short delay,
 * which is what an application is expected to do, and stops it at teardown.
 */
async function runInformer<T extends KubernetesObject>(
  test: Test,
  config: KubeConfig,
  path: string,
  list: () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>,
  restartDelayMs = 10,
): Promise<RunningInformer<T>> {
  // makeInformer returns a ListWatch typed as its interfaces, and the cast exposes latestResourceVersion.
  const informer = makeInformer<T>(config, path, list as never) as unknown as ListWatch<T>;
  const errors: unknown[] = [];
  const errorWaiters: ((error: unknown) => void)[] = [];
  let stopped = false;
  informer.on('error', (error: unknown) => {
    if (stopped) {
      return;
    }
    errors.push(error);
    errorWaiters.splice(0).forEach((resolve) => resolve(error));
    setTimeout(() => {
      if (!stopped) {
        void informer.start();
      }
    }, restartDelayMs);
  });
  test.teardown(async () => {
    stopped = true;
    await informer.stop();
  });
  await informer.start();
  return {
    informer,
    errors,
    next: (verb, name) =>
      new Promise((resolve) => {
        const listener = (object: T): void => {
          if (object.metadata?.name === name) {
            informer.off(verb, listener);
            resolve(object);
          }
        };
        informer.on(verb, listener);
      }),
    nextError: () => new Promise((resolve) => errorWaiters.push(resolve)),
  };
}

interface WatchedEvent {
  type: string;
  object: { kind?: string; code?: number; reason?: string; metadata?: { name?: string; resourceVersion?: string } };
}

/** Opens a raw watch with the client's Watch class and collects its events. */
async function openWatch(test: Test, config: KubeConfig, path: string, query: Record<string, string>) {
  const events: WatchedEvent[] = [];
  const waiters: { predicate: (event: WatchedEvent) => boolean; resolve: (event: WatchedEvent) => void }[] = [];
  let resolveDone: (error: unknown) => void = () => undefined;
  const done = new Promise<unknown>((resolve) => {
    resolveDone = resolve;
  });
  const controller = await new Watch(config).watch(
    path,
    query,
    (type: string, object: WatchedEvent['object']) => {
      const event = { type, object };
      events.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(event)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    },
    (error: unknown) => resolveDone(error),
  );
  test.teardown(() => controller.abort());
  return {
    events,
    done,
    next: (predicate: (event: WatchedEvent) => boolean) =>
      new Promise<WatchedEvent>((resolve) => {
        const seen = events.find(predicate);
        if (seen === undefined) {
          waiters.push({ predicate, resolve });
        } else {
          resolve(seen);
        }
      }),
  };
}

function requestsSince(server: KubeApiServer, index: number): RequestRecord[] {
  return server.requests.slice(index);
}

t.test('list returns kind, resourceVersion and items', async (t) => {
  const server = await startServer(t);
  server.put(podObject('default', 'web-1', { app: 'web' }));
  server.put(podObject('default', 'db-1', { app: 'db' }));
  server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
  server.put(podObject('team-a', 'web-2', { app: 'web' }));
  const core = server.kubeConfig().makeApiClient(CoreV1Api);

  const namespaced = await core.listNamespacedPod({ namespace: 'default' });
  t.equal(namespaced.kind, 'PodList');
  t.equal(namespaced.apiVersion, 'v1');
  t.equal(namespaced.metadata?.resourceVersion, server.resourceVersion);
  t.same(
    namespaced.items.map((pod) => pod.metadata?.name),
    ['db-1', 'web-1'],
  );

  const everywhere = await core.listPodForAllNamespaces({ labelSelector: 'app=web' });
  t.same(
    everywhere.items.map((pod) => `${pod.metadata?.namespace}/${pod.metadata?.name}`),
    ['default/web-1', 'team-a/web-2'],
  );

  const byName = await core.listPodForAllNamespaces({ fieldSelector: 'metadata.name=db-1' });
  t.same(
    byName.items.map((pod) => pod.metadata?.name),
    ['db-1'],
  );

  const setBased = await core.listPodForAllNamespaces({ labelSelector: 'app in (db, cache),!legacy' });
  t.same(
    setBased.items.map((pod) => pod.metadata?.name),
    ['db-1'],
  );

  t.same(
    server.requests.map((entry) => `${entry.verb} ${entry.path}`),
    [
      'list /api/v1/namespaces/default/pods',
      'list /api/v1/pods',
      'list /api/v1/pods',
      'list /api/v1/pods',
    ],
  );
});

t.test('list rejects invalid selectors', async (t) => {
  const server = await startServer(t);
  const core = server.kubeConfig().makeApiClient(CoreV1Api);

  const field = await statusOf(core.listNamespacedPod({ namespace: 'default', fieldSelector: 'spec.priority=1' }));
  t.same(field, { code: 400, reason: 'BadRequest', message: 'field label not supported: spec.priority' });

  const label = await statusOf(core.listNamespacedPod({ namespace: 'default', labelSelector: 'tier>1' }));
  t.same(label, {
    code: 400,
    reason: 'BadRequest',
    message: 'unable to parse requirement: invalid label selector: "tier>1"',
  });
});

t.test('resourceVersion increases across kinds', async (t) => {
  const server = await startServer(t);
  const config = server.kubeConfig();
  const core = config.makeApiClient(CoreV1Api);
  const networking = config.makeApiClient(NetworkingV1Api);

  const pod = await core.createNamespacedPod({ namespace: 'default', body: podObject('default', 'a') });
  const policy = await networking.createNamespacedNetworkPolicy({ namespace: 'default', body: denyAllPolicy('default') });
  const pods = await core.listNamespacedPod({ namespace: 'default' });

  t.equal(Number(policy.metadata?.resourceVersion), Number(pod.metadata?.resourceVersion) + 1);
  t.equal(pods.metadata?.resourceVersion, policy.metadata?.resourceVersion);
});

t.test('create assigns server metadata', async (t) => {
  const now = new Date('2026-01-02T03:04:05.678Z');
  const server = await startServer(t, { now: () => now });
  const core = server.kubeConfig().makeApiClient(CoreV1Api);

  const namespace = await core.createNamespace({ body: { metadata: { name: 'team-b' } } });
  t.equal(namespace.metadata?.labels?.[NAMESPACE_NAME_LABEL], 'team-b');
  t.equal(namespace.status?.phase, 'Active');
  t.equal(namespace.metadata?.generation, 1);
  t.equal(namespace.metadata?.creationTimestamp?.toISOString(), '2026-01-02T03:04:05.000Z');
  t.match(namespace.metadata?.uid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);

  const generated = await core.createNamespacedPod({
    namespace: 'team-b',
    body: { metadata: { generateName: 'worker-' }, spec: { containers: [] }, status: { phase: 'Running' } },
  });
  t.match(generated.metadata?.name, /^worker-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  t.equal(generated.status?.phase, 'Pending', 'create ignores the status a client sends');
  t.equal(generated.metadata?.managedFields?.[0]?.operation, 'Update');
});

t.test('create with taken name returns 409 AlreadyExists', async (t) => {
  const server = await startServer(t);
  const core = server.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespacedPod({ namespace: 'default', body: podObject('default', 'a') });

  const status = await statusOf(core.createNamespacedPod({ namespace: 'default', body: podObject('default', 'a') }));
  t.same(status, { code: 409, reason: 'AlreadyExists', message: 'pods "a" already exists' });
});

t.test('create without name returns 422 Invalid', async (t) => {
  const server = await startServer(t);
  const networking = server.kubeConfig().makeApiClient(NetworkingV1Api);

  const status = await statusOf(
    networking.createNamespacedNetworkPolicy({ namespace: 'default', body: { spec: { podSelector: {} } } }),
  );
  t.same(status, {
    code: 422,
    reason: 'Invalid',
    message: 'NetworkPolicy "" is invalid: metadata.name: Required value: name or generateName is required',
  });
});

t.test('create in missing namespace returns 404 NotFound', async (t) => {
  const server = await startServer(t);
  const core = server.kubeConfig().makeApiClient(CoreV1Api);

  const status = await statusOf(core.createNamespacedPod({ namespace: 'ghost', body: podObject('ghost', 'a') }));
  t.same(status, { code: 404, reason: 'NotFound', message: 'namespaces "ghost" not found' });
});

t.test('get of missing object returns 404 NotFound', async (t) => {
  const server = await startServer(t);
  const networking = server.kubeConfig().makeApiClient(NetworkingV1Api);

  const status = await statusOf(networking.readNamespacedNetworkPolicy({ namespace: 'default', name: 'nope' }));
  t.same(status, { code: 404, reason: 'NotFound', message: 'networkpolicies.networking.k8s.io "nope" not found' });
});

t.test('forbid returns 403 Forbidden until lifted', async (t) => {
  const server = await startServer(t, { user: 'system:serviceaccount:netpol-guard:netpol-guard' });
  const core = server.kubeConfig().makeApiClient(CoreV1Api);
  const lift = server.forbid((request) => request.verb === 'list' && request.resource === 'pods');

  const status = await statusOf(core.listNamespacedPod({ namespace: 'default' }));
  t.same(status, {
    code: 403,
    reason: 'Forbidden',
    message:
      'pods is forbidden: User "system:serviceaccount:netpol-guard:netpol-guard" cannot list resource "pods" ' +
      'in API group "" in the namespace "default"',
  });
  const namespaces = await core.listNamespace();
  t.equal(namespaces.items.length, 4, 'other resources stay allowed');

  lift();
  const pods = await core.listNamespacedPod({ namespace: 'default' });
  t.same(pods.items, []);
});

t.test('wrong token returns 401 Unauthorized', async (t) => {
  const server = await startServer(t);
  const response = await fetch(`${server.url}/api/v1/namespaces`, { headers: { Authorization: 'Bearer wrong' } });

  t.equal(response.status, 401);
  t.same(await response.json(), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'Unauthorized',
    reason: 'Unauthorized',
    code: 401,
  });
});

t.test('lease update detects stale resourceVersion', async (t) => {
  const server = await startServer(t);
  const coordination = server.kubeConfig().makeApiClient(CoordinationV1Api);
  const created = await coordination.createNamespacedLease({
    namespace: 'kube-system',
    body: {
      metadata: { name: 'netpol-guard-leader' },
      spec: { holderIdentity: 'pod-a', leaseDurationSeconds: 15, renewTime: new Date('2026-01-01T00:00:00Z') },
    },
  });

  const renewed = await coordination.replaceNamespacedLease({
    namespace: 'kube-system',
    name: 'netpol-guard-leader',
    body: { ...created, spec: { ...created.spec, renewTime: new Date('2026-01-01T00:00:10Z') } },
  });
  t.not(renewed.metadata?.resourceVersion, created.metadata?.resourceVersion);
  t.equal(renewed.spec?.holderIdentity, 'pod-a');

  const stale = { ...created, spec: { ...created.spec, holderIdentity: 'pod-b' } };
  const status = await statusOf(
    coordination.replaceNamespacedLease({ namespace: 'kube-system', name: 'netpol-guard-leader', body: stale }),
  );
  t.same(status, {
    code: 409,
    reason: 'Conflict',
    message:
      'Operation cannot be fulfilled on leases.coordination.k8s.io "netpol-guard-leader": the object has been ' +
      'modified; please apply your changes to the latest version and try again',
  });
  t.equal(server.get('Lease', 'kube-system', 'netpol-guard-leader')?.spec?.['holderIdentity' as never], 'pod-a');
});

t.test('update bumps generation only for spec changes', async (t) => {
  const server = await startServer(t);
  const apps = server.kubeConfig().makeApiClient(AppsV1Api);
  const body = {
    metadata: { name: 'web' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } } } },
  };
  const created = await apps.createNamespacedDeployment({ namespace: 'default', body });
  server.put({ ...(server.get('Deployment', 'default', 'web') as KubeObject), status: { readyReplicas: 1 } });

  const labelled = await apps.replaceNamespacedDeployment({
    namespace: 'default',
    name: 'web',
    body: { ...body, metadata: { name: 'web', labels: { tier: 'front' } } },
  });
  t.equal(labelled.metadata?.generation, 1);
  t.equal(labelled.status?.readyReplicas, 1, 'an update of the main resource keeps the stored status');

  const scaled = await apps.replaceNamespacedDeployment({
    namespace: 'default',
    name: 'web',
    body: { ...body, spec: { ...body.spec, replicas: 3 } },
  });
  t.equal(scaled.metadata?.generation, 2);
  t.equal(scaled.metadata?.uid, created.metadata?.uid);
});

t.test('update without changes keeps resourceVersion', async (t) => {
  const server = await startServer(t);
  const core = server.kubeConfig().makeApiClient(CoreV1Api);
  const created = await core.createNamespacedPod({ namespace: 'default', body: podObject('default', 'a') });

  const replaced = await core.replaceNamespacedPod({ namespace: 'default', name: 'a', body: created });
  t.equal(replaced.metadata?.resourceVersion, created.metadata?.resourceVersion);
  t.equal(server.resourceVersion, created.metadata?.resourceVersion);
});

t.test('patch applies JSON patch and merge patch', async (t) => {
  const server = await startServer(t);
  const config = server.kubeConfig();
  const core = config.makeApiClient(CoreV1Api);
  await core.createNamespacedPod({ namespace: 'default', body: podObject('default', 'a', { app: 'web' }) });

  const jsonPatched = await core.patchNamespacedPod({
    namespace: 'default',
    name: 'a',
    body: [{ op: 'add', path: '/metadata/labels/tier', value: 'front' }],
  });
  t.same(jsonPatched.metadata?.labels, { app: 'web', tier: 'front' });

  const objects = KubernetesObjectApi.makeApiClient(config);
  const merged = await objects.patch(
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'default', labels: { app: null as never } } },
    undefined,
    undefined,
    undefined,
    undefined,
    PatchStrategy.MergePatch,
  );
  t.same(merged.metadata?.labels, { tier: 'front' });

  const failedTest = await statusOf(
    core.patchNamespacedPod({ namespace: 'default', name: 'a', body: [{ op: 'test', path: '/metadata/name', value: 'b' }] }),
  );
  t.same(failedTest, {
    code: 422,
    reason: 'Invalid',
    message: 'the server rejected our request due to an error in our request: TEST_OPERATION_FAILED',
  });

  t.same(
    server.requests.filter((entry) => entry.verb === 'patch').map((entry) => entry.contentType),
    ['application/json-patch+json', 'application/merge-patch+json', 'application/json-patch+json'],
  );
});

t.test('server-side apply is idempotent per field manager', async (t) => {
  const server = await startServer(t);
  const objects = KubernetesObjectApi.makeApiClient(server.kubeConfig());
  const apply = () =>
    objects.patch(denyAllPolicy('default'), undefined, undefined, 'netpol-guard', true, PatchStrategy.ServerSideApply);

  const first = await apply();
  const versionAfterFirst = server.resourceVersion;
  const second = await apply();

  t.equal(second.metadata?.resourceVersion, first.metadata?.resourceVersion);
  t.equal(server.resourceVersion, versionAfterFirst, 'no write and so no watch event');
  t.same(
    second.metadata?.managedFields?.map((entry) => [entry.manager, entry.operation, entry.fieldsV1]),
    [['netpol-guard', 'Apply', { 'f:spec': { 'f:podSelector': {}, 'f:policyTypes': {} } }]],
  );
  const applies = server.requests.filter((entry) => entry.verb === 'patch');
  t.same(
    applies.map((entry) => [entry.contentType, entry.query, entry.status]),
    [
      ['application/apply-patch+yaml', { fieldManager: 'netpol-guard', force: 'true' }, 201],
      ['application/apply-patch+yaml', { fieldManager: 'netpol-guard', force: 'true' }, 200],
    ],
  );
  t.same(
    server.requests.map((entry) => `${entry.method} ${entry.path}`)[0],
    'GET /apis/networking.k8s.io/v1',
    'the client reads discovery to find the resource name',
  );
});

t.test('server-side apply removes fields the manager dropped', async (t) => {
  const server = await startServer(t);
  const objects = KubernetesObjectApi.makeApiClient(server.kubeConfig());
  const labelled = {
    ...denyAllPolicy('default'),
    metadata: { name: 'default-deny', namespace: 'default', labels: { owner: 'guard' } },
  };
  await objects.patch(labelled, undefined, undefined, 'netpol-guard', true, PatchStrategy.ServerSideApply);

  const policy = denyAllPolicy('default');
  const applied = await objects.patch(policy, undefined, undefined, 'netpol-guard', true, PatchStrategy.ServerSideApply);
  t.equal(applied.metadata?.labels, undefined);
  t.equal(applied.metadata?.generation, 1, 'a metadata change keeps the generation');
});

t.test('server-side apply conflicts with another manager unless forced', async (t) => {
  const server = await startServer(t);
  const objects = KubernetesObjectApi.makeApiClient(server.kubeConfig());
  await objects.patch(denyAllPolicy('default'), undefined, undefined, 'netpol-guard', true, PatchStrategy.ServerSideApply);
  const edited = { ...denyAllPolicy('default'), spec: { podSelector: {}, policyTypes: ['Ingress'] } };

  const status = await statusOf(
    objects.patch(edited, undefined, undefined, 'kubectl', undefined, PatchStrategy.ServerSideApply),
  );
  t.same(status, {
    code: 409,
    reason: 'Conflict',
    message: 'Apply failed with 1 conflict: conflict with "netpol-guard": .spec.policyTypes',
  });

  const forced = await objects.patch(edited, undefined, undefined, 'kubectl', true, PatchStrategy.ServerSideApply);
  t.same(forced.spec?.policyTypes, ['Ingress']);
  t.same(
    forced.metadata?.managedFields?.map((entry) => [entry.manager, entry.fieldsV1]),
    [
      ['netpol-guard', { 'f:spec': { 'f:podSelector': {} } }],
      ['kubectl', { 'f:spec': { 'f:podSelector': {}, 'f:policyTypes': {} } }],
    ],
  );
});

t.test('server-side apply accepts a YAML body', async (t) => {
  const server = await startServer(t);
  const yaml = [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: settings',
    'data:',
    '  mode: enforce',
    '',
  ].join('\n');
  const response = await fetch(`${server.url}/api/v1/namespaces/default/configmaps/settings?fieldManager=ops`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/apply-patch+yaml' },
    body: yaml,
  });

  t.equal(response.status, 201);
  t.same(server.get('ConfigMap', 'default', 'settings')?.['data'], { mode: 'enforce' });
});

t.test('server-side apply without fieldManager returns 422', async (t) => {
  const server = await startServer(t);
  const objects = KubernetesObjectApi.makeApiClient(server.kubeConfig());

  const status = await statusOf(
    objects.patch(denyAllPolicy('default'), undefined, undefined, undefined, undefined, PatchStrategy.ServerSideApply),
  );
  t.same(status, {
    code: 422,
    reason: 'Invalid',
    message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
  });
});

t.test('update by another manager makes apply conflict', async (t) => {
  const server = await startServer(t);
  const objects = KubernetesObjectApi.makeApiClient(server.kubeConfig());
  await objects.patch(denyAllPolicy('default'), undefined, undefined, 'netpol-guard', undefined, PatchStrategy.ServerSideApply);
  const edit = { ...denyAllPolicy('default'), spec: { policyTypes: ['Ingress'] } };
  const edited = await objects.patch(edit, undefined, undefined, 'editor', undefined, PatchStrategy.MergePatch);
  t.same(
    edited.metadata?.managedFields?.map((entry) => [entry.manager, entry.operation, entry.fieldsV1]),
    [
      ['netpol-guard', 'Apply', { 'f:spec': { 'f:podSelector': {} } }],
      ['editor', 'Update', { 'f:spec': { 'f:policyTypes': {} } }],
    ],
  );

  const status = await statusOf(
    objects.patch(denyAllPolicy('default'), undefined, undefined, 'netpol-guard', undefined, PatchStrategy.ServerSideApply),
  );
  t.same(status, {
    code: 409,
    reason: 'Conflict',
    message: 'Apply failed with 1 conflict: conflict with "editor": .spec.policyTypes',
  });
});

t.test('status subresource updates only status', async (t) => {
  const server = await startServer(t);
  const core = server.kubeConfig().makeApiClient(CoreV1Api);
  const created = await core.createNamespacedPod({ namespace: 'default', body: podObject('default', 'a') });

  const updated = await core.replaceNamespacedPodStatus({
    namespace: 'default',
    name: 'a',
    body: { ...created, spec: { containers: [] }, status: { phase: 'Running' } },
  });
  t.equal(updated.status?.phase, 'Running');
  t.equal(updated.spec?.containers.length, 1, 'the spec sent to the status subresource is ignored');
  t.equal(updated.metadata?.generation, 1);
  t.equal(server.requests.at(-1)?.path, '/api/v1/namespaces/default/pods/a/status');
});

t.test('dry run create stores nothing', async (t) => {
  const server = await startServer(t);
  const core = server.kubeConfig().makeApiClient(CoreV1Api);
  const versionBefore = server.resourceVersion;

  const created = await core.createNamespacedPod({ namespace: 'default', body: podObject('default', 'a'), dryRun: 'All' });
  t.equal(created.metadata?.name, 'a');
  t.equal(server.get('Pod', 'default', 'a'), undefined);
  t.equal(server.resourceVersion, versionBefore);
});

t.test('delete collection deletes matching objects', async (t) => {
  const server = await startServer(t);
  server.put(podObject('default', 'web-1', { app: 'web' }));
  server.put(podObject('default', 'web-2', { app: 'web' }));
  server.put(podObject('default', 'db-1', { app: 'db' }));
  const core = server.kubeConfig().makeApiClient(CoreV1Api);

  await core.deleteCollectionNamespacedPod({ namespace: 'default', labelSelector: 'app=web' });
  t.same(
    server.list('Pod').map((pod) => pod.metadata.name),
    ['db-1'],
  );
});

t.test('every resource type serves create and list', async (t) => {
  const server = await startServer(t);
  const objects = KubernetesObjectApi.makeApiClient(server.kubeConfig());
  const cases: { apiVersion: string; kind: string; namespaced: boolean }[] = [
    { apiVersion: 'v1', kind: 'Namespace', namespaced: false },
    { apiVersion: 'v1', kind: 'Pod', namespaced: true },
    { apiVersion: 'v1', kind: 'Service', namespaced: true },
    { apiVersion: 'v1', kind: 'ReplicationController', namespaced: true },
    { apiVersion: 'v1', kind: 'ConfigMap', namespaced: true },
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespaced: true },
    { apiVersion: 'apps/v1', kind: 'Deployment', namespaced: true },
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', namespaced: true },
    { apiVersion: 'apps/v1', kind: 'StatefulSet', namespaced: true },
    { apiVersion: 'apps/v1', kind: 'DaemonSet', namespaced: true },
    { apiVersion: 'batch/v1', kind: 'Job', namespaced: true },
    { apiVersion: 'batch/v1', kind: 'CronJob', namespaced: true },
    { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', namespaced: true },
    { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespaced: true },
  ];

  for (const { apiVersion, kind, namespaced } of cases) {
    const metadata = namespaced ? { name: 'sample', namespace: 'default' } : { name: 'sample' };
    const created = await objects.create({ apiVersion, kind, metadata });
    t.equal(created.metadata?.namespace, namespaced ? 'default' : undefined, `${kind} namespace`);

    const listed = await objects.list(apiVersion, kind, namespaced ? 'default' : undefined);
    t.equal(listed.items.filter((item) => item.metadata?.name === 'sample').length, 1, `${kind} list`);
  }
});

t.test('delete returns the object or a Success Status', async (t) => {
  const server = await startServer(t);
  server.put(podObject('default', 'a'));
  server.put(denyAllPolicy('default'));
  const config = server.kubeConfig();

  const pod = await config.makeApiClient(CoreV1Api).deleteNamespacedPod({ namespace: 'default', name: 'a' });
  t.equal(pod.kind, 'Pod');
  t.equal(pod.metadata?.name, 'a');

  const status = await config
    .makeApiClient(NetworkingV1Api)
    .deleteNamespacedNetworkPolicy({ namespace: 'default', name: 'default-deny' });
  t.equal(status.status, 'Success');
  t.equal(status.details?.name, 'default-deny');
  t.same(server.list('pods'), []);
  t.same(server.list('NetworkPolicy'), []);
});

t.test('namespace deletion removes its objects', async (t) => {
  const server = await startServer(t);
  server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
  server.put(podObject('team-a', 'a'));
  server.put(denyAllPolicy('team-a'));
  server.put(podObject('default', 'b'));
  const config = server.kubeConfig();
  const watch = await openWatch(t, config, '/api/v1/pods', { resourceVersion: server.resourceVersion });

  const deleted = await config.makeApiClient(CoreV1Api).deleteNamespace({ name: 'team-a' });
  const event = await watch.next((seen) => seen.type === 'DELETED');

  t.equal((deleted as { status?: { phase?: string } }).status?.phase, 'Terminating');
  t.equal(event.object.metadata?.name, 'a');
  t.equal(server.get('Namespace', undefined, 'team-a'), undefined);
  t.same(server.list('NetworkPolicy'), []);
  t.same(
    server.list('Pod').map((pod) => pod.metadata.name),
    ['b'],
  );
});

t.test('discovery serves resource lists for KubernetesObjectApi', async (t) => {
  const server = await startServer(t);
  const objects = KubernetesObjectApi.makeApiClient(server.kubeConfig());

  const deployments = await objects.list('apps/v1', 'Deployment', 'default');
  const namespaces = await objects.list('v1', 'Namespace');

  t.equal(deployments.items.length, 0);
  t.same(
    namespaces.items.map((namespace) => namespace.metadata?.name),
    ['default', 'kube-node-lease', 'kube-public', 'kube-system'],
  );
  t.same(
    server.requests.map((entry) => `${entry.method} ${entry.path} ${entry.status}`),
    [
      'GET /apis/apps/v1 200',
      'GET /apis/apps/v1/namespaces/default/deployments 200',
      'GET /api/v1 200',
      'GET /api/v1/namespaces 200',
    ],
  );
});

t.test('pod informer receives add, update and delete', async (t) => {
  const server = await startServer(t);
  server.put(podObject('default', 'existing'));
  const config = server.kubeConfig();
  const core = config.makeApiClient(CoreV1Api);
  const running = await runInformer<V1Pod>(t, config, '/api/v1/namespaces/default/pods', () =>
    core.listNamespacedPod({ namespace: 'default' }),
  );
  t.same(
    running.informer.list().map((pod) => pod.metadata?.name),
    ['existing'],
  );

  const added = running.next('add', 'web');
  await core.createNamespacedPod({ namespace: 'default', body: podObject('default', 'web') });
  t.equal((await added).metadata?.name, 'web');

  const updated = running.next('update', 'web');
  server.put({ ...podObject('default', 'web'), status: { phase: 'Running', podIP: '10.0.0.7' } });
  t.equal((await updated).status?.podIP, '10.0.0.7');

  const deleted = running.next('delete', 'web');
  await core.deleteNamespacedPod({ namespace: 'default', name: 'web' });
  t.equal((await deleted).metadata?.name, 'web');
  t.equal(running.informer.latestResourceVersion(), server.resourceVersion);
  t.same(running.errors, []);
});

t.test('networkpolicy informer watches all namespaces', async (t) => {
  const server = await startServer(t);
  server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
  server.put(denyAllPolicy('team-a'));
  const config = server.kubeConfig();
  const networking = config.makeApiClient(NetworkingV1Api);
  const running = await runInformer<V1NetworkPolicy>(t, config, '/apis/networking.k8s.io/v1/networkpolicies', () =>
    networking.listNetworkPolicyForAllNamespaces(),
  );
  t.same(
    running.informer.list().map((policy) => `${policy.metadata?.namespace}/${policy.metadata?.name}`),
    ['team-a/default-deny'],
  );

  const added = running.next('add', 'allow-dns');
  server.put({ ...denyAllPolicy('default', 'allow-dns'), spec: { podSelector: {}, policyTypes: ['Egress'] } });
  t.equal((await added).metadata?.namespace, 'default');

  const updated = running.next('update', 'default-deny');
  server.put({ ...denyAllPolicy('team-a'), spec: { podSelector: {}, policyTypes: ['Ingress'] } });
  t.same((await updated).spec?.policyTypes, ['Ingress']);

  const deleted = running.next('delete', 'default-deny');
  t.equal(server.remove('NetworkPolicy', 'team-a', 'default-deny'), true);
  t.equal((await deleted).metadata?.namespace, 'team-a');
});

t.test('informer resumes after dropped watch without relisting', async (t) => {
  const server = await startServer(t);
  const config = server.kubeConfig();
  const core = config.makeApiClient(CoreV1Api);
  const running = await runInformer<V1Pod>(t, config, '/api/v1/namespaces/default/pods', () =>
    core.listNamespacedPod({ namespace: 'default' }),
  );
  const versionBeforeDrop = running.informer.latestResourceVersion();
  const firstRequestAfterDrop = server.requests.length;

  const rewatch = server.nextRequest((entry) => entry.verb === 'watch');
  server.dropWatches();
  t.equal((await rewatch).query['resourceVersion'], versionBeforeDrop);

  const added = running.next('add', 'after-drop');
  server.put(podObject('default', 'after-drop'));
  await added;
  t.same(
    requestsSince(server, firstRequestAfterDrop).map((entry) => entry.verb),
    ['watch'],
  );
  t.same(running.errors, []);
});

t.test('informer relists after 410 Expired', async (t) => {
  const server = await startServer(t);
  server.put(podObject('default', 'kept'));
  const config = server.kubeConfig();
  const core = config.makeApiClient(CoreV1Api);
  const running = await runInformer<V1Pod>(t, config, '/api/v1/namespaces/default/pods', () =>
    core.listNamespacedPod({ namespace: 'default' }),
  );
  const firstRequestAfterDrop = server.requests.length;

  const relist = server.nextRequest((entry) => entry.verb === 'list');
  server.expireHistory();
  server.dropWatches();
  await relist;
  const added = running.next('add', 'after-relist');
  server.put(podObject('default', 'after-relist'));
  await added;

  t.same(
    requestsSince(server, firstRequestAfterDrop).map((entry) => entry.verb),
    ['watch', 'list', 'watch'],
  );
  t.same(
    running.informer
      .list()
      .map((pod) => pod.metadata?.name)
      .sort(),
    ['after-relist', 'kept'],
  );
  t.same(running.errors, []);
});

t.test('watch from expired resourceVersion gets 410 ERROR event', async (t) => {
  const server = await startServer(t);
  const config = server.kubeConfig();
  const old = server.resourceVersion;
  server.expireHistory();

  const watch = await openWatch(t, config, '/api/v1/namespaces/default/pods', { resourceVersion: old });
  const event = await watch.next(() => true);

  t.equal(event.type, 'ERROR');
  t.same(event.object, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `too old resource version: ${old} (${server.resourceVersion})`,
    reason: 'Expired',
    code: 410,
  });
  t.equal(await watch.done, null, 'the server ends the stream after the error');
});

t.test('watch history limit expires old resourceVersions', async (t) => {
  const server = await startServer(t, { historyLimit: 2, namespaces: [] });
  const start = server.resourceVersion;
  server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } });
  server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' } });
  server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'c' } });
  const config = server.kubeConfig();

  const tooOld = await openWatch(t, config, '/api/v1/namespaces', { resourceVersion: start });
  t.equal((await tooOld.next(() => true)).object.code, 410);

  const resumable = await openWatch(t, config, '/api/v1/namespaces', { resourceVersion: String(Number(start) + 1) });
  const replayed = await resumable.next((event) => event.object.metadata?.name === 'c');
  t.same(
    resumable.events.map((event) => `${event.type} ${event.object.metadata?.name}`),
    ['ADDED b', 'ADDED c'],
  );
  t.equal(replayed.type, 'ADDED');
});

t.test('watch sends bookmarks when allowed', async (t) => {
  const server = await startServer(t, { bookmarkIntervalMs: 20 });
  server.put(podObject('default', 'a'));
  const config = server.kubeConfig();

  const watch = await openWatch(t, config, '/api/v1/namespaces/default/pods', {
    resourceVersion: server.resourceVersion,
    allowWatchBookmarks: 'true',
  });
  const bookmark = await watch.next((event) => event.type === 'BOOKMARK');

  t.same(bookmark.object, { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: server.resourceVersion } });
});

t.test('watch without resourceVersion starts with current objects', async (t) => {
  const server = await startServer(t);
  server.put(podObject('default', 'a', { app: 'web' }));
  server.put(podObject('default', 'b', { app: 'db' }));
  const config = server.kubeConfig();

  const watch = await openWatch(t, config, '/api/v1/namespaces/default/pods', { labelSelector: 'app=web' });
  await watch.next((event) => event.object.metadata?.name === 'a');
  server.put(podObject('default', 'b', { app: 'web' }));
  server.put(podObject('default', 'a', { app: 'db' }));
  await watch.next((event) => event.type === 'DELETED');

  t.same(
    watch.events.map((event) => `${event.type} ${event.object.metadata?.name}`),
    ['ADDED a', 'ADDED b', 'DELETED a'],
    'objects entering or leaving the selector arrive as ADDED or DELETED',
  );
});

t.test('watch ends after timeoutSeconds', async (t) => {
  const server = await startServer(t);
  const watch = await openWatch(t, server.kubeConfig(), '/api/v1/namespaces/default/pods', {
    resourceVersion: server.resourceVersion,
    timeoutSeconds: '1',
  });

  t.equal(await watch.done, null);
  t.equal(server.openWatches, 0);
});

t.test('informer recovers after stop and restart', async (t) => {
  const server = await startServer(t);
  const config = server.kubeConfig();
  const core = config.makeApiClient(CoreV1Api);
  const running = await runInformer<V1Pod>(t, config, '/api/v1/namespaces/default/pods', () =>
    core.listNamespacedPod({ namespace: 'default' }),
  );
  const port = server.port;

  let connectionError = running.nextError();
  await server.stop();
  while (((await connectionError) as { code?: string }).code !== 'ECONNREFUSED') {
    connectionError = running.nextError();
  }
  const status = await fetch(`${server.url}/healthz`).then(
    () => 'reachable',
    (error: unknown) => ((error as { cause?: { code?: string } }).cause?.code ?? 'other'),
  );
  t.equal(status, 'ECONNREFUSED', 'new connections are refused while stopped');

  server.put(podObject('default', 'while-down'));
  const added = running.next('add', 'while-down');
  await server.restart();
  await added;
  t.equal(server.port, port);
  t.ok(running.informer.get('while-down', 'default'));
});

t.test('subject access review follows the reviewer', async (t) => {
  const server = await startServer(t);
  const authorization = server.kubeConfig().makeApiClient(AuthorizationV1Api);
  const body = {
    spec: {
      user: 'system:serviceaccount:team-a:deployer',
      resourceAttributes: { verb: 'create', group: 'networking.k8s.io', resource: 'networkpolicies', namespace: 'team-a' },
    },
  };

  const denied = await authorization.createSubjectAccessReview({ body });
  t.same(denied.status, { allowed: false });

  server.setAccessReviewer((spec) => ({
    allowed: (spec['user'] as string).endsWith(':deployer'),
    reason: 'deployers may create policies',
  }));
  const allowed = await authorization.createSubjectAccessReview({ body });
  t.same(allowed.status, { allowed: true, reason: 'deployers may create policies' });
  t.equal(allowed.spec.resourceAttributes?.resource, 'networkpolicies');
});

t.test('https server accepts clients trusting its CA', async (t) => {
  const ca = createCertificateAuthority({ commonName: 'kube-api-test-ca', validityDays: 1 });
  const serving = createServingCertificate({ ca, dnsNames: [], ipAddresses: ['127.0.0.1'], validityDays: 1 });
  const server = await startServer(t, { tls: { cert: serving.certPem, key: serving.keyPem, ca: ca.certPem } });

  const namespaces = await server.kubeConfig().makeApiClient(CoreV1Api).listNamespace();
  t.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  t.equal(namespaces.items.length, 4);
});
