/**
 * The audit report: plain data that every output format reads. Field names
 * are part of the documented JSON output (docs/audit.md), so renaming one is
 * a breaking change of that format.
 */
import type { Direction, PolicyRef, RuleRef } from '../engine/index.js';
import type { Mode } from '../config/types.js';

/** Checks the audit runs; the first three are the webhook rules of the same name. */
export const AUDIT_RULE_IDS = [
  'default-deny',
  'dns-egress',
  'namespace-mode',
  'invalid-network-policy',
  'expired-exemption',
  'invalid-exemption',
] as const;
export type AuditRuleId = (typeof AUDIT_RULE_IDS)[number];

/** The outcome of one check, in the PolicyReport vocabulary. */
export type ResultKind = 'pass' | 'fail' | 'warn' | 'skip';

/** Severity levels that every served version of the PolicyReport CRD accepts. */
export type Severity = 'high' | 'medium' | 'low';

/** Names one Kubernetes object. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  /** Absent for cluster-scoped objects (Namespace). */
  namespace?: string;
  name: string;
}

/** The file and line an object was read from; only known when reading files. */
export interface SourceLocation {
  file: string;
  /** 1-based line where the object starts. */
  line: number;
}

/** An exemption read from `netpol-guard.io/exempt*` annotations. */
export interface ExemptionEntry {
  /** The object that carries it, such as `namespace shop` or `Deployment "cart"`. */
  source: string;
  resource: ObjectRef;
  rules: 'all' | string[];
  reason: string;
  /** ISO 8601 date-time; absent when the exemption does not expire. */
  until?: string;
  ticket?: string;
  expired: boolean;
}

export interface DefaultDenyFindingDetails {
  kind: 'default-deny';
  /** Configured directions that are not default-deny. */
  missing: Direction[];
  /** Rules of all-pod policies that open a direction to every peer. */
  openedBy: RuleRef[];
}

export interface DnsIngressDenialDetails {
  target: string;
  protocol: string;
  policies: PolicyRef[];
}

export interface DnsEgressFindingDetails {
  kind: 'dns-egress';
  udp: 'allowed' | 'blocked';
  tcp: 'allowed' | 'blocked';
  /** Policies that select the pods for egress. */
  isolatingPolicies: PolicyRef[];
  /** DNS servers the pods reach whose own ingress policies drop the queries. */
  ingressDenied: DnsIngressDenialDetails[];
}

export interface NamespaceModeFindingDetails {
  kind: 'namespace-mode';
  mode: Mode;
  modeSource: 'cluster' | 'namespace';
  /** The label value when it is not a valid mode. */
  invalidLabel?: string;
}

export interface InvalidPolicyFindingDetails {
  kind: 'invalid-network-policy';
  errors: Array<{ field: string; message: string }>;
}

export interface ExpiredExemptionFindingDetails {
  kind: 'expired-exemption';
  exemption: ExemptionEntry;
}

export interface InvalidExemptionFindingDetails {
  kind: 'invalid-exemption';
  problems: string[];
}

export type FindingDetails =
  | DefaultDenyFindingDetails
  | DnsEgressFindingDetails
  | NamespaceModeFindingDetails
  | InvalidPolicyFindingDetails
  | ExpiredExemptionFindingDetails
  | InvalidExemptionFindingDetails;

/** The outcome of one check on one object (and the objects grouped under it). */
export interface Finding {
  rule: AuditRuleId;
  result: ResultKind;
  severity: Severity;
  namespace: string;
  resource: ObjectRef;
  /** Objects with the same outcome that the resource owns, such as the Pods of a Deployment. */
  grouped: ObjectRef[];
  /** One or two sentences a person can act on. */
  message: string;
  location?: SourceLocation;
  /** The exemption or static exemption that turned a failure into `skip`. */
  skippedBecause?: string;
  details?: FindingDetails;
}

export interface DirectionStatus {
  defaultDeny: boolean;
  /** All-pod policies that isolate this direction. */
  policies: PolicyRef[];
  openedBy: RuleRef[];
}

export interface ResultCounts {
  pass: number;
  fail: number;
  warn: number;
  skip: number;
}

export interface NamespaceReport {
  name: string;
  /** Set when the configuration exempts the whole namespace; no check runs there. */
  exempt?: string;
  mode: Mode;
  modeSource: 'cluster' | 'namespace';
  defaultDeny: { ingress: DirectionStatus; egress: DirectionStatus };
  /** Baseline policies the namespace is labelled for that are not applied yet; checks count them as applied, as the webhook does. */
  pendingBaselinePolicies: string[];
  exemptions: ExemptionEntry[];
  /** Every result, passes included, in a stable order. */
  findings: Finding[];
  counts: ResultCounts;
  location?: SourceLocation;
}

export interface AuditReport {
  generatedAt: string;
  /** The cluster-wide mode from the configuration. */
  mode: Mode;
  namespaces: NamespaceReport[];
  counts: ResultCounts;
  objects: { namespaces: number; networkPolicies: number; invalidNetworkPolicies: number; workloads: number; pods: number };
}
