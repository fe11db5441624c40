import type { DnsTarget } from '../engine/index.js';

export const MODES = ['enforce', 'warn', 'audit'] as const;
export type Mode = (typeof MODES)[number];

export const RULE_IDS = ['default-deny', 'dns-egress', 'baseline-protection', 'exemption-approval', 'namespace-mode'] as const;
export type RuleId = (typeof RULE_IDS)[number];

/** A NetworkPolicy the reconciler applies to every baseline namespace; `metadata.namespace` is filled in. */
export interface BaselineTemplate {
  name: string;
  spec: Record<string, unknown>;
}

export interface Config {
  /** Cluster-wide mode; a namespace label `netpol-guard.io/mode` overrides it. */
  mode: Mode;
  rules: {
    'default-deny': { enabled: boolean; directions: Array<'Ingress' | 'Egress'> };
    'dns-egress': { enabled: boolean; requireTcp: boolean };
    'baseline-protection': { enabled: boolean };
    'exemption-approval': { enabled: boolean };
    'namespace-mode': { enabled: boolean };
  };
  dns: {
    /** Find the DNS pods from the cluster's DNS Service; `targets` is the fallback. */
    discover: boolean;
    service: { namespace: string; name: string };
    targets: DnsTarget[];
  };
  /** The namespace netpol-guard runs in: never denied, never given a baseline. */
  webhookNamespace: string;
  exemptions: {
    namespaces: string[];
    usernames: string[];
    groups: string[];
  };
  approvers: {
    usernames: string[];
    groups: string[];
    /** Also ask Kubernetes RBAC (verb `exempt` on `namespaces.netpol-guard.io`) with a SubjectAccessReview. */
    rbac: boolean;
  };
  baseline: {
    /** Apply the baseline to every existing namespace that is not exempt, not only to labelled ones. */
    applyToExisting: boolean;
    /** Name of the policy that isolates every pod for ingress and egress. */
    denyAllName: string;
    /** Name of the policy that lets every pod reach the DNS targets; its rules come from `dns`. */
    allowDnsName: string;
    /** More policies applied with the two above. */
    extraPolicies: BaselineTemplate[];
    /** How long a Pod CREATE in a namespace with a pending baseline waits for it, in milliseconds. */
    podWaitMs: number;
  };
  server: {
    port: number;
    host: string;
    metricsPort: number;
    /** Request body limit in bytes. */
    bodyLimit: number;
    /** Time allowed for one request, in milliseconds, before the connection is closed. */
    requestTimeoutMs: number;
    /** Time SIGTERM waits for in-flight reviews, in milliseconds. */
    shutdownTimeoutMs: number;
  };
  state: {
    /** Reviews fail with HTTP 500 when the cluster state has not been confirmed fresh for this long, in seconds. */
    maxAgeSeconds: number;
  };
}
