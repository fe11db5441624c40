/**
 * Reads the audit input from a live cluster: one paginated list per kind, no
 * watch. Unlike the rest of src/audit this module performs I/O.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { makeClients } from '../cluster/kube-client.js';
import { describeError } from '../cluster/kube-errors.js';
import { WORKLOAD_KINDS, type WorkloadKind } from '../state/objects.js';
import { StateStore } from '../state/store.js';
import type { AuditInput } from './audit.js';
import { ObjectIndex } from './object-index.js';

/** Objects per list request, as kubectl's default --chunk-size; without a limit the API server returns every object at once. */
const PAGE_SIZE = 500;

interface ListedKind {
  kind: 'Namespace' | 'NetworkPolicy' | WorkloadKind;
  apiVersion: string;
}

/** Kinds read, in order: namespaces first, so objects land in known namespaces. */
export const LISTED_KINDS: readonly ListedKind[] = [
  { kind: 'Namespace', apiVersion: 'v1' },
  { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1' },
  ...(Object.keys(WORKLOAD_KINDS) as WorkloadKind[]).map((kind) => {
    const { group, version } = WORKLOAD_KINDS[kind];
    return { kind, apiVersion: group === '' ? version : `${group}/${version}` };
  }),
];

/** Error for a cluster that cannot be read; the message names the kind and the HTTP status or network error. */
export class ClusterReadError extends Error {
  override name = 'ClusterReadError';
}

export interface ClusterReadOptions {
  /** Read namespaced objects only in these namespaces; all when absent. */
  namespaces?: readonly string[];
  /** Called after each page with the number of objects read so far and the kind being read. */
  onProgress?: (objects: number, kind: string) => void;
}

/** Lists every kind the rules read into a new store. Throws ClusterReadError. */
export async function readClusterInput(kubeConfig: KubeConfig, options: ClusterReadOptions = {}): Promise<AuditInput> {
  const { objects: api } = makeClients(kubeConfig);
  const store = new StateStore();
  const index = new ObjectIndex();
  let total = 0;

  for (const { kind, apiVersion } of LISTED_KINDS) {
    const scopes = kind === 'Namespace' || options.namespaces === undefined ? [undefined] : options.namespaces;
    for (const namespace of scopes) {
      let continueToken: string | undefined;
      do {
        let page;
        try {
          page = await api.list<KubernetesObject>(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, undefined, PAGE_SIZE, continueToken);
        } catch (error) {
          const where = namespace === undefined ? '' : ` in namespace ${namespace}`;
          throw new ClusterReadError(`listing ${kind} objects${where} failed: ${describeError(error)}`);
        }
        for (const item of page.items) {
          // Items of a list carry no apiVersion or kind; the store needs the kind.
          const object = { ...(item as Record<string, unknown>), apiVersion, kind };
          store.apply(object);
          index.add(object);
        }
        total += page.items.length;
        options.onProgress?.(total, kind);
        // RawObjectApi returns the wire JSON, where the field is `continue`, not the model's `_continue`.
        continueToken = (page.metadata as { continue?: string } | undefined)?.continue || undefined;
      } while (continueToken !== undefined);
    }
  }
  return { store, index };
}
