import { cidrContains, cidrWithin, parseAddress, parseCidr, type Cidr, type ParsedAddress } from './cidr.js';
import { compilePort, type CompiledPort } from './ports.js';
import { compileSelector, type LabelMatcher, type SelectorCache } from './selector.js';
import { quoteValue } from './quote.js';
import type {
  Direction,
  Labels,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  NetworkPolicySpec,
  PodEndpoint,
  PolicyError,
  PolicyRef,
} from './types.js';

/** One peer of a rule, compiled to predicates. */
export interface CompiledPeer {
  /** Tests a pod, given the labels of the pod's namespace. */
  matchesPod(pod: PodEndpoint, namespaceLabels: Labels): boolean;
  /** Tests an address outside the pod network. Only `ipBlock` peers match addresses. */
  matchesAddress(address: ParsedAddress): boolean;
}

export interface CompiledRule {
  index: number;
  /** Null when `from`/`to` is missing or empty: the rule matches every peer. */
  peers: CompiledPeer[] | null;
  /** Null when `ports` is missing or empty: the rule matches every port. */
  ports: CompiledPort[] | null;
}

export interface CompiledPolicy {
  ref: PolicyRef;
  namespace: string;
  name: string;
  /** True when `spec.podSelector` is empty and so selects every pod in the namespace. */
  selectsAllPods: boolean;
  selects: LabelMatcher;
  policyTypes: ReadonlySet<Direction>;
  ingress: CompiledRule[];
  egress: CompiledRule[];
  source: NetworkPolicy;
}

export type CompileResult = { ok: true; policy: CompiledPolicy } | { ok: false; errors: PolicyError[] };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Returns `<namespace>/<name>`. */
export function policyRef(policy: { namespace: string; name: string }): PolicyRef {
  return `${policy.namespace}/${policy.name}`;
}

/**
 * Returns the effective policyTypes. When the field is missing or empty the
 * API server defaults it to Ingress, plus Egress if the policy has egress rules.
 */
export function effectivePolicyTypes(policy: NetworkPolicy): ReadonlySet<Direction> {
  const declared = policy.spec.policyTypes ?? [];
  if (declared.length > 0) {
    return policyTypeSet(declared.includes('Ingress'), declared.includes('Egress'));
  }
  return policyTypeSet(true, (policy.spec.egress ?? []).length > 0);
}

// Every policy has one of these four sets, so policies share them instead of holding a Set each.
const POLICY_TYPE_SETS: ReadonlyArray<ReadonlySet<Direction>> = [
  new Set<Direction>(),
  new Set<Direction>(['Ingress']),
  new Set<Direction>(['Egress']),
  new Set<Direction>(['Ingress', 'Egress']),
];

function policyTypeSet(ingress: boolean, egress: boolean): ReadonlySet<Direction> {
  return POLICY_TYPE_SETS[(ingress ? 1 : 0) + (egress ? 2 : 0)]!;
}

/**
 * Validates a NetworkPolicy and compiles it for evaluation. Every problem is
 * returned with its field path, so an invalid policy is never mistaken for one
 * that matches nothing.
 */
export interface CompileOptions {
  /** Shares compiled selectors between policies; the state store passes one for all its policies. */
  selectorCache?: SelectorCache;
}

export function compilePolicy(policy: NetworkPolicy, options: CompileOptions = {}): CompileResult {
  const ref = policyRef(policy);
  const errors: PolicyError[] = [];
  const report = (field: string, message: string): void => {
    errors.push({ policy: ref, field, message });
  };
  // Manifests read from files have not passed API server validation, so field shapes are
  // checked too. A malformed list becomes a reported error instead of a crash or a silent allow.
  const spec: NetworkPolicySpec = isPlainObject(policy.spec) ? policy.spec : {};
  if (policy.spec != null && !isPlainObject(policy.spec)) report('spec', 'must be an object');
  const listAt = <T>(value: T[] | null | undefined, field: string): T[] => {
    if (value === null || value === undefined) return [];
    if (Array.isArray(value)) return value;
    report(field, 'must be a list');
    return [];
  };

  const podSelector = compileSelector(spec.podSelector, 'spec.podSelector', options.selectorCache);
  podSelector.problems.forEach((problem) => report(problem.field, problem.message));

  listAt(spec.policyTypes, 'spec.policyTypes').forEach((type, index) => {
    if (type !== 'Ingress' && type !== 'Egress') {
      report(`spec.policyTypes[${index}]`, `unknown policy type ${quoteValue(type)}; use Ingress or Egress`);
    }
  });

  const compileRules = (direction: Direction): CompiledRule[] => {
    const section = direction === 'Ingress' ? 'ingress' : 'egress';
    const peerKey = direction === 'Ingress' ? 'from' : 'to';
    const rules = listAt(spec[section] as Array<Record<string, unknown> | null> | undefined, `spec.${section}`);
    return rules.map((rule, index) => {
      const field = `spec.${section}[${index}]`;
      if (rule !== null && !isPlainObject(rule)) report(field, `must be an object with ${peerKey} and ports`);
      const body = isPlainObject(rule) ? rule : {};
      const peerList = listAt(body[peerKey] as NetworkPolicyPeer[] | undefined, `${field}.${peerKey}`);
      const peers = peerList.map((peer, peerIndex) =>
        compilePeer(peer, policy.namespace, `${field}.${peerKey}[${peerIndex}]`, report, options.selectorCache),
      );
      const portList = listAt(body.ports as NetworkPolicyPort[] | undefined, `${field}.ports`);
      const ports = portList.flatMap((entry, portIndex) => {
        const problems: { field: string; message: string }[] = [];
        if (entry !== null && !isPlainObject(entry)) {
          report(`${field}.ports[${portIndex}]`, 'must be an object with protocol, port and endPort');
          return [];
        }
        const compiled = compilePort(entry ?? {}, `${field}.ports[${portIndex}]`, problems);
        problems.forEach((problem) => report(problem.field, problem.message));
        return compiled ? [compiled] : [];
      });
      return { index, peers: peers.length > 0 ? peers : null, ports: ports.length > 0 ? ports : null };
    });
  };

  const ingress = compileRules('Ingress');
  const egress = compileRules('Egress');
  if (errors.length > 0) return { ok: false, errors };

  return {
    ok: true,
    policy: {
      ref,
      namespace: policy.namespace,
      name: policy.name,
      selectsAllPods: podSelector.matchesAll,
      selects: podSelector.matches,
      policyTypes: effectivePolicyTypes(policy),
      ingress,
      egress,
      source: policy,
    },
  };
}

function compilePeer(
  peer: NetworkPolicyPeer,
  policyNamespace: string,
  field: string,
  report: (field: string, message: string) => void,
  selectorCache: SelectorCache | undefined,
): CompiledPeer {
  const never: CompiledPeer = { matchesPod: () => false, matchesAddress: () => false };
  if (peer === null || typeof peer !== 'object') {
    report(field, 'must be an object with podSelector, namespaceSelector or ipBlock');
    return never;
  }

  const hasSelectors = peer.podSelector != null || peer.namespaceSelector != null;
  if (peer.ipBlock != null) {
    if (hasSelectors) {
      report(field, 'ipBlock cannot be combined with podSelector or namespaceSelector; write them as separate peers');
      return never;
    }
    return compileIpBlock(peer.ipBlock, `${field}.ipBlock`, report) ?? never;
  }
  if (!hasSelectors) {
    report(field, 'a peer needs podSelector, namespaceSelector or ipBlock; to allow every peer, omit the list instead');
    return never;
  }

  const pods = compileSelector(peer.podSelector, `${field}.podSelector`, selectorCache);
  const namespaces = compileSelector(peer.namespaceSelector, `${field}.namespaceSelector`, selectorCache);
  for (const problem of [...pods.problems, ...namespaces.problems]) report(problem.field, problem.message);

  // Without namespaceSelector the peer means pods in the policy's own namespace;
  // with it, pods (all when podSelector is missing) in every matching namespace.
  const hasNamespaceSelector = peer.namespaceSelector != null;
  return {
    matchesPod: (pod, namespaceLabels) =>
      (hasNamespaceSelector ? namespaces.matches(namespaceLabels) : pod.namespace === policyNamespace) &&
      pods.matches(pod.labels),
    matchesAddress: () => false,
  };
}

function compileIpBlock(
  block: { cidr: string; except?: string[] | null },
  field: string,
  report: (field: string, message: string) => void,
): CompiledPeer | undefined {
  if (!isPlainObject(block)) {
    report(field, 'must be an object with cidr and except');
    return undefined;
  }
  const cidr = parseCidr(block.cidr);
  if (typeof cidr === 'string') {
    report(`${field}.cidr`, cidr);
    return undefined;
  }
  const excepts: Cidr[] = [];
  const exceptList = block.except ?? [];
  if (!Array.isArray(exceptList)) report(`${field}.except`, 'must be a list of CIDRs');
  (Array.isArray(exceptList) ? exceptList : []).forEach((text, index) => {
    const except = parseCidr(text);
    if (typeof except === 'string') {
      report(`${field}.except[${index}]`, except);
    } else if (!cidrWithin(except, cidr) || except.prefixLength === cidr.prefixLength) {
      report(`${field}.except[${index}]`, `${quoteValue(text)} must be a strict subnet of cidr ${quoteValue(block.cidr)}`);
    } else {
      excepts.push(except);
    }
  });

  const matchesAddress = (address: ParsedAddress): boolean =>
    cidrContains(cidr, address) && !excepts.some((except) => cidrContains(except, address));
  return {
    matchesAddress,
    // A pod matches an ipBlock through its pod IP; a template has none and never matches.
    matchesPod: (pod) => {
      const address = pod.ip === undefined ? undefined : parseAddress(pod.ip);
      return address !== undefined && matchesAddress(address);
    },
  };
}
