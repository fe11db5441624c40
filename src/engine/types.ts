/**
 * Plain data types of the NetworkPolicy engine. Field names follow the
 * networking.k8s.io/v1 API reference so that a policy read from YAML can be
 * passed in unchanged.
 */

export type Labels = Readonly<Record<string, string>>;

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

export type PolicyType = 'Ingress' | 'Egress';
export type Direction = PolicyType;

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: LabelSelectorRequirement[] | null;
}

export interface IPBlock {
  cidr: string;
  except?: string[] | null;
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector | null;
  namespaceSelector?: LabelSelector | null;
  ipBlock?: IPBlock | null;
}

export interface NetworkPolicyPort {
  protocol?: string | null;
  port?: number | string | null;
  endPort?: number | null;
}

export interface NetworkPolicyIngressRule {
  from?: NetworkPolicyPeer[] | null;
  ports?: NetworkPolicyPort[] | null;
}

export interface NetworkPolicyEgressRule {
  to?: NetworkPolicyPeer[] | null;
  ports?: NetworkPolicyPort[] | null;
}

export interface NetworkPolicySpec {
  podSelector?: LabelSelector | null;
  policyTypes?: string[] | null;
  ingress?: NetworkPolicyIngressRule[] | null;
  egress?: NetworkPolicyEgressRule[] | null;
}

/** A NetworkPolicy reduced to what the engine reads: its namespace, name and spec. */
export interface NetworkPolicy {
  namespace: string;
  name: string;
  spec: NetworkPolicySpec;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

/**
 * A pod, or the pod template of a workload. A template has no `name` of its
 * own pod and no `ip`.
 */
export interface PodEndpoint {
  kind: 'pod';
  namespace: string;
  name?: string;
  labels: Labels;
  ip?: string;
  ports?: readonly ContainerPort[];
}

/** A destination or source outside the pod network, known only by its IP. */
export interface IpEndpoint {
  kind: 'ip';
  ip: string;
}

export type Endpoint = PodEndpoint | IpEndpoint;

/** Names a policy as `<namespace>/<name>`, the form kubectl prints. */
export type PolicyRef = string;

/** Points at one rule of one policy: `spec.ingress[ruleIndex]` or `spec.egress[ruleIndex]`. */
export interface RuleRef {
  policy: PolicyRef;
  direction: Direction;
  ruleIndex: number;
}

/** A problem in a policy, with the path of the offending field. */
export interface PolicyError {
  policy: PolicyRef;
  field: string;
  message: string;
}
