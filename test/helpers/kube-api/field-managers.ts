/**
 * Field ownership in metadata.managedFields and the server-side apply merge.
 *
 * NOTE: this is a simplified model of the apiserver's structured-merge-diff.
 * Lists are atomic (an applied list replaces the stored one and is owned as a
 * whole, where the real server merges lists such as containers by key),
 * explicit nulls in an applied configuration are ignored, and `status` is
 * never tracked.
 */
import {
  deepCopy,
  deepEqual,
  deleteAt,
  formatPath,
  getAt,
  isPlainObject,
  parsePathKey,
  pathKey,
  type JsonObject,
  type KubeObject,
  type ManagedFieldsEntry,
} from './objects.js';
import type { ResourceType } from './resources.js';
import { applyConflict, type FieldConflict } from './status.js';

/** Metadata fields the server sets, which no manager owns. */
const SERVER_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

function isTracked(parent: readonly string[], key: string): boolean {
  if (parent.length === 0) {
    return key !== 'apiVersion' && key !== 'kind' && key !== 'status';
  }
  return !(parent.length === 1 && parent[0] === 'metadata' && SERVER_METADATA.has(key));
}

/** Returns the keys (see pathKey) of the leaf fields of an object: scalars, lists and empty maps. */
export function leafFieldKeys(object: JsonObject): Set<string> {
  const keys = new Set<string>();
  const walk = (value: JsonObject, path: string[]): void => {
    for (const [key, child] of Object.entries(value)) {
      if (child === undefined || !isTracked(path, key)) {
        continue;
      }
      const childPath = [...path, key];
      if (isPlainObject(child) && Object.keys(child).length > 0) {
        walk(child, childPath);
      } else {
        keys.add(pathKey(childPath));
      }
    }
  };
  walk(object, []);
  return keys;
}

/** Encodes field keys in the FieldsV1 format: nested maps keyed 'f:NAME', leaves as {}. */
export function toFieldsV1(keys: Iterable<string>): JsonObject {
  const root: JsonObject = {};
  for (const key of keys) {
    let node = root;
    for (const name of parsePathKey(key)) {
      const child = node[`f:${name}`];
      const next = isPlainObject(child) ? child : {};
      node[`f:${name}`] = next;
      node = next;
    }
  }
  return root;
}

/** Decodes FieldsV1 into field keys. Entries other than 'f:' ones (list keys, '.') end a path there. */
export function fromFieldsV1(fields: JsonObject): Set<string> {
  const keys = new Set<string>();
  const walk = (node: JsonObject, path: string[]): void => {
    const children = Object.entries(node).filter(([name]) => name.startsWith('f:'));
    if (children.length === 0 && path.length > 0) {
      keys.add(pathKey(path));
    }
    for (const [name, child] of children) {
      walk(isPlainObject(child) ? child : {}, [...path, name.slice(2)]);
    }
  };
  walk(fields, []);
  return keys;
}

interface Ownership {
  entry: ManagedFieldsEntry;
  keys: Set<string>;
}

function readOwnership(object: KubeObject | undefined): Ownership[] {
  return (object?.metadata.managedFields ?? []).map((entry) => ({
    entry,
    keys: fromFieldsV1(entry.fieldsV1),
  }));
}

/** Writes ownership back as managedFields, dropping managers left with no fields. */
function writeOwnership(ownership: readonly Ownership[]): ManagedFieldsEntry[] {
  return ownership
    .filter((owner) => owner.keys.size > 0)
    .map((owner) => ({ ...owner.entry, fieldsV1: toFieldsV1(owner.keys) }));
}

function sameKeys(left: ReadonlySet<string>, right: ReadonlySet<string>): boolean {
  return left.size === right.size && [...left].every((key) => right.has(key));
}

/** Merges an applied configuration into a target: maps recursively, every other value replaced. */
function mergeApplied(target: JsonObject, applied: JsonObject): void {
  for (const [key, value] of Object.entries(applied)) {
    const current = target[key];
    if (isPlainObject(value) && isPlainObject(current)) {
      mergeApplied(current, value);
    } else {
      target[key] = deepCopy(value);
    }
  }
}

/** Removes null values, which this model treats as fields the configuration does not set. */
export function withoutNulls(value: JsonObject): JsonObject {
  const result: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    if (child === null || child === undefined) {
      continue;
    }
    result[key] = isPlainObject(child) ? withoutNulls(child) : deepCopy(child);
  }
  return result;
}

function withoutManagedFields(object: KubeObject): KubeObject {
  const copy = deepCopy(object);
  delete copy.metadata.managedFields;
  return copy;
}

export interface ApplyRequest {
  type: ResourceType;
  /** The stored object, or undefined when the apply creates it. */
  existing: KubeObject | undefined;
  /** The applied configuration without nulls and server-set metadata. */
  applied: KubeObject;
  manager: string;
  force: boolean;
  /** The time to record for the manager, formatted as metav1.Time. */
  time: string;
}

/**
 * Computes the object that results from a server-side apply. Fields this
 * manager applied before but left out now are removed unless another manager
 * owns them, the configuration is merged in, and the manager's entry in
 * managedFields is replaced.
 *
 * When another manager owns a field with a different value, this throws a 409
 * Conflict Status unless `force` is true, in which case the field moves to
 * this manager.
 */
export function applyConfiguration(request: ApplyRequest): KubeObject {
  const { type, existing, applied, manager } = request;
  const appliedKeys = leafFieldKeys(applied);
  const ownership = readOwnership(existing);
  const mine = ownership.find((owner) => owner.entry.manager === manager && owner.entry.operation === 'Apply');
  const others = ownership.filter((owner) => owner !== mine);

  const conflicts: (FieldConflict & { owner: Ownership; key: string })[] = [];
  for (const owner of others) {
    for (const key of appliedKeys) {
      const path = parsePathKey(key);
      if (owner.keys.has(key) && !deepEqual(getAt(existing, path).value, getAt(applied, path).value)) {
        conflicts.push({ manager: owner.entry.manager, field: formatPath(path), owner, key });
      }
    }
  }
  if (conflicts.length > 0 && !request.force) {
    throw applyConflict(type, applied.metadata.name ?? '', conflicts);
  }
  for (const entry of conflicts) {
    entry.owner.keys.delete(entry.key);
  }

  const result: KubeObject =
    existing === undefined ? { apiVersion: applied.apiVersion, kind: applied.kind, metadata: {} } : deepCopy(existing);
  for (const key of mine?.keys ?? []) {
    const ownedElsewhere = others.some((owner) => owner.keys.has(key));
    if (!appliedKeys.has(key) && !ownedElsewhere) {
      deleteAt(result, parsePathKey(key));
    }
  }
  mergeApplied(result, applied);

  const unchanged =
    mine !== undefined &&
    conflicts.length === 0 &&
    sameKeys(mine.keys, appliedKeys) &&
    existing !== undefined &&
    deepEqual(withoutManagedFields(result), withoutManagedFields(existing));
  if (!unchanged) {
    const entry: ManagedFieldsEntry = {
      manager,
      operation: 'Apply',
      apiVersion: applied.apiVersion,
      time: request.time,
      fieldsType: 'FieldsV1',
      fieldsV1: {},
    };
    if (mine === undefined) {
      ownership.push({ entry, keys: appliedKeys });
    } else {
      mine.entry = entry;
      mine.keys = appliedKeys;
    }
  }
  result.metadata.managedFields = writeOwnership(ownership);
  return result;
}

function changedFieldKeys(previous: KubeObject | undefined, next: KubeObject): Set<string> {
  const before = previous === undefined ? new Set<string>() : leafFieldKeys(previous);
  const candidates = new Set([...before, ...leafFieldKeys(next)]);
  return new Set(
    [...candidates].filter((key) => {
      const path = parsePathKey(key);
      return !deepEqual(getAt(previous, path), getAt(next, path));
    }),
  );
}

/**
 * Records a create, update or patch in managedFields the way the apiserver
 * does for operation Update: every field whose value changed moves to the
 * writing manager. Returns the new managedFields for `next`.
 */
export function recordUpdate(
  previous: KubeObject | undefined,
  next: KubeObject,
  manager: string,
  time: string,
): ManagedFieldsEntry[] {
  const ownership = readOwnership(previous);
  const changed = changedFieldKeys(previous, next);
  if (changed.size === 0) {
    return writeOwnership(ownership);
  }
  for (const owner of ownership) {
    for (const key of changed) {
      owner.keys.delete(key);
    }
  }

  const written = new Set([...changed].filter((key) => getAt(next, parsePathKey(key)).found));
  const existingEntry = ownership.find(
    (owner) => owner.entry.manager === manager && owner.entry.operation === 'Update',
  );
  const entry: ManagedFieldsEntry = {
    manager,
    operation: 'Update',
    apiVersion: next.apiVersion,
    time,
    fieldsType: 'FieldsV1',
    fieldsV1: {},
  };
  if (existingEntry === undefined) {
    ownership.push({ entry, keys: written });
  } else {
    existingEntry.entry = entry;
    existingEntry.keys = new Set([...existingEntry.keys, ...written]);
  }
  return writeOwnership(ownership);
}
