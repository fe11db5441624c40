import type { Logger } from 'pino';
import { WORKLOAD_KINDS, type WorkloadKind } from '../state/objects.js';
import type { StateStore } from '../state/store.js';
import type { BackoffPolicy } from './backoff.js';
import type { DnsDiscovery } from './dns-discovery.js';
import type { KubeClients } from './kube-client.js';
import { Reflector, type RawObject, type ReflectorHandler, type ReflectorStatus, type ResourceRef } from './reflector.js';

export type ChangeKind = 'Namespace' | 'NetworkPolicy' | WorkloadKind | 'Service' | 'EndpointSlice';

/** One object stored or removed. `object` is the API object of an upsert, for listeners that compare it; never keep it. */
export interface StateChange {
  kind: ChangeKind;
  type: 'upsert' | 'remove';
  namespace: string;
  name: string;
  object?: RawObject;
}

export type ChangeListener = (change: StateChange) => void;

/** Fans out state changes to the reconciler, DNS discovery and baseline waiters. */
export class StateChanges {
  private readonly listeners = new Set<ChangeListener>();

  on(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(change: StateChange): void {
    for (const listener of [...this.listeners]) listener(change);
  }
}

export interface StateReflectorOptions {
  store: StateStore;
  clients: KubeClients;
  changes: StateChanges;
  logger: Logger;
  /** DNS discovery and the Services it reads; without it no Service or EndpointSlice is watched. */
  dns?: { discovery: DnsDiscovery; services: ReadonlyArray<{ namespace: string; name: string }> };
  backoff?: BackoffPolicy;
  pageSize?: number;
  onStatus?: (status: ReflectorStatus) => void;
}

function nameOf(object: RawObject): { namespace: string; name: string } {
  return { namespace: object.metadata?.namespace ?? '', name: object.metadata?.name ?? '' };
}

/**
 * Creates one reflector per resource the decisions read (Namespaces,
 * NetworkPolicies, Pods and every workload kind with a pod template) plus the
 * DNS Services and their EndpointSlices, each writing into the store.
 */
export function stateReflectors(options: StateReflectorOptions): Reflector[] {
  const { store, changes, logger, dns } = options;
  const make = (name: string, resource: ResourceRef, handler: ReflectorHandler): Reflector =>
    new Reflector({
      name,
      resource,
      handler,
      objects: options.clients.objects,
      watch: options.clients.watch,
      logger,
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(options.pageSize ? { pageSize: options.pageSize } : {}),
      ...(options.onStatus ? { onStatus: options.onStatus } : {}),
    });

  const refreshDnsFor = (namespace: string): void => {
    if (dns?.discovery.watchesNamespace(namespace)) dns.discovery.refresh();
  };

  const reflectors: Reflector[] = [
    make('namespaces', { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace' }, {
      upsert: (object) => {
        const facts = store.putNamespace(object);
        changes.emit({ kind: 'Namespace', type: 'upsert', namespace: facts.name, name: facts.name, object });
      },
      remove: (_namespace, name) => {
        store.remove('Namespace', '', name);
        changes.emit({ kind: 'Namespace', type: 'remove', namespace: name, name });
      },
    }),
    make('networkpolicies', { group: 'networking.k8s.io', version: 'v1', resource: 'networkpolicies', kind: 'NetworkPolicy' }, {
      upsert: (object) => {
        const { namespace, name } = nameOf(object);
        const errors = store.putNetworkPolicy(object);
        if (errors.length > 0) {
          logger.warn({ namespace, policy: name, problems: errors.map((error) => `${error.field}: ${error.message}`) }, 'stored invalid network policy apart');
        }
        changes.emit({ kind: 'NetworkPolicy', type: 'upsert', namespace, name, object });
      },
      remove: (namespace, name) => {
        store.remove('NetworkPolicy', namespace, name);
        changes.emit({ kind: 'NetworkPolicy', type: 'remove', namespace, name });
      },
    }),
  ];

  for (const [kind, type] of Object.entries(WORKLOAD_KINDS) as Array<[WorkloadKind, (typeof WORKLOAD_KINDS)[WorkloadKind]]>) {
    reflectors.push(
      make(type.resource, { group: type.group, version: type.version, resource: type.resource, kind }, {
        upsert: (object) => {
          const facts = store.putWorkload(kind, object);
          changes.emit({ kind, type: 'upsert', namespace: facts.namespace, name: nameOf(object).name, object });
          if (kind === 'Pod') refreshDnsFor(facts.namespace);
        },
        remove: (namespace, name) => {
          store.remove(kind, namespace, name);
          changes.emit({ kind, type: 'remove', namespace, name });
          if (kind === 'Pod') refreshDnsFor(namespace);
        },
      }),
    );
  }

  for (const service of dns?.services ?? []) {
    const id = `${service.namespace}/${service.name}`;
    reflectors.push(
      make(
        `services ${id}`,
        { group: '', version: 'v1', resource: 'services', kind: 'Service', namespace: service.namespace, fieldSelector: `metadata.name=${service.name}` },
        {
          upsert: (object) => {
            dns!.discovery.putService(object);
            changes.emit({ kind: 'Service', type: 'upsert', ...nameOf(object) });
            dns!.discovery.refresh();
          },
          remove: (namespace, name) => {
            dns!.discovery.removeService(namespace, name);
            changes.emit({ kind: 'Service', type: 'remove', namespace, name });
            dns!.discovery.refresh();
          },
        },
      ),
      make(
        `endpointslices ${id}`,
        {
          group: 'discovery.k8s.io',
          version: 'v1',
          resource: 'endpointslices',
          kind: 'EndpointSlice',
          namespace: service.namespace,
          labelSelector: `kubernetes.io/service-name=${service.name}`,
        },
        {
          upsert: (object) => {
            dns!.discovery.putEndpointSlice(object);
            changes.emit({ kind: 'EndpointSlice', type: 'upsert', ...nameOf(object) });
            dns!.discovery.refresh();
          },
          remove: (namespace, name) => {
            dns!.discovery.removeEndpointSlice(namespace, name);
            changes.emit({ kind: 'EndpointSlice', type: 'remove', namespace, name });
            dns!.discovery.refresh();
          },
        },
      ),
    );
  }
  return reflectors;
}
