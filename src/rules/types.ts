import type { DnsPolicySource, DnsTarget } from '../engine/index.js';
import type { Config, RuleId } from '../config/types.js';
import type { KubeObject } from '../state/objects.js';
import type { StateStore } from '../state/store.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** The facts of one admission request that rules read. */
export interface ReviewRequest {
  uid: string;
  /** The object's kind, such as `Deployment`. */
  kind: string;
  group: string;
  version: string;
  resource: string;
  subResource?: string;
  operation: Operation;
  /** The request's namespace; for a Namespace object, the namespace's own name. */
  namespace: string;
  name: string;
  object: KubeObject | null;
  oldObject: KubeObject | null;
  userInfo: UserInfo;
  dryRun: boolean;
}

export interface RuleContext {
  request: ReviewRequest;
  state: StateStore;
  /** The policies to decide on: the state, plus the baseline where it is enabled but not yet applied. */
  policies: DnsPolicySource;
  config: Config;
  dnsTargets: readonly DnsTarget[];
  now: Date;
  /** Tells whether the requesting user may grant exemptions; may ask the API server. */
  isApprover(): Promise<boolean>;
}

/** A rule broken by the request. */
export interface Violation {
  rule: RuleId;
  /** `deny` blocks the request in enforce mode; `warn` never does. */
  severity: 'deny' | 'warn';
  /** The full message a developer can act on. */
  message: string;
  /** At most about 100 characters, for AdmissionReview warnings, which the API server caps at 120. */
  summary: string;
  /** Set by the chain for violations of an `alwaysEnforced` rule: they deny whatever the mode. */
  alwaysEnforced?: boolean;
}

/** The kinds and operations a rule reads; the webhook configurations are checked against these lists. */
export interface RuleScope {
  group: string;
  version: string;
  kinds: readonly string[];
  resources: readonly string[];
  operations: readonly Operation[];
}

export interface Rule {
  id: RuleId;
  scopes: readonly RuleScope[];
  /** False for rules that a namespace or workload annotation may not switch off. */
  exemptable: boolean;
  /**
   * True for rules that guard netpol-guard's own controls (who may grant an
   * exemption, which mode a namespace runs in). Their violations deny in every
   * mode, because an exemption written while a namespace runs in warn or audit
   * mode would still apply after it switches to enforce.
   */
  alwaysEnforced: boolean;
  check(context: RuleContext): Violation[] | Promise<Violation[]>;
}
