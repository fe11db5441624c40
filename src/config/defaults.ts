import { DEFAULT_DNS_TARGETS } from '../engine/index.js';
import type { Config } from './types.js';

/** Labels and annotations netpol-guard reads and writes. */
export const LABEL_MODE = 'netpol-guard.io/mode';
export const LABEL_BASELINE = 'netpol-guard.io/baseline';
export const ANNOTATION_BASELINE_POLICIES = 'netpol-guard.io/baseline-policies';
export const ANNOTATION_EXEMPT = 'netpol-guard.io/exempt';
export const ANNOTATION_EXEMPT_REASON = 'netpol-guard.io/exempt-reason';
export const ANNOTATION_EXEMPT_UNTIL = 'netpol-guard.io/exempt-until';
export const ANNOTATION_EXEMPT_TICKET = 'netpol-guard.io/exempt-ticket';
export const EXEMPTION_ANNOTATIONS = [
  ANNOTATION_EXEMPT,
  ANNOTATION_EXEMPT_REASON,
  ANNOTATION_EXEMPT_UNTIL,
  ANNOTATION_EXEMPT_TICKET,
] as const;
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGER_NAME = 'netpol-guard';

export const DEFAULT_WEBHOOK_NAMESPACE = 'netpol-guard';

/**
 * The API server rejects request bodies over 3 MiB for most objects, but an
 * AdmissionReview carries the object, the old object and, after kubectl apply,
 * a copy in the last-applied annotation, so 8 MiB leaves room for all three.
 */
export const DEFAULT_BODY_LIMIT = 8 * 1024 * 1024;

export function defaultConfig(): Config {
  return {
    mode: 'enforce',
    rules: {
      'default-deny': { enabled: true, directions: ['Ingress', 'Egress'] },
      'dns-egress': { enabled: true, requireTcp: false },
      'baseline-protection': { enabled: true },
      'exemption-approval': { enabled: true },
      'namespace-mode': { enabled: true },
    },
    dns: {
      discover: true,
      service: { namespace: 'kube-system', name: 'kube-dns' },
      targets: structuredClone([...DEFAULT_DNS_TARGETS]),
    },
    webhookNamespace: DEFAULT_WEBHOOK_NAMESPACE,
    exemptions: {
      namespaces: ['kube-system', 'kube-public', 'kube-node-lease', DEFAULT_WEBHOOK_NAMESPACE],
      usernames: [],
      groups: [],
    },
    approvers: { usernames: [], groups: ['system:masters'], rbac: false },
    baseline: {
      applyToExisting: false,
      denyAllName: 'default-deny-all',
      allowDnsName: 'allow-dns-egress',
      extraPolicies: [],
      podWaitMs: 2000,
    },
    server: {
      port: 8443,
      host: '0.0.0.0',
      metricsPort: 9090,
      bodyLimit: DEFAULT_BODY_LIMIT,
      requestTimeoutMs: 10_000,
      shutdownTimeoutMs: 20_000,
    },
    state: { maxAgeSeconds: 300 },
  };
}
