/**
 * The resource types the test API server serves, described the way the real
 * server's discovery documents describe them, plus the registry behaviour that
 * differs between types.
 */

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface ResourceType {
  /** API group, '' for the core group served under /api. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** Resource name as it appears in URLs, e.g. 'networkpolicies'. */
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly verbs: readonly Verb[];
  readonly shortNames?: readonly string[];
  /** Whether the type has a status subresource, so writes to the main resource keep the stored status. */
  readonly statusSubresource: boolean;
  /**
   * Whether DELETE responds with the deleted object instead of a Success Status,
   * as the apiserver registries of pods, services and namespaces do.
   */
  readonly returnsDeletedObject: boolean;
  /** Whether objects are kept. Review types are only evaluated on create. */
  readonly stored: boolean;
  /** Field selector labels beyond metadata.name and metadata.namespace. */
  readonly fieldLabels?: readonly string[];
}

const ALL_VERBS: readonly Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function storedType(
  fields: Pick<ResourceType, 'group' | 'version' | 'kind' | 'plural' | 'namespaced'> & Partial<ResourceType>,
): ResourceType {
  return {
    singular: fields.kind.toLowerCase(),
    verbs: ALL_VERBS,
    statusSubresource: false,
    returnsDeletedObject: false,
    stored: true,
    ...fields,
  };
}

/** The types served unless the caller passes its own list. */
export const DEFAULT_RESOURCE_TYPES: readonly ResourceType[] = [
  storedType({
    group: '',
    version: 'v1',
    kind: 'Namespace',
    plural: 'namespaces',
    namespaced: false,
    shortNames: ['ns'],
    statusSubresource: true,
    returnsDeletedObject: true,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    fieldLabels: ['status.phase'],
  }),
  storedType({
    group: '',
    version: 'v1',
    kind: 'Pod',
    plural: 'pods',
    namespaced: true,
    shortNames: ['po'],
    statusSubresource: true,
    returnsDeletedObject: true,
    fieldLabels: [
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'status.phase',
      'status.podIP',
      'status.nominatedNodeName',
    ],
  }),
  storedType({
    group: '',
    version: 'v1',
    kind: 'Service',
    plural: 'services',
    namespaced: true,
    shortNames: ['svc'],
    statusSubresource: true,
    returnsDeletedObject: true,
  }),
  storedType({
    group: '',
    version: 'v1',
    kind: 'ReplicationController',
    plural: 'replicationcontrollers',
    namespaced: true,
    shortNames: ['rc'],
    statusSubresource: true,
  }),
  storedType({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm'] }),
  storedType({
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'NetworkPolicy',
    plural: 'networkpolicies',
    namespaced: true,
    shortNames: ['netpol'],
  }),
  storedType({
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    plural: 'deployments',
    namespaced: true,
    shortNames: ['deploy'],
    statusSubresource: true,
  }),
  storedType({
    group: 'apps',
    version: 'v1',
    kind: 'ReplicaSet',
    plural: 'replicasets',
    namespaced: true,
    shortNames: ['rs'],
    statusSubresource: true,
  }),
  storedType({
    group: 'apps',
    version: 'v1',
    kind: 'StatefulSet',
    plural: 'statefulsets',
    namespaced: true,
    shortNames: ['sts'],
    statusSubresource: true,
  }),
  storedType({
    group: 'apps',
    version: 'v1',
    kind: 'DaemonSet',
    plural: 'daemonsets',
    namespaced: true,
    shortNames: ['ds'],
    statusSubresource: true,
  }),
  storedType({ group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', namespaced: true, statusSubresource: true }),
  storedType({
    group: 'batch',
    version: 'v1',
    kind: 'CronJob',
    plural: 'cronjobs',
    namespaced: true,
    shortNames: ['cj'],
    statusSubresource: true,
  }),
  storedType({
    group: 'discovery.k8s.io',
    version: 'v1',
    kind: 'EndpointSlice',
    plural: 'endpointslices',
    namespaced: true,
  }),
  storedType({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true }),
  storedType({
    group: 'authorization.k8s.io',
    version: 'v1',
    kind: 'SubjectAccessReview',
    plural: 'subjectaccessreviews',
    namespaced: false,
    verbs: ['create'],
    stored: false,
  }),
];

/** Returns 'v1' for the core group and 'group/version' otherwise. */
export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

/** Returns the name the real server uses in messages, e.g. 'pods' or 'leases.coordination.k8s.io'. */
export function qualifiedResource(type: ResourceType): string {
  return type.group === '' ? type.plural : `${type.plural}.${type.group}`;
}

/** Lookups over one set of resource types. */
export class ResourceCatalog {
  readonly types: readonly ResourceType[];

  constructor(types: readonly ResourceType[]) {
    this.types = types;
  }

  /** Finds the type served at /api(s)/GROUP/VERSION/PLURAL. */
  byPath(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.find((type) => type.group === group && type.version === version && type.plural === plural);
  }

  /** Finds the type of an object from its apiVersion and kind. */
  byApiVersionKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.types.find((type) => apiVersionOf(type) === apiVersion && type.kind === kind);
  }

  /** Finds a type by kind ('Pod'), plural ('pods') or qualified plural ('leases.coordination.k8s.io'). */
  byName(name: string): ResourceType | undefined {
    return this.types.find(
      (type) => type.kind === name || type.plural === name || qualifiedResource(type) === name,
    );
  }

  /** Returns the types of one group version, in catalog order. */
  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.types.filter((type) => type.group === group && type.version === version);
  }

  /** Returns the group names (without the core group) in first-seen order, each with its versions. */
  groups(): Map<string, string[]> {
    const groups = new Map<string, string[]>();
    for (const type of this.types) {
      if (type.group === '') {
        continue;
      }
      const versions = groups.get(type.group) ?? [];
      if (!versions.includes(type.version)) {
        versions.push(type.version);
      }
      groups.set(type.group, versions);
    }
    return groups;
  }

  /** Returns the versions served for the core group. */
  coreVersions(): string[] {
    return [...new Set(this.types.filter((type) => type.group === '').map((type) => type.version))];
  }
}
