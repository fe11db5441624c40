/**
 * Facts taken from Kubernetes objects: only what decisions read (names,
 * labels, the annotations rules read, container ports, pod IPs), so the
 * store stays small and never contains Secrets or whole object bodies.
 */
import type { ContainerPort, Labels, NetworkPolicy } from '../engine/index.js';

export type KubeObject = Record<string, unknown> & {
  apiVersion?: string;
  kind?: string;
  metadata?: Record<string, unknown>;
};

/** Workload kinds whose pod template the validating rules read, with their API groups. */
export const WORKLOAD_KINDS = {
  Pod: { group: '', version: 'v1', resource: 'pods' },
  Deployment: { group: 'apps', version: 'v1', resource: 'deployments' },
  ReplicaSet: { group: 'apps', version: 'v1', resource: 'replicasets' },
  StatefulSet: { group: 'apps', version: 'v1', resource: 'statefulsets' },
  DaemonSet: { group: 'apps', version: 'v1', resource: 'daemonsets' },
  Job: { group: 'batch', version: 'v1', resource: 'jobs' },
  CronJob: { group: 'batch', version: 'v1', resource: 'cronjobs' },
  ReplicationController: { group: '', version: 'v1', resource: 'replicationcontrollers' },
} as const;

export type WorkloadKind = keyof typeof WORKLOAD_KINDS;

export function isWorkloadKind(kind: unknown): kind is WorkloadKind {
  return typeof kind === 'string' && Object.hasOwn(WORKLOAD_KINDS, kind);
}

/** Annotations the rules read; every other annotation is dropped. */
export const ANNOTATION_PREFIX = 'netpol-guard.io/';

export interface NamespaceFacts {
  name: string;
  labels: Labels;
  annotations: Labels;
  /** True once deletion has begun; its objects are then removed by the namespace controller. */
  terminating: boolean;
}

/** A Pod, or the pod template of a workload. */
export interface WorkloadFacts {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  /** Labels of the pods it runs (the Pod's own labels or the template's). */
  podLabels: Labels;
  /** netpol-guard annotations of the object and of its pod template, template last. */
  annotations: Labels;
  ports: ContainerPort[];
  podIP?: string;
  /** The owner that created a Pod, such as `ReplicaSet/checkout-6d9f7c8b5d`. */
  owner?: string;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Returns the string entries of a label or annotation map; other values are dropped. */
export function stringMap(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(record(value))) {
    if (typeof entry === 'string') result[key] = entry;
  }
  return result;
}

function ownAnnotations(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(stringMap(value))) {
    if (key.startsWith(ANNOTATION_PREFIX)) result[key] = entry;
  }
  return result;
}

export function metadataOf(object: unknown): Record<string, unknown> {
  return record(record(object).metadata);
}

/** Returns `metadata.name`, or `generateName` followed by `*` for a Pod not yet named. */
export function objectName(object: unknown): string {
  const metadata = metadataOf(object);
  if (typeof metadata.name === 'string' && metadata.name !== '') return metadata.name;
  if (typeof metadata.generateName === 'string' && metadata.generateName !== '') return `${metadata.generateName}*`;
  return '';
}

/** Returns the pod template of a workload object, or the Pod itself. */
export function podTemplateOf(kind: WorkloadKind, object: unknown): Record<string, unknown> {
  const spec = record(record(object).spec);
  switch (kind) {
    case 'Pod':
      return record(object);
    case 'CronJob':
      return record(record(record(spec.jobTemplate).spec).template);
    default:
      return record(spec.template);
  }
}

function containerPorts(podSpec: Record<string, unknown>): ContainerPort[] {
  const ports: ContainerPort[] = [];
  const containers = [...asArray(podSpec.containers), ...asArray(podSpec.initContainers)];
  for (const container of containers) {
    for (const port of asArray(record(container).ports)) {
      const entry = record(port);
      if (typeof entry.containerPort !== 'number') continue;
      ports.push({
        containerPort: entry.containerPort,
        protocol: typeof entry.protocol === 'string' ? entry.protocol : 'TCP',
        ...(typeof entry.name === 'string' ? { name: entry.name } : {}),
      });
    }
  }
  return ports;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function namespaceFacts(object: unknown): NamespaceFacts {
  const metadata = metadataOf(object);
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  // The API server sets this label on every namespace; files often omit it.
  const labels = { 'kubernetes.io/metadata.name': name, ...stringMap(metadata.labels) };
  const phase = record(record(object).status).phase;
  const terminating = typeof metadata.deletionTimestamp === 'string' || phase === 'Terminating';
  return { name, labels, annotations: ownAnnotations(metadata.annotations), terminating };
}

export function workloadFacts(kind: WorkloadKind, object: unknown, namespace: string): WorkloadFacts {
  const metadata = metadataOf(object);
  const template = podTemplateOf(kind, object);
  const templateMetadata = record(template.metadata);
  const facts: WorkloadFacts = {
    kind,
    namespace,
    name: objectName(object),
    podLabels: stringMap(templateMetadata.labels),
    annotations: { ...ownAnnotations(metadata.annotations), ...(kind === 'Pod' ? {} : ownAnnotations(templateMetadata.annotations)) },
    ports: containerPorts(record(template.spec)),
  };
  if (kind === 'Pod') {
    const status = record(record(object).status);
    if (typeof status.podIP === 'string' && status.podIP !== '') facts.podIP = status.podIP;
    const controller = asArray(metadata.ownerReferences).map(record).find((owner) => owner.controller === true);
    if (controller && typeof controller.kind === 'string' && typeof controller.name === 'string') {
      facts.owner = `${controller.kind}/${controller.name}`;
    }
  }
  return facts;
}

export function networkPolicyOf(object: unknown, namespace: string): NetworkPolicy {
  const metadata = metadataOf(object);
  return {
    namespace,
    name: typeof metadata.name === 'string' ? metadata.name : '',
    spec: record(record(object).spec) as NetworkPolicy['spec'],
  };
}

/** Returns `metadata.namespace`, or `fallback` when the object does not set one. */
export function namespaceOf(object: unknown, fallback: string): string {
  const namespace = metadataOf(object).namespace;
  return typeof namespace === 'string' && namespace !== '' ? namespace : fallback;
}
