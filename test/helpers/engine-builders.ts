/**
 * Builders shared by the engine tests: pods, policies and an in-memory
 * PolicySource made from plain data, so engine tests need nothing from src/state.
 */
import {
  compilePolicy,
  defaultNamespaceLabels,
  type CompiledPolicy,
  type ContainerPort,
  type DnsPolicySource,
  type Labels,
  type NetworkPolicy,
  type NetworkPolicySpec,
  type PodEndpoint,
} from '../../src/engine/index.js';

export function pod(
  namespace: string,
  name: string,
  labels: Labels,
  ip?: string,
  ports: ContainerPort[] = [],
): PodEndpoint {
  return { kind: 'pod', namespace, name, labels, ports, ...(ip === undefined ? {} : { ip }) };
}

export function policy(namespace: string, name: string, spec: NetworkPolicySpec): NetworkPolicy {
  return { namespace, name, spec };
}

/** Compiles a policy that the test expects to be valid, and fails loudly when it is not. */
export function compiled(source: NetworkPolicy): CompiledPolicy {
  const result = compilePolicy(source);
  if (!result.ok) {
    throw new Error(`test policy ${source.namespace}/${source.name} is invalid: ${JSON.stringify(result.errors)}`);
  }
  return result.policy;
}

/**
 * Returns a PolicySource over `policies`. Namespaces not listed in
 * `namespaceLabels` get only `kubernetes.io/metadata.name`, as the API server sets it.
 */
export function sourceOf(
  policies: readonly NetworkPolicy[],
  namespaceLabels: Record<string, Labels> = {},
  pods: readonly PodEndpoint[] = [],
): DnsPolicySource {
  const compiledPolicies = policies.map(compiled);
  return {
    namespaceLabels: (namespace) => ({ ...defaultNamespaceLabels(namespace), ...namespaceLabels[namespace] }),
    policiesIn: (namespace) => compiledPolicies.filter((entry) => entry.namespace === namespace),
    podsIn: (namespace) => pods.filter((entry) => entry.namespace === namespace),
  };
}
