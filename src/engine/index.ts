/** The NetworkPolicy engine: pure functions over plain objects, with no I/O. */
export * from './types.js';
export { labelKeyProblem, labelValueProblem } from './labels.js';
export { compileSelector, selectorMatches, type CompiledSelector, type LabelMatcher, type SelectorCache } from './selector.js';
export { parseAddress, parseCidr, cidrContains, type Cidr, type ParsedAddress } from './cidr.js';
export { compilePort, portMatches, portNameProblem, type CompiledPort } from './ports.js';
export {
  compilePolicy,
  effectivePolicyTypes,
  policyRef,
  type CompiledPeer,
  type CompiledPolicy,
  type CompiledRule,
  type CompileOptions,
  type CompileResult,
} from './policy.js';
export {
  evaluate,
  evaluateDirection,
  isolatingPolicies,
  defaultNamespaceLabels,
  type DirectionVerdict,
  type PolicySource,
  type Traffic,
  type TrafficReason,
  type TrafficVerdict,
} from './evaluate.js';
export { defaultDenyStatus, type DefaultDenyDirection, type DefaultDenyStatus } from './default-deny.js';
export {
  DEFAULT_DNS_TARGETS,
  evaluateDnsEgress,
  type DnsAddressTarget,
  type DnsEgressVerdict,
  type DnsIngressDenial,
  type DnsPodTarget,
  type DnsPolicySource,
  type DnsPort,
  type DnsProtocolVerdict,
  type DnsTarget,
} from './dns.js';
export { podKey, reachabilityMatrix, resolvePort, type ReachabilityMatrix } from './matrix.js';
