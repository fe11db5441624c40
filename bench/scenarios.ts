/** Scenarios of the benchmark: the states a webhook server loads and the loads sent to each server. */
import { join } from 'node:path';
import { requestNamespace, type ClusterSpec } from './fixtures/generate-cluster.js';
import type { PayloadId, ReviewTarget } from './fixtures/reviews.js';
import { repositoryRoot } from './paths.js';
import type { StateSource } from './protocol.js';

export type StateId = 'examples' | 'policies-100' | 'policies-50k';

export interface StateDefinition {
  id: StateId;
  label: string;
  source: StateSource;
  target: ReviewTarget;
}

export interface ScenarioDefinition {
  id: string;
  label: string;
  /** The server under load: the bare baseline or a webhook with this state. */
  state: StateId;
  payload: PayloadId;
  /** Fixed request rate across all connections; unset means as fast as the server responds. */
  overallRate?: number;
  /** Whether a baseline run with the same payload is measured beside this one, to give the ratio. */
  compareToBaseline: boolean;
}

export interface StateSizes {
  small: ClusterSpec;
  large: ClusterSpec;
}

/** 100 NetworkPolicies, and 50,000 NetworkPolicies across 10,000 namespaces with 100,000 pods. */
export const DEFAULT_STATE_SIZES: StateSizes = {
  small: { namespaces: 20, policiesPerNamespace: 5, podsPerNamespace: 10 },
  large: { namespaces: 10_000, policiesPerNamespace: 5, podsPerNamespace: 10 },
};

/** The rate of the fixed-rate run, at which the p99 target applies. */
export const FIXED_RATE = 1000;

function generated(id: StateId, spec: ClusterSpec): StateDefinition {
  const policies = spec.namespaces * spec.policiesPerNamespace;
  const pods = spec.namespaces * spec.podsPerNamespace;
  return {
    id,
    label: `${policies.toLocaleString('en-US')} NetworkPolicies, ${spec.namespaces.toLocaleString('en-US')} namespaces, ${pods.toLocaleString('en-US')} pods`,
    source: { kind: 'generated', spec },
    target: { namespace: requestNamespace(spec), podLabels: { app: 'api' } },
  };
}

export function benchStates(sizes: StateSizes = DEFAULT_STATE_SIZES): StateDefinition[] {
  return [
    {
      id: 'examples',
      label: 'examples/cluster (files, as serve --state reads them)',
      source: { kind: 'files', paths: [join(repositoryRoot(), 'examples', 'cluster')] },
      target: { namespace: 'shop' },
    },
    generated('policies-100', sizes.small),
    generated('policies-50k', sizes.large),
  ];
}

/** Every load, in the order it runs; runs of one state run together so each state is loaded once. */
export const SCENARIOS: readonly ScenarioDefinition[] = [
  { id: 'validate-pod', label: '/validate Pod', state: 'examples', payload: 'pod', compareToBaseline: true },
  { id: 'validate-deployment', label: '/validate Deployment', state: 'examples', payload: 'deployment', compareToBaseline: true },
  { id: 'mutate-namespace', label: '/mutate Namespace', state: 'examples', payload: 'namespace', compareToBaseline: true },
  { id: 'trivial-configmap', label: '/validate ConfigMap (trivial allow)', state: 'examples', payload: 'configmap', compareToBaseline: true },
  { id: 'fixed-rate-pod', label: `/validate Pod at ${FIXED_RATE} req/s`, state: 'examples', payload: 'pod', overallRate: FIXED_RATE, compareToBaseline: false },
  { id: 'validate-pod-100', label: '/validate Pod', state: 'policies-100', payload: 'pod', compareToBaseline: true },
  { id: 'validate-deployment-100', label: '/validate Deployment', state: 'policies-100', payload: 'deployment', compareToBaseline: true },
  { id: 'validate-pod-50k', label: '/validate Pod', state: 'policies-50k', payload: 'pod', compareToBaseline: true },
  { id: 'validate-deployment-50k', label: '/validate Deployment', state: 'policies-50k', payload: 'deployment', compareToBaseline: true },
];
