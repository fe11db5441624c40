/**
 * The object store: objects by type, namespace and name, one resourceVersion
 * counter for all types (as etcd's revision is), and a bounded history of
 * changes that watches replay from.
 */
import { deepCopy, objectName, objectNamespace, type KubeObject } from './objects.js';
import type { ResourceType } from './resources.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ChangeEvent {
  readonly type: ChangeType;
  readonly resource: ResourceType;
  /** The object after the change. For DELETED, its last state carrying the deletion's resourceVersion. */
  readonly object: KubeObject;
  /** The object before the change, for MODIFIED and DELETED. */
  readonly previous?: KubeObject;
  readonly resourceVersion: number;
}

/** The result of a resume request older than the kept history. */
export interface HistoryExpired {
  readonly expired: true;
  readonly oldestResourceVersion: number;
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

function byNamespaceThenName(left: KubeObject, right: KubeObject): number {
  const namespaceOrder = (objectNamespace(left) ?? '').localeCompare(objectNamespace(right) ?? '');
  return namespaceOrder !== 0 ? namespaceOrder : objectName(left).localeCompare(objectName(right));
}

export class ObjectStore {
  readonly historyLimit: number;
  readonly #objects = new Map<ResourceType, Map<string, KubeObject>>();
  readonly #listeners = new Set<(event: ChangeEvent) => void>();
  #history: ChangeEvent[] = [];
  #resourceVersion: number;
  /** A watch can resume from resourceVersion r only when r is at least this value. */
  #oldestResumable: number;

  constructor(historyLimit: number, initialResourceVersion = 1) {
    this.historyLimit = historyLimit;
    this.#resourceVersion = initialResourceVersion;
    this.#oldestResumable = initialResourceVersion;
  }

  get resourceVersion(): number {
    return this.#resourceVersion;
  }

  /** Returns a copy of the stored object, or undefined. */
  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const object = this.#objects.get(type)?.get(objectKey(namespace, name));
    return object === undefined ? undefined : deepCopy(object);
  }

  /** Returns copies of the objects of a type, of one namespace when given, sorted by namespace and name. */
  list(type: ResourceType, namespace?: string): KubeObject[] {
    const objects = [...(this.#objects.get(type)?.values() ?? [])];
    return objects
      .filter((object) => namespace === undefined || objectNamespace(object) === namespace)
      .sort(byNamespaceThenName)
      .map((object) => deepCopy(object));
  }

  /** Stores a new state of an object under the next resourceVersion and returns a copy of it. */
  write(type: ResourceType, object: KubeObject): KubeObject {
    const objects = this.#objects.get(type) ?? new Map<string, KubeObject>();
    this.#objects.set(type, objects);
    const key = objectKey(objectNamespace(object), objectName(object));
    const previous = objects.get(key);

    const resourceVersion = this.#nextResourceVersion();
    const stored = deepCopy(object);
    stored.metadata.resourceVersion = String(resourceVersion);
    objects.set(key, stored);

    if (previous === undefined) {
      this.#record({ type: 'ADDED', resource: type, object: stored, resourceVersion });
    } else {
      this.#record({ type: 'MODIFIED', resource: type, object: stored, previous, resourceVersion });
    }
    return deepCopy(stored);
  }

  /** Removes an object and returns its last state, carrying the deletion's resourceVersion. */
  delete(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const objects = this.#objects.get(type);
    const key = objectKey(namespace, name);
    const previous = objects?.get(key);
    if (objects === undefined || previous === undefined) {
      return undefined;
    }
    objects.delete(key);

    const resourceVersion = this.#nextResourceVersion();
    const last = deepCopy(previous);
    last.metadata.resourceVersion = String(resourceVersion);
    this.#record({ type: 'DELETED', resource: type, object: last, previous, resourceVersion });
    return deepCopy(last);
  }

  /** Returns the changes after a resourceVersion, oldest first, or why they are no longer available. */
  changesSince(resourceVersion: number): readonly ChangeEvent[] | HistoryExpired {
    if (resourceVersion < this.#oldestResumable) {
      return { expired: true, oldestResourceVersion: this.#oldestResumable };
    }
    return this.#history.filter((event) => event.resourceVersion > resourceVersion);
  }

  /**
   * Drops the whole history, like an etcd compaction. The counter moves on by
   * one so that a fresh list returns a resourceVersion that can still be watched
   * from, while every resourceVersion handed out before is expired.
   */
  expireHistory(): void {
    this.#history = [];
    this.#oldestResumable = this.#nextResourceVersion();
  }

  /** Calls the listener synchronously after every change. Returns the function that unsubscribes. */
  subscribe(listener: (event: ChangeEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #nextResourceVersion(): number {
    this.#resourceVersion += 1;
    return this.#resourceVersion;
  }

  #record(event: ChangeEvent): void {
    this.#history.push(event);
    while (this.#history.length > this.historyLimit) {
      const dropped = this.#history.shift();
      if (dropped !== undefined) {
        this.#oldestResumable = dropped.resourceVersion;
      }
    }
    for (const listener of [...this.#listeners]) {
      listener(event);
    }
  }
}
