import {
  compilePolicy,
  defaultNamespaceLabels,
  type CompiledPolicy,
  type DnsPolicySource,
  type Labels,
  type PodEndpoint,
  type PolicyError,
  type SelectorCache,
} from '../engine/index.js';
import {
  isWorkloadKind,
  namespaceFacts,
  namespaceOf,
  networkPolicyOf,
  objectName,
  workloadFacts,
  type NamespaceFacts,
  type WorkloadFacts,
  type WorkloadKind,
} from './objects.js';

/** Caps the map of shared label, annotation and port values; past it, values are kept unshared. */
const SHARED_VALUES_LIMIT = 200_000;

interface NamespaceEntry {
  facts?: NamespaceFacts;
  policies: Map<string, CompiledPolicy>;
  invalidPolicies: Map<string, PolicyError[]>;
  workloads: Map<string, WorkloadFacts>;
  /** Rebuilt lazily after a change, so reviews read plain arrays. */
  policyList?: CompiledPolicy[];
  podList?: PodEndpoint[];
}

export interface StoreCounts {
  namespaces: number;
  networkPolicies: number;
  invalidNetworkPolicies: number;
  workloads: number;
  pods: number;
}

/** The outcome for one object given to `StateStore.apply`. */
export type ApplyOutcome =
  | { stored: true }
  | { stored: false; reason: 'ignored-kind' }
  | { stored: false; reason: 'invalid-policy'; errors: PolicyError[] };

/**
 * The in-memory cluster state that rules decide on, indexed by namespace so a
 * review reads only the namespaces it names. Filled from manifest files or
 * from informers; it never performs I/O itself.
 */
export class StateStore implements DnsPolicySource {
  private readonly entries = new Map<string, NamespaceEntry>();
  /** Equal selectors of different policies share one compiled form, which saves memory at scale. */
  private readonly selectorCache: SelectorCache = new Map();
  private readonly sharedValues = new Map<string, object>();
  private changeCount = 0;

  /** Increases on every change; caches keyed on it stay valid until the state changes. */
  get generation(): number {
    return this.changeCount;
  }

  private entry(namespace: string): NamespaceEntry {
    let entry = this.entries.get(namespace);
    if (!entry) {
      entry = { policies: new Map(), invalidPolicies: new Map(), workloads: new Map() };
      this.entries.set(namespace, entry);
    }
    return entry;
  }

  private changed(entry: NamespaceEntry): void {
    entry.policyList = undefined;
    entry.podList = undefined;
    this.changeCount++;
  }

  /** Stores a Namespace, NetworkPolicy, Pod or workload object; other kinds are ignored. */
  apply(object: Record<string, unknown>, defaultNamespace = 'default'): ApplyOutcome {
    const kind = object.kind;
    if (kind === 'Namespace') {
      this.putNamespace(object);
      return { stored: true };
    }
    if (kind === 'NetworkPolicy') {
      const errors = this.putNetworkPolicy(object, defaultNamespace);
      return errors.length > 0 ? { stored: false, reason: 'invalid-policy', errors } : { stored: true };
    }
    if (isWorkloadKind(kind)) {
      this.putWorkload(kind, object, defaultNamespace);
      return { stored: true };
    }
    return { stored: false, reason: 'ignored-kind' };
  }

  /** Removes an object by kind, namespace and name; unknown objects are ignored. */
  remove(kind: string, namespace: string, name: string): void {
    if (kind === 'Namespace') {
      if (this.entries.delete(name)) this.changeCount++;
      return;
    }
    const entry = this.entries.get(namespace);
    if (!entry) return;
    if (kind === 'NetworkPolicy') {
      entry.policies.delete(name);
      entry.invalidPolicies.delete(name);
    } else if (isWorkloadKind(kind)) {
      entry.workloads.delete(`${kind}/${name}`);
    } else {
      return;
    }
    this.changed(entry);
  }

  putNamespace(object: unknown): NamespaceFacts {
    const facts = namespaceFacts(object);
    const entry = this.entry(facts.name);
    entry.facts = facts;
    this.changed(entry);
    return facts;
  }

  /** Stores a NetworkPolicy and returns its validation errors; an invalid policy is kept apart and reported. */
  putNetworkPolicy(object: unknown, defaultNamespace = 'default'): PolicyError[] {
    const policy = networkPolicyOf(object, namespaceOf(object, defaultNamespace));
    const entry = this.entry(policy.namespace);
    const result = compilePolicy(policy, { selectorCache: this.selectorCache });
    if (result.ok) {
      entry.policies.set(policy.name, result.policy);
      entry.invalidPolicies.delete(policy.name);
    } else {
      entry.policies.delete(policy.name);
      entry.invalidPolicies.set(policy.name, result.errors);
    }
    this.changed(entry);
    return result.ok ? [] : result.errors;
  }

  putWorkload(kind: WorkloadKind, object: unknown, defaultNamespace = 'default'): WorkloadFacts {
    const facts = workloadFacts(kind, object, namespaceOf(object, defaultNamespace));
    facts.podLabels = this.shared(facts.podLabels);
    facts.annotations = this.shared(facts.annotations);
    facts.ports = this.shared(facts.ports);
    const entry = this.entry(facts.namespace);
    entry.workloads.set(`${kind}/${objectName(object)}`, facts);
    this.changed(entry);
    return facts;
  }

  /**
   * Returns an equal value stored before, or stores this one. The pods of one
   * workload carry equal labels, annotations and ports, so sharing one copy
   * saves memory with 100,000 pods. Shared values are never modified.
   */
  private shared<T extends object>(value: T): T {
    const key = JSON.stringify(value);
    const existing = this.sharedValues.get(key);
    if (existing !== undefined) return existing as T;
    if (this.sharedValues.size < SHARED_VALUES_LIMIT) this.sharedValues.set(key, value);
    return value;
  }

  namespace(name: string): NamespaceFacts | undefined {
    return this.entries.get(name)?.facts;
  }

  namespaceNames(): string[] {
    return [...this.entries.keys()].sort();
  }

  namespaceLabels(namespace: string): Labels {
    return this.entries.get(namespace)?.facts?.labels ?? defaultNamespaceLabels(namespace);
  }

  policiesIn(namespace: string): readonly CompiledPolicy[] {
    const entry = this.entries.get(namespace);
    if (!entry) return [];
    entry.policyList ??= [...entry.policies.values()].sort((a, b) => a.name.localeCompare(b.name));
    return entry.policyList;
  }

  policy(namespace: string, name: string): CompiledPolicy | undefined {
    return this.entries.get(namespace)?.policies.get(name);
  }

  invalidPolicies(): PolicyError[] {
    return [...this.entries.values()].flatMap((entry) => [...entry.invalidPolicies.values()].flat());
  }

  workloadsIn(namespace: string): WorkloadFacts[] {
    return [...(this.entries.get(namespace)?.workloads.values() ?? [])];
  }

  podsIn(namespace: string): readonly PodEndpoint[] {
    const entry = this.entries.get(namespace);
    if (!entry) return [];
    entry.podList ??= [...entry.workloads.values()].filter((workload) => workload.kind === 'Pod').map(podEndpointOf);
    return entry.podList;
  }

  counts(): StoreCounts {
    const counts: StoreCounts = { namespaces: 0, networkPolicies: 0, invalidNetworkPolicies: 0, workloads: 0, pods: 0 };
    for (const entry of this.entries.values()) {
      if (entry.facts) counts.namespaces++;
      counts.networkPolicies += entry.policies.size;
      counts.invalidNetworkPolicies += entry.invalidPolicies.size;
      for (const workload of entry.workloads.values()) {
        if (workload.kind === 'Pod') counts.pods++;
        else counts.workloads++;
      }
    }
    return counts;
  }
}

/** Returns the engine's view of a stored Pod or pod template. */
export function podEndpointOf(workload: WorkloadFacts): PodEndpoint {
  return {
    kind: 'pod',
    namespace: workload.namespace,
    name: workload.name,
    labels: workload.podLabels,
    ports: workload.ports,
    ...(workload.podIP === undefined ? {} : { ip: workload.podIP }),
  };
}

/**
 * Returns a view of `base` in which one namespace's policies are replaced,
 * for deciding what a NetworkPolicy change would do before it is stored.
 */
export function withPolicies(
  base: DnsPolicySource,
  namespace: string,
  policies: readonly CompiledPolicy[],
): DnsPolicySource {
  return {
    namespaceLabels: (name) => base.namespaceLabels(name),
    policiesIn: (name) => (name === namespace ? policies : base.policiesIn(name)),
    podsIn: (name) => base.podsIn?.(name) ?? [],
  };
}
