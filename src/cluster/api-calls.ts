/**
 * Every Kubernetes API call the process makes, by API group, resource and
 * verb. The ClusterRole in manifests/ is tested against this list, so it must
 * change with the code that makes the calls.
 */
export interface ApiCall {
  group: string;
  resource: string;
  verbs: readonly string[];
  /** `cluster` for a ClusterRole rule; `own-namespace` for a Role in the webhook's namespace. */
  scope: 'cluster' | 'own-namespace';
  why: string;
}

export const API_CALLS: readonly ApiCall[] = [
  { group: '', resource: 'namespaces', verbs: ['list', 'watch'], scope: 'cluster', why: 'namespace labels, modes and exemptions' },
  { group: '', resource: 'pods', verbs: ['list', 'watch'], scope: 'cluster', why: 'pod labels, ports and IPs' },
  { group: '', resource: 'replicationcontrollers', verbs: ['list', 'watch'], scope: 'cluster', why: 'pod templates' },
  { group: '', resource: 'services', verbs: ['list', 'watch'], scope: 'cluster', why: 'DNS Service discovery' },
  { group: 'apps', resource: 'deployments', verbs: ['list', 'watch'], scope: 'cluster', why: 'pod templates' },
  { group: 'apps', resource: 'replicasets', verbs: ['list', 'watch'], scope: 'cluster', why: 'pod templates' },
  { group: 'apps', resource: 'statefulsets', verbs: ['list', 'watch'], scope: 'cluster', why: 'pod templates' },
  { group: 'apps', resource: 'daemonsets', verbs: ['list', 'watch'], scope: 'cluster', why: 'pod templates' },
  { group: 'batch', resource: 'jobs', verbs: ['list', 'watch'], scope: 'cluster', why: 'pod templates' },
  { group: 'batch', resource: 'cronjobs', verbs: ['list', 'watch'], scope: 'cluster', why: 'pod templates' },
  { group: 'discovery.k8s.io', resource: 'endpointslices', verbs: ['list', 'watch'], scope: 'cluster', why: 'DNS pod ports behind the DNS Service' },
  {
    group: 'networking.k8s.io',
    resource: 'networkpolicies',
    verbs: ['list', 'watch', 'create', 'patch'],
    scope: 'cluster',
    // The API server authorizes a server-side apply that creates the object as `create` as well as `patch`.
    why: 'the policies decisions read, and server-side apply of baseline policies',
  },
  { group: 'authorization.k8s.io', resource: 'subjectaccessreviews', verbs: ['create'], scope: 'cluster', why: 'RBAC approvers of exemptions' },
  { group: 'coordination.k8s.io', resource: 'leases', verbs: ['get', 'create', 'update'], scope: 'own-namespace', why: 'leader election' },
];
