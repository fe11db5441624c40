/**
 * Plain-JSON helpers shared by the store, the registry and server-side apply:
 * object types, deep copy and comparison, field paths and JSON merge patch.
 */

export type JsonObject = Record<string, unknown>;

/** One entry of metadata.managedFields, as the apiserver records it. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonObject;
  subresource?: string;
}

export interface ObjectMetadata {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  managedFields?: ManagedFieldsEntry[];
  [key: string]: unknown;
}

/** A Kubernetes object as stored: plain JSON with typed metadata. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMetadata;
  [key: string]: unknown;
}

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function deepCopy<T>(value: T): T {
  return structuredClone(value);
}

/** Compares JSON values structurally, ignoring key order. */
export function deepEqual(left: unknown, right: unknown): boolean {
  if (left === right) {
    return true;
  }
  if (Array.isArray(left) || Array.isArray(right)) {
    if (!Array.isArray(left) || !Array.isArray(right) || left.length !== right.length) {
      return false;
    }
    return left.every((item, index) => deepEqual(item, right[index]));
  }
  if (!isPlainObject(left) || !isPlainObject(right)) {
    return false;
  }
  const leftKeys = Object.keys(left).filter((key) => left[key] !== undefined);
  const rightKeys = Object.keys(right).filter((key) => right[key] !== undefined);
  if (leftKeys.length !== rightKeys.length) {
    return false;
  }
  return leftKeys.every((key) => Object.hasOwn(right, key) && deepEqual(left[key], right[key]));
}

/** A path of map keys from the object root, e.g. ['spec', 'podSelector']. */
export type FieldPath = readonly string[];

/** Formats a path the way apiserver messages do: '.spec.podSelector'. */
export function formatPath(path: FieldPath): string {
  return path.map((key) => `.${key}`).join('');
}

export function pathKey(path: FieldPath): string {
  return JSON.stringify(path);
}

export function parsePathKey(key: string): string[] {
  return JSON.parse(key) as string[];
}

/** Reads the value at a path. `found` is false when a map on the way or the last key is missing. */
export function getAt(root: unknown, path: FieldPath): { found: boolean; value?: unknown } {
  let current: unknown = root;
  for (const key of path) {
    if (!isPlainObject(current) || !Object.hasOwn(current, key)) {
      return { found: false };
    }
    current = current[key];
  }
  return { found: true, value: current };
}

/** Deletes the value at a path and then every map on the way that the deletion left empty. */
export function deleteAt(root: JsonObject, path: FieldPath): void {
  const parents: JsonObject[] = [];
  let current: JsonObject = root;
  for (const key of path.slice(0, -1)) {
    const next = current[key];
    if (!isPlainObject(next)) {
      return;
    }
    parents.push(current);
    current = next;
  }
  const last = path[path.length - 1];
  if (last === undefined || !Object.hasOwn(current, last)) {
    return;
  }
  delete current[last];
  for (let depth = path.length - 2; depth >= 0; depth -= 1) {
    const parent = parents[depth];
    const key = path[depth];
    const child = key === undefined || parent === undefined ? undefined : parent[key];
    if (parent === undefined || key === undefined || !isPlainObject(child) || Object.keys(child).length > 0) {
      return;
    }
    delete parent[key];
  }
}

/** Applies an RFC 7386 JSON merge patch and returns the result without changing either input. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) {
    return deepCopy(patch);
  }
  const result: JsonObject = isPlainObject(target) ? deepCopy(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else {
      result[key] = mergePatch(result[key], value);
    }
  }
  return result;
}

/** Formats a time the way metav1.Time serializes: RFC 3339 with whole seconds. */
export function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function objectNamespace(object: KubeObject): string | undefined {
  const namespace = object.metadata.namespace;
  return typeof namespace === 'string' && namespace !== '' ? namespace : undefined;
}

export function objectName(object: KubeObject): string {
  const name = object.metadata.name;
  return typeof name === 'string' ? name : '';
}
