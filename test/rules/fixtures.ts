/**
 * Builders shared by the rule and admission tests: Kubernetes objects in the
 * shape the API server stores them, a state store filled with them, rule
 * contexts, and AdmissionReview bodies (admission.k8s.io/v1) for the Reviewer.
 * Every builder returns a fresh object, so a test may change what it gets.
 */
import { pino } from 'pino';
import { Reviewer, type ReviewerOptions } from '../../src/admission/reviewer.js';
import { defaultConfig } from '../../src/config/defaults.js';
import type { Config } from '../../src/config/types.js';
import { effectivePolicySource } from '../../src/rules/baseline.js';
import type { Operation, ReviewRequest, RuleContext, UserInfo } from '../../src/rules/types.js';
import type { KubeObject } from '../../src/state/objects.js';
import { StateStore } from '../../src/state/store.js';

/** The moment every review is decided at, unless a test passes another. */
export const NOW = new Date('2026-06-15T12:00:00Z');

export const DEVELOPER: UserInfo = { username: 'dev@example.com', groups: ['developers', 'system:authenticated'] };
export const ADMIN: UserInfo = { username: 'admin@example.com', groups: ['system:masters', 'system:authenticated'] };
export const REPLICASET_CONTROLLER: UserInfo = {
  username: 'system:serviceaccount:kube-system:replicaset-controller',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
};

type StringMap = Record<string, string>;

export function config(change?: (config: Config) => void): Config {
  const result = defaultConfig();
  change?.(result);
  return result;
}

export function namespace(name: string, labels: StringMap = {}, annotations: StringMap = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels }, annotations },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

export function networkPolicy(ns: string, name: string, spec: Record<string, unknown>, labels: StringMap = {}): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns, labels }, spec };
}

const DNS_PEER = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};

export function denyAll(ns: string, name = 'default-deny-all', labels: StringMap = {}): KubeObject {
  return networkPolicy(ns, name, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }, labels);
}

export function allowDns(ns: string, protocols: string[] = ['UDP', 'TCP'], name = 'allow-dns-egress', labels: StringMap = {}): KubeObject {
  return networkPolicy(
    ns,
    name,
    { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [DNS_PEER], ports: protocols.map((protocol) => ({ protocol, port: 53 })) }] },
    labels,
  );
}

export const MANAGED = { 'app.kubernetes.io/managed-by': 'netpol-guard' };

export interface WorkloadOptions {
  annotations?: StringMap;
  templateAnnotations?: StringMap;
  labels?: StringMap;
  ownerReferences?: unknown[];
}

export function deployment(ns: string, name: string, options: WorkloadOptions = {}): KubeObject {
  const labels = options.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels, annotations: options.annotations ?? {} },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels, annotations: options.templateAnnotations ?? {} },
        spec: { containers: [{ name, image: `registry.example.com/${name}:1.0`, ports: [{ containerPort: 8080, protocol: 'TCP' }] }] },
      },
    },
  };
}

export function pod(ns: string, name: string, options: WorkloadOptions = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ns,
      labels: options.labels ?? { app: name },
      annotations: options.annotations ?? {},
      ...(options.ownerReferences ? { ownerReferences: options.ownerReferences } : {}),
    },
    spec: { containers: [{ name, image: `registry.example.com/${name}:1.0`, ports: [{ containerPort: 8080, protocol: 'TCP' }] }] },
  };
}

/** Builds the ownerReferences a ReplicaSet controller writes on the Pods it creates. */
export function replicaSetOwner(name: string): unknown[] {
  return [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid: '5d1c0a4e-3b2f-4e8d-9c7a-6f5e4d3c2b1a', controller: true, blockOwnerDeletion: true }];
}

/**
 * Builds a cluster state with four application namespaces:
 * `shop` is compliant (deny-all plus allow-DNS), `legacy` has no policy,
 * `payments` isolates egress without allowing DNS, and `udp-only` allows DNS over UDP only.
 */
export function clusterState(...extra: KubeObject[]): StateStore {
  const state = new StateStore();
  const objects: KubeObject[] = [
    namespace('kube-system'),
    namespace('netpol-guard'),
    namespace('shop'),
    denyAll('shop'),
    allowDns('shop'),
    namespace('legacy'),
    namespace('payments'),
    denyAll('payments'),
    namespace('udp-only'),
    denyAll('udp-only'),
    allowDns('udp-only', ['UDP']),
    ...extra,
  ];
  for (const object of objects) state.apply(object);
  return state;
}

export interface RequestOptions {
  operation?: Operation;
  object?: KubeObject | null;
  oldObject?: KubeObject | null;
  user?: UserInfo;
  dryRun?: boolean;
}

const GROUPS: Record<string, { group: string; resource: string }> = {
  Namespace: { group: '', resource: 'namespaces' },
  Pod: { group: '', resource: 'pods' },
  Deployment: { group: 'apps', resource: 'deployments' },
  NetworkPolicy: { group: 'networking.k8s.io', resource: 'networkpolicies' },
};

function identityOf(options: RequestOptions): { kind: string; namespace: string; name: string } {
  const object = options.object ?? options.oldObject;
  if (!object) throw new Error('test request needs an object or an old object');
  const metadata = object.metadata as { name: string; namespace?: string };
  const kind = object.kind!;
  return { kind, name: metadata.name, namespace: kind === 'Namespace' ? metadata.name : metadata.namespace! };
}

/** Builds the facts a rule reads, as readRequest would from an AdmissionReview. */
export function reviewRequest(options: RequestOptions): ReviewRequest {
  const { kind, namespace: ns, name } = identityOf(options);
  return {
    uid: '1f6c1b0e-7d7a-4c37-9a53-2a0c5e0f7b11',
    kind,
    group: GROUPS[kind]!.group,
    version: 'v1',
    resource: GROUPS[kind]!.resource,
    operation: options.operation ?? 'CREATE',
    namespace: ns,
    name,
    object: options.object ?? null,
    oldObject: options.oldObject ?? null,
    userInfo: options.user ?? DEVELOPER,
    dryRun: options.dryRun ?? false,
  };
}

export interface ContextOptions extends RequestOptions {
  state?: StateStore;
  config?: Config;
  approver?: boolean;
  now?: Date;
}

/** Builds a rule context over `clusterState()` unless the test passes its own state. */
export function ruleContext(options: ContextOptions): RuleContext {
  const state = options.state ?? clusterState();
  const cfg = options.config ?? config();
  const request = reviewRequest(options);
  return {
    request,
    state,
    config: cfg,
    dnsTargets: cfg.dns.targets,
    policies: effectivePolicySource(state, request.namespace, cfg, cfg.dns.targets),
    now: options.now ?? NOW,
    isApprover: async () => options.approver ?? false,
  };
}

/** Builds an AdmissionReview body (admission.k8s.io/v1) as the API server sends it. */
export function admissionReview(options: RequestOptions): Record<string, unknown> {
  const { kind, namespace: ns, name } = identityOf(options);
  const { group, resource } = GROUPS[kind]!;
  const version = 'v1';
  const user = options.user ?? DEVELOPER;
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: '7c0d8b52-3f8e-4a0f-b2c1-9e5d6a4b3c21',
      kind: { group, version, kind },
      resource: { group, version, resource },
      requestKind: { group, version, kind },
      requestResource: { group, version, resource },
      name,
      ...(kind === 'Namespace' ? {} : { namespace: ns }),
      operation: options.operation ?? 'CREATE',
      userInfo: { username: user.username, uid: '0b9a8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d', groups: [...user.groups] },
      object: options.object ?? null,
      oldObject: options.oldObject ?? null,
      dryRun: options.dryRun ?? false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: options.operation === 'DELETE' ? 'DeleteOptions' : 'CreateOptions' },
    },
  };
}

/** The `response` field of an AdmissionReview returned with HTTP 200. */
export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { status: string; code: number; reason: string; message: string };
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

/** Builds a Reviewer over the given state that decides at NOW and logs nothing. */
export function reviewer(options: Partial<ReviewerOptions> = {}): Reviewer {
  return new Reviewer({
    state: options.state ?? clusterState(),
    config: options.config ?? config(),
    logger: pino({ level: 'silent' }),
    now: () => NOW,
    ...options,
  });
}

/** Sends a validating review and returns the HTTP status and the AdmissionReview response. */
export async function validate(
  target: Reviewer,
  options: RequestOptions,
): Promise<{ statusCode: number; response: AdmissionResponse }> {
  const answer = await target.review(admissionReview(options), 'validate');
  const body = answer.body as { response: AdmissionResponse };
  return { statusCode: answer.statusCode, response: body.response };
}
