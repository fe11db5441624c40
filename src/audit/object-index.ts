import { WORKLOAD_KINDS, isWorkloadKind, metadataOf, namespaceOf, objectName } from '../state/objects.js';
import type { ObjectRef, SourceLocation } from './types.js';

/**
 * Facts the store does not keep but the audit reports: where each object was
 * read from, and the controller that owns each workload.
 */
export class ObjectIndex {
  private readonly locations = new Map<string, SourceLocation>();
  private readonly owners = new Map<string, string>();
  private readonly firstLocationIn = new Map<string, SourceLocation>();

  /** Records one object read from a file (with `location`) or from the API server. */
  add(object: Record<string, unknown>, location?: SourceLocation, defaultNamespace = 'default'): void {
    const kind = object.kind;
    if (kind !== 'Namespace' && kind !== 'NetworkPolicy' && !isWorkloadKind(kind)) return;

    const name = objectName(object);
    const namespace = kind === 'Namespace' ? name : namespaceOf(object, defaultNamespace);
    const key = objectKey(kind, namespace, name);
    if (location) {
      this.locations.set(key, location);
      if (!this.firstLocationIn.has(namespace)) this.firstLocationIn.set(namespace, location);
    }

    const references = metadataOf(object).ownerReferences;
    const controller = Array.isArray(references)
      ? (references as Array<Record<string, unknown>>).find((reference) => reference?.controller === true)
      : undefined;
    if (typeof controller?.kind === 'string' && typeof controller.name === 'string') {
      this.owners.set(key, `${controller.kind}/${controller.name}`);
    }
  }

  /** Returns where an object was read from, when it came from a file. */
  locationOf(kind: string, namespace: string, name: string): SourceLocation | undefined {
    return this.locations.get(objectKey(kind, namespace, name));
  }

  /** Returns the Namespace manifest's location, else that of the first object read in the namespace. */
  namespaceLocation(namespace: string): SourceLocation | undefined {
    return this.locationOf('Namespace', namespace, namespace) ?? this.firstLocationIn.get(namespace);
  }

  /** Returns the controller owner as `Kind/name`, from `metadata.ownerReferences`. */
  ownerOf(kind: string, namespace: string, name: string): string | undefined {
    return this.owners.get(objectKey(kind, namespace, name));
  }
}

export function objectKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

const API_VERSIONS: Record<string, string> = { Namespace: 'v1', NetworkPolicy: 'networking.k8s.io/v1' };

/** Builds an object reference with the apiVersion each kind is served under. */
export function objectRef(kind: string, namespace: string | undefined, name: string): ObjectRef {
  let apiVersion = API_VERSIONS[kind] ?? 'v1';
  if (isWorkloadKind(kind)) {
    const info = WORKLOAD_KINDS[kind];
    apiVersion = info.group === '' ? info.version : `${info.group}/${info.version}`;
  }
  return namespace === undefined ? { apiVersion, kind, name } : { apiVersion, kind, namespace, name };
}
