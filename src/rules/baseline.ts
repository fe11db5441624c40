import {
  compilePolicy,
  type CompiledPolicy,
  type DnsPolicySource,
  type DnsTarget,
  type NetworkPolicySpec,
} from '../engine/index.js';
import { LABEL_BASELINE, LABEL_MANAGED_BY, MANAGER_NAME } from '../config/defaults.js';
import type { Config } from '../config/types.js';
import type { StateStore } from '../state/store.js';
import { withPolicies } from '../state/store.js';

/** A NetworkPolicy object as the reconciler applies it. */
export interface BaselinePolicyObject {
  apiVersion: 'networking.k8s.io/v1';
  kind: 'NetworkPolicy';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: NetworkPolicySpec;
}

/** Builds the egress rules that let pods reach every DNS target on its ports. */
export function dnsEgressRules(targets: readonly DnsTarget[]): NonNullable<NetworkPolicySpec['egress']> {
  return targets.map((target) => {
    const ports = target.ports.map((port) => ({ protocol: port.protocol, port: port.port }));
    if ('ip' in target) {
      const prefix = target.ip.includes(':') ? 128 : 32;
      return { to: [{ ipBlock: { cidr: `${target.ip}/${prefix}` } }], ports };
    }
    return {
      to: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': target.namespace } },
          podSelector: { matchLabels: { ...target.podLabels } },
        },
      ],
      ports,
    };
  });
}

/** Returns the baseline NetworkPolicies for one namespace: default-deny, allow-DNS and any extra templates. */
export function baselinePolicies(
  namespace: string,
  config: Config,
  dnsTargets: readonly DnsTarget[],
): BaselinePolicyObject[] {
  const labels = { [LABEL_MANAGED_BY]: MANAGER_NAME };
  const make = (name: string, spec: NetworkPolicySpec): BaselinePolicyObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace, labels: { ...labels } },
    spec,
  });
  return [
    make(config.baseline.denyAllName, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    make(config.baseline.allowDnsName, { podSelector: {}, policyTypes: ['Egress'], egress: dnsEgressRules(dnsTargets) }),
    ...config.baseline.extraPolicies.map((template) => make(template.name, structuredClone(template.spec) as NetworkPolicySpec)),
  ];
}

export function baselinePolicyNames(config: Config): string[] {
  return [config.baseline.denyAllName, config.baseline.allowDnsName, ...config.baseline.extraPolicies.map((t) => t.name)];
}

/** True when the namespace is labelled for the baseline (the mutating webhook sets this label). */
export function baselineEnabled(labels: Readonly<Record<string, string>> | undefined): boolean {
  return labels?.[LABEL_BASELINE] === 'enabled';
}

/** Names of baseline policies that the namespace should have but the state does not show yet. */
export function missingBaselinePolicies(state: StateStore, namespace: string, config: Config): string[] {
  return baselinePolicyNames(config).filter((name) => state.policy(namespace, name) === undefined);
}

/**
 * Tells whether a namespace's baseline is pending: the namespace is labelled for it
 * (or, with `assumeForUnknown`, is too new for the state to know it) and not
 * every baseline policy is stored yet.
 *
 * `assumeForUnknown` suits a state filled by informers: a namespace it does
 * not know was created after the last event, and the mutating webhook labels
 * every new namespace for the baseline unless it is exempt. Without this,
 * `kubectl apply` of a file with a namespace and its workloads fails whenever
 * the workloads arrive before the namespace's watch event.
 */
export function baselinePending(state: StateStore, namespace: string, config: Config, assumeForUnknown = false): boolean {
  const facts = state.namespace(namespace);
  if (facts === undefined) {
    const exempt = config.exemptions.namespaces.includes(namespace) || namespace === config.webhookNamespace;
    if (!assumeForUnknown || exempt) return false;
  } else if (!baselineEnabled(facts.labels)) {
    return false;
  }
  return missingBaselinePolicies(state, namespace, config).length > 0;
}

/**
 * Returns the policy source rules decide on. In a namespace whose baseline is
 * pending, the missing baseline policies are added as if present, so workloads
 * created with the namespace are judged by the policies they will run under.
 */
export function effectivePolicySource(
  state: StateStore,
  namespace: string,
  config: Config,
  dnsTargets: readonly DnsTarget[],
  assumeForUnknown = false,
): DnsPolicySource {
  if (!baselinePending(state, namespace, config, assumeForUnknown)) return state;
  const missing = new Set(missingBaselinePolicies(state, namespace, config));

  const pending: CompiledPolicy[] = [];
  for (const object of baselinePolicies(namespace, config, dnsTargets)) {
    if (!missing.has(object.metadata.name)) continue;
    const result = compilePolicy({ namespace, name: object.metadata.name, spec: object.spec });
    if (result.ok) pending.push(result.policy);
  }
  return withPolicies(state, namespace, [...state.policiesIn(namespace), ...pending]);
}
