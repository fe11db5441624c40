// Builders of AdmissionReview requests for the admission, server and CLI
// tests. Every request starts as a deep copy of a real-shaped fixture from
// examples/reviews/ (defaulted fields, managedFields, userInfo, options), so
// tests change only the fields their case is about.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Reviewer, type ReviewerOptions } from '../../src/admission/reviewer.js';
import { defaultConfig } from '../../src/config/defaults.js';
import type { Config } from '../../src/config/types.js';
import type { JsonPatchOperation } from '../../src/rules/namespace-baseline.js';
import { loadStateFromFiles } from '../../src/state/load-files.js';
import { WORKLOAD_KINDS, type WorkloadKind } from '../../src/state/objects.js';
import type { StateStore } from '../../src/state/store.js';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const EXAMPLE_CLUSTER = join(PROJECT_ROOT, 'examples', 'cluster');
export const EXAMPLE_REVIEWS = join(PROJECT_ROOT, 'examples', 'reviews');
/** Hand-written AdmissionReviews shared between projects; present on developer machines and in CI only. */
export const SHARED_ADMISSION_REQUESTS = join(PROJECT_ROOT, '..', 'shared', 'cases', 'admission-requests');
/** Public third-party manifests; present on developer machines and in CI only. */
export const SHARED_REAL_WORLD = join(PROJECT_ROOT, '..', 'shared', 'real-world');

/** A fixed clock, so exemption expiry never depends on the day the tests run. */
export const TEST_NOW = new Date('2026-01-15T12:00:00Z');

export type KubeObject = Record<string, unknown>;

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface AdmissionRequestBody {
  uid: string;
  kind: GroupVersionKind;
  resource: { group: string; version: string; resource: string };
  requestKind?: GroupVersionKind;
  requestResource?: { group: string; version: string; resource: string };
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: string;
  userInfo: { username?: string; uid?: string; groups?: string[] };
  object: KubeObject | null;
  oldObject: KubeObject | null;
  dryRun?: boolean;
  options?: KubeObject | null;
  [key: string]: unknown;
}

export interface AdmissionReviewBody {
  apiVersion: string;
  kind: string;
  request: AdmissionRequestBody;
}

/** The `response` field of the AdmissionReview the webhook returns, as the tests read it. */
export interface AdmissionResponseBody {
  uid: string;
  allowed: boolean;
  status?: { status: string; code: number; reason: string; message: string };
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
  patchType?: string;
  patch?: string;
}

const fileCache = new Map<string, string>();

/** Reads a JSON file once per process and returns a fresh deep copy on every call. */
export function readJsonFile<T = AdmissionReviewBody>(file: string): T {
  let text = fileCache.get(file);
  if (text === undefined) {
    text = readFileSync(file, 'utf8');
    fileCache.set(file, text);
  }
  return structuredClone(JSON.parse(text) as T);
}

/** Returns a copy of one of examples/reviews/, such as `pod-create-shop.json`. */
export function exampleReview(fileName: string): AdmissionReviewBody {
  return readJsonFile(join(EXAMPLE_REVIEWS, fileName));
}

let uidCounter = 0;

/** Returns a new request uid in the UUID form the API server uses. */
export function nextUid(): string {
  uidCounter += 1;
  return `00000000-0000-4000-8000-${uidCounter.toString(16).padStart(12, '0')}`;
}

const OPTIONS_KIND = { CREATE: 'CreateOptions', UPDATE: 'UpdateOptions', DELETE: 'DeleteOptions' } as const;

/** Sets the operation and the fields the API server sends with it: options, object and oldObject. */
function setOperation(request: AdmissionRequestBody, operation: 'CREATE' | 'UPDATE' | 'DELETE', object: KubeObject, oldObject: KubeObject): void {
  request.operation = operation;
  request.options = { kind: OPTIONS_KIND[operation], apiVersion: 'meta.k8s.io/v1' };
  request.object = operation === 'DELETE' ? null : object;
  request.oldObject = operation === 'CREATE' ? null : oldObject;
}

export interface WorkloadOptions {
  namespace: string;
  name: string;
  podLabels: Record<string, string>;
  /** Annotations of the object itself. */
  annotations?: Record<string, string>;
  operation?: 'CREATE' | 'UPDATE' | 'DELETE';
  username?: string;
}

/** The pod template of the legacy Deployment fixture, relabelled. */
function podTemplate(podLabels: Record<string, string>): KubeObject {
  const template = exampleReview('deployment-create-legacy.json').request.object!.spec as { template: KubeObject };
  const copy = template.template as { metadata: KubeObject };
  copy.metadata.labels = { ...podLabels };
  return copy;
}

const API_VERSIONS: Record<WorkloadKind, string> = {
  Pod: 'v1',
  Deployment: 'apps/v1',
  ReplicaSet: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
  ReplicationController: 'v1',
};

/** Builds a Pod or workload object in the shape the API server stores it, with its pods labelled `podLabels`. */
export function workloadObject(kind: WorkloadKind, options: WorkloadOptions): KubeObject {
  const metadata = (object: KubeObject): KubeObject => {
    const base = (object.metadata ?? {}) as KubeObject;
    delete base.managedFields;
    delete base.generateName;
    delete base.ownerReferences;
    return {
      ...base,
      name: options.name,
      namespace: options.namespace,
      labels: { ...options.podLabels },
      ...(options.annotations ? { annotations: { ...options.annotations } } : { annotations: {} }),
    };
  };

  if (kind === 'Pod') {
    const pod = exampleReview('pod-create-shop.json').request.object!;
    pod.metadata = metadata(pod);
    return pod;
  }

  const deployment = exampleReview('deployment-create-legacy.json').request.object!;
  const template = podTemplate(options.podLabels);
  const selector = { matchLabels: { ...options.podLabels } };
  const spec: Record<WorkloadKind, KubeObject> = {
    Pod: {},
    Deployment: { ...(deployment.spec as KubeObject), selector, template },
    ReplicaSet: { replicas: 1, selector, template },
    StatefulSet: { replicas: 1, serviceName: options.name, selector, template, podManagementPolicy: 'OrderedReady' },
    DaemonSet: { selector, template, updateStrategy: { type: 'RollingUpdate' } },
    Job: { backoffLimit: 6, completions: 1, parallelism: 1, template: { ...template, spec: { ...(template.spec as KubeObject), restartPolicy: 'Never' } } },
    CronJob: {
      schedule: '*/15 * * * *',
      concurrencyPolicy: 'Allow',
      jobTemplate: { metadata: {}, spec: { template: { ...template, spec: { ...(template.spec as KubeObject), restartPolicy: 'OnFailure' } } } },
    },
    ReplicationController: { replicas: 1, selector: { ...options.podLabels }, template },
  };
  return { kind, apiVersion: API_VERSIONS[kind], metadata: metadata(deployment), spec: spec[kind], status: {} };
}

/** Builds a request for a Pod or workload, from the `kubectl apply` Deployment fixture. */
export function workloadReview(kind: WorkloadKind, options: WorkloadOptions): AdmissionReviewBody {
  const review = exampleReview('deployment-create-legacy.json');
  const { group, version, resource } = WORKLOAD_KINDS[kind];
  const request = review.request;
  request.uid = nextUid();
  request.kind = { group, version, kind };
  request.requestKind = { group, version, kind };
  request.resource = { group, version, resource };
  request.requestResource = { group, version, resource };
  request.name = options.name;
  request.namespace = options.namespace;
  if (options.username !== undefined) request.userInfo.username = options.username;
  const object = workloadObject(kind, options);
  setOperation(request, options.operation ?? 'CREATE', object, structuredClone(object));
  return review;
}

/** Builds a NetworkPolicy object as the API server stores it. */
export function networkPolicyObject(namespace: string, name: string, spec: KubeObject, labels?: Record<string, string>): KubeObject {
  return {
    kind: 'NetworkPolicy',
    apiVersion: 'networking.k8s.io/v1',
    metadata: {
      name,
      namespace,
      uid: '2c3d4e5f-6a7b-4c8d-9e0f-000000000001',
      resourceVersion: '184522',
      generation: 1,
      creationTimestamp: '2025-11-18T09:40:02Z',
      ...(labels ? { labels: { ...labels } } : {}),
    },
    spec: structuredClone(spec),
  };
}

export interface NetworkPolicyReviewOptions {
  namespace: string;
  name: string;
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  /** The policy's spec after the request; unused on DELETE. */
  spec?: KubeObject;
  /** The stored spec, for UPDATE and DELETE. */
  oldSpec?: KubeObject;
  labels?: Record<string, string>;
  username?: string;
}

/** Builds a NetworkPolicy request from the `kubectl delete` fixture. */
export function networkPolicyReview(options: NetworkPolicyReviewOptions): AdmissionReviewBody {
  const review = exampleReview('networkpolicy-delete-shop-default-deny.json');
  const request = review.request;
  request.uid = nextUid();
  request.name = options.name;
  request.namespace = options.namespace;
  if (options.username !== undefined) request.userInfo.username = options.username;
  const object = networkPolicyObject(options.namespace, options.name, options.spec ?? {}, options.labels);
  const oldObject = networkPolicyObject(options.namespace, options.name, options.oldSpec ?? {}, options.labels);
  setOperation(request, options.operation, object, oldObject);
  return review;
}

/** Builds a Namespace request from the `kubectl create namespace` fixture; `metadata` replaces the object's. */
export function namespaceReview(name: string, metadata: KubeObject | undefined, operation: 'CREATE' | 'UPDATE' | 'DELETE' = 'CREATE'): AdmissionReviewBody {
  const review = exampleReview('namespace-create.json');
  const request = review.request;
  request.uid = nextUid();
  request.name = name;
  request.namespace = name;
  const object = request.object!;
  if (metadata === undefined) delete object.metadata;
  else object.metadata = structuredClone(metadata);
  setOperation(request, operation, object, structuredClone(object));
  return review;
}

/** Builds a request for a kind no rule reads, such as a ConfigMap, from the Deployment fixture. */
export function otherKindReview(
  gvk: GroupVersionKind,
  resource: string,
  options: { namespace: string; name: string; operation: 'CREATE' | 'UPDATE' | 'DELETE'; object?: KubeObject },
): AdmissionReviewBody {
  const review = exampleReview('deployment-create-legacy.json');
  const request = review.request;
  const { group, version } = gvk;
  request.uid = nextUid();
  request.kind = { ...gvk };
  request.requestKind = { ...gvk };
  request.resource = { group, version, resource };
  request.requestResource = { group, version, resource };
  request.name = options.name;
  request.namespace = options.namespace;
  const object = options.object ?? {
    kind: gvk.kind,
    apiVersion: group === '' ? version : `${group}/${version}`,
    metadata: { name: options.name, namespace: options.namespace },
  };
  setOperation(request, options.operation, object, structuredClone(object));
  return review;
}

/** Returns the `response` field of an AdmissionReview response body. */
export function responseOf(body: unknown): AdmissionResponseBody {
  return (body as { response: AdmissionResponseBody }).response;
}

/** Decodes the base64 JSONPatch of a response, or returns undefined when it carries none. */
export function decodePatch(response: AdmissionResponseBody): JsonPatchOperation[] | undefined {
  if (response.patch === undefined) return undefined;
  return JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as JsonPatchOperation[];
}

/** Loads examples/cluster into a new store; each call reads the files again, so tests may change their copy. */
export async function loadExampleState(): Promise<StateStore> {
  return (await loadStateFromFiles([EXAMPLE_CLUSTER])).store;
}

/** Creates a Reviewer over `state` with a silent logger and the fixed test clock. */
export function createTestReviewer(state: StateStore, options: Partial<Omit<ReviewerOptions, 'state'>> & { config?: Config } = {}): Reviewer {
  return new Reviewer({
    config: defaultConfig(),
    logger: pino({ level: 'silent' }),
    now: () => TEST_NOW,
    ...options,
    state,
  });
}
