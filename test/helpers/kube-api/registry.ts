/**
 * The semantics of the API verbs over the store, independent of HTTP: create,
 * update, the patch types, server-side apply, delete, and the direct helpers
 * tests use to seed state. Failures are thrown as StatusError.
 */
import fastJsonPatch from 'fast-json-patch';
import { parse as parseYaml } from 'yaml';
import { applyConfiguration, recordUpdate, withoutNulls } from './field-managers.js';
import {
  deepCopy,
  deepEqual,
  formatTime,
  isPlainObject,
  mergePatch,
  objectName,
  objectNamespace,
  type JsonObject,
  type KubeObject,
} from './objects.js';
import { apiVersionOf, type ResourceCatalog, type ResourceType } from './resources.js';
import { matchesFilter, type ObjectFilter } from './selectors.js';
import {
  STALE_OBJECT_MESSAGE,
  StatusError,
  alreadyExists,
  badRequest,
  conflict,
  invalid,
  notFound,
  successStatus,
  unsupportedMediaType,
  type Status,
} from './status.js';
import type { ObjectStore } from './store.js';

/** The label the apiserver puts on every namespace, holding the namespace's name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** The status a new object gets from its type's create strategy, for types with a status subresource. */
const INITIAL_STATUS: Readonly<Record<string, JsonObject>> = {
  Namespace: { phase: 'Active' },
  Pod: { phase: 'Pending' },
};

/** Metadata fields only the server sets. Values sent by a client are dropped. */
const SERVER_SET_METADATA = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'managedFields'];

/** Characters the apiserver uses for generateName suffixes: no vowels, so no words. */
const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const PATCH_CONTENT_TYPES: Readonly<Record<string, PatchType>> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/** Maps a PATCH request's Content-Type to its patch type, or throws 415. */
export function patchTypeOf(contentType: string | undefined): PatchType {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  const patchType = mediaType === undefined ? undefined : PATCH_CONTENT_TYPES[mediaType];
  if (patchType === undefined) {
    throw unsupportedMediaType(contentType);
  }
  return patchType;
}

export interface WriteOptions {
  dryRun: boolean;
  /** The field manager recorded for operation Update: the fieldManager parameter or one derived from the User-Agent. */
  manager: string;
}

export interface PatchOptions extends WriteOptions {
  /** The fieldManager query parameter as sent, which server-side apply requires. */
  fieldManager: string | undefined;
  force: boolean | undefined;
}

export interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** The decision a SubjectAccessReview callback returns. */
export type AccessDecision = boolean | { allowed: boolean; denied?: boolean; reason?: string };

/** Decides a SubjectAccessReview from its spec. */
export type AccessReviewer = (spec: JsonObject) => AccessDecision;

export interface ListObject {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion: string };
  items: KubeObject[];
}

export class Registry {
  readonly store: ObjectStore;
  readonly catalog: ResourceCatalog;
  reviewer: AccessReviewer;
  readonly #now: () => Date;
  #uidCounter = 0;
  #nameCounter = 0;

  constructor(store: ObjectStore, catalog: ResourceCatalog, now: () => Date, reviewer: AccessReviewer) {
    this.store = store;
    this.catalog = catalog;
    this.#now = now;
    this.reviewer = reviewer;
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const object = this.store.get(type, namespace, name);
    if (object === undefined) {
      throw notFound(type, name);
    }
    return object;
  }

  /**
   * Lists the objects of a type, in one namespace or all. Items carry no
   * apiVersion and kind, as in the real server's typed list responses.
   */
  list(type: ResourceType, namespace: string | undefined, filter: ObjectFilter): ListObject {
    const items = this.store
      .list(type, namespace)
      .filter((object) => matchesFilter(filter, object))
      .map((object) => {
        const { apiVersion: _apiVersion, kind: _kind, ...item } = object;
        return item as KubeObject;
      });
    return this.#listObject(type, items);
  }

  create(type: ResourceType, namespace: string | undefined, body: unknown, options: WriteOptions): KubeObject {
    const object = this.#checkBody(type, body, namespace);
    if (object.metadata.name === undefined || object.metadata.name === '') {
      const prefix = object.metadata.generateName;
      if (typeof prefix !== 'string' || prefix === '') {
        throw invalid(type, '', [
          {
            type: 'FieldValueRequired',
            message: 'Required value: name or generateName is required',
            field: 'metadata.name',
          },
        ]);
      }
      object.metadata.name = prefix + this.#nameSuffix();
    }
    this.#checkNamespaceExists(type, namespace);
    const name = objectName(object);
    if (this.store.get(type, namespace, name) !== undefined) {
      throw alreadyExists(type, name);
    }

    const created = this.#prepareCreate(type, object);
    created.metadata.managedFields = recordUpdate(undefined, created, options.manager, this.#time());
    return options.dryRun ? created : this.store.write(type, created);
  }

  update(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    options: WriteOptions,
    subresource?: 'status',
  ): KubeObject {
    const existing = this.get(type, namespace, name);
    const object = this.#checkBody(type, body, namespace);
    if (object.metadata.name !== name) {
      throw badRequest(`the name of the object (${object.metadata.name ?? ''}) does not match the name on the URL (${name})`);
    }
    const sentVersion = object.metadata.resourceVersion;
    if (sentVersion !== undefined && sentVersion !== '' && sentVersion !== existing.metadata.resourceVersion) {
      throw conflict(type, name, STALE_OBJECT_MESSAGE);
    }

    const next = this.#prepareUpdate(type, existing, object, subresource);
    next.metadata.managedFields = recordUpdate(existing, next, options.manager, this.#time());
    return this.#commitUpdate(type, existing, next, options.dryRun);
  }

  /** Applies a patch of any supported type. `created` is true when a server-side apply created the object. */
  patch(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    patchType: PatchType,
    body: string,
    options: PatchOptions,
    subresource?: 'status',
  ): { object: KubeObject; created: boolean } {
    if (patchType === 'apply') {
      if (subresource !== undefined) {
        // NOTE: the real server supports apply on the status subresource, but this test server does not.
        throw badRequest('server-side apply to the status subresource is not supported by the test API server');
      }
      return this.#apply(type, namespace, name, body, options);
    }
    if (options.force !== undefined) {
      throw new StatusError(422, 'Invalid', 'force: Forbidden: may not be specified for non-apply patch', {
        group: 'meta.k8s.io',
        kind: 'PatchOptions',
        causes: [
          { type: 'FieldValueForbidden', message: 'Forbidden: may not be specified for non-apply patch', field: 'force' },
        ],
      });
    }

    const existing = this.get(type, namespace, name);
    const patched = patchType === 'json' ? applyJsonPatch(existing, body) : mergePatch(existing, parseJson(body));
    // NOTE: a strategic merge patch is applied as a JSON merge patch here, so lists are replaced, not merged by key.
    const object = this.update(type, namespace, name, patched, options, subresource);
    return { object, created: false };
  }

  delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    deleteOptions: DeleteOptions | undefined,
    dryRun: boolean,
  ): KubeObject | Status {
    const existing = this.get(type, namespace, name);
    const preconditions = deleteOptions?.preconditions;
    if (preconditions?.uid !== undefined && preconditions.uid !== existing.metadata.uid) {
      throw conflict(
        type,
        name,
        `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${existing.metadata.uid ?? ''}`,
      );
    }
    if (preconditions?.resourceVersion !== undefined && preconditions.resourceVersion !== existing.metadata.resourceVersion) {
      throw conflict(
        type,
        name,
        `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ` +
          `ResourceVersion in object meta: ${existing.metadata.resourceVersion ?? ''}`,
      );
    }
    if (dryRun) {
      return type.returnsDeletedObject ? existing : successStatus(type, name, existing.metadata.uid);
    }

    const last = this.#removeObject(type, namespace, name) ?? existing;
    return type.returnsDeletedObject ? last : successStatus(type, name, existing.metadata.uid);
  }

  /** Deletes every matching object and returns them as a list, as DELETE on a collection does. */
  deleteCollection(type: ResourceType, namespace: string | undefined, filter: ObjectFilter, dryRun: boolean): ListObject {
    const matching = this.store.list(type, namespace).filter((object) => matchesFilter(filter, object));
    const deleted = dryRun
      ? matching
      : matching.map((object) => this.#removeObject(type, objectNamespace(object), objectName(object)) ?? object);
    return this.#listObject(type, deleted);
  }

  /** Evaluates a SubjectAccessReview with the configured reviewer. Nothing is stored. */
  reviewAccess(type: ResourceType, body: unknown): KubeObject {
    const review = this.#checkBody(type, body, undefined);
    const spec = isPlainObject(review.spec) ? review.spec : {};
    const decision = this.reviewer(spec);
    const status = typeof decision === 'boolean' ? { allowed: decision } : { ...decision };
    return { apiVersion: apiVersionOf(type), kind: type.kind, metadata: {}, spec, status };
  }

  /**
   * Creates or replaces an object directly, bypassing validation, the
   * namespace check and optimistic concurrency, and keeping any status it
   * carries. Emits ADDED or MODIFIED like an API write, or nothing when the
   * object equals the stored one.
   */
  put(object: KubeObject): KubeObject {
    const type = this.catalog.byApiVersionKind(object.apiVersion, object.kind);
    if (type === undefined || !type.stored) {
      throw new Error(`put failed: the test API server does not store ${object.apiVersion} ${object.kind}`);
    }
    const copy = deepCopy(object);
    if (objectName(copy) === '') {
      throw new Error(`put failed: the ${object.kind} has no metadata.name`);
    }
    if (!type.namespaced) {
      delete copy.metadata.namespace;
    } else if (objectNamespace(copy) === undefined) {
      throw new Error(`put failed: ${object.kind} "${objectName(copy)}" has no metadata.namespace`);
    }
    const existing = this.store.get(type, objectNamespace(copy), objectName(copy));
    if (existing === undefined) {
      const created = this.#fillCreateMetadata(type, copy);
      return this.store.write(type, created);
    }

    copy.metadata.uid ??= existing.metadata.uid;
    copy.metadata.creationTimestamp ??= existing.metadata.creationTimestamp;
    copy.metadata.managedFields ??= existing.metadata.managedFields;
    copy.metadata.generation = nextGeneration(existing, copy);
    if (type.kind === 'Namespace') {
      copy.metadata.labels = { ...copy.metadata.labels, [NAMESPACE_NAME_LABEL]: objectName(copy) };
    }
    return this.#commitUpdate(type, existing, copy, false);
  }

  /** Deletes an object directly, and for a namespace its contents first. Returns whether it existed. */
  remove(type: ResourceType, namespace: string | undefined, name: string): boolean {
    return this.#removeObject(type, namespace, name) !== undefined;
  }

  #apply(type: ResourceType, namespace: string | undefined, name: string, body: string, options: PatchOptions): {
    object: KubeObject;
    created: boolean;
  } {
    if (options.fieldManager === undefined || options.fieldManager === '') {
      const message = 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch';
      throw new StatusError(422, 'Invalid', message, {
        group: 'meta.k8s.io',
        kind: 'PatchOptions',
        causes: [
          { type: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' },
        ],
      });
    }
    const applied = this.#checkBody(type, withoutNulls(parseApplyBody(body)), namespace);
    applied.metadata.name ??= name;
    if (applied.metadata.name !== name) {
      throw badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
    }
    const existing = this.store.get(type, namespace, name);
    const sentVersion = applied.metadata.resourceVersion;
    if (existing !== undefined && sentVersion !== undefined && sentVersion !== existing.metadata.resourceVersion) {
      throw conflict(type, name, STALE_OBJECT_MESSAGE);
    }
    for (const field of SERVER_SET_METADATA) {
      delete applied.metadata[field];
    }
    if (type.statusSubresource) {
      delete applied.status;
    }

    const request = { type, applied, manager: options.fieldManager, force: options.force === true, time: this.#time() };
    if (existing === undefined) {
      this.#checkNamespaceExists(type, namespace);
      const merged = applyConfiguration({ ...request, existing: undefined });
      const created = this.#prepareCreate(type, merged);
      created.metadata.managedFields = merged.metadata.managedFields ?? [];
      return { object: options.dryRun ? created : this.store.write(type, created), created: true };
    }

    const merged = applyConfiguration({ ...request, existing });
    merged.metadata.generation = nextGeneration(existing, merged);
    if (type.kind === 'Namespace') {
      merged.metadata.labels = { ...merged.metadata.labels, [NAMESPACE_NAME_LABEL]: name };
    }
    return { object: this.#commitUpdate(type, existing, merged, options.dryRun), created: false };
  }

  /** Checks apiVersion, kind and namespace of a request body and returns a copy with them filled in. */
  #checkBody(type: ResourceType, body: unknown, namespace: string | undefined): KubeObject {
    if (!isPlainObject(body)) {
      throw badRequest('the request body must be a JSON or YAML object');
    }
    const object = deepCopy(body) as KubeObject;
    const apiVersion = apiVersionOf(type);
    if (object.apiVersion !== undefined && object.apiVersion !== apiVersion) {
      throw badRequest(
        `the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${apiVersion})`,
      );
    }
    if (object.kind !== undefined && object.kind !== type.kind) {
      throw badRequest(`the kind in the data (${String(object.kind)}) does not match the expected kind (${type.kind})`);
    }
    object.apiVersion = apiVersion;
    object.kind = type.kind;
    object.metadata = isPlainObject(object.metadata) ? object.metadata : {};

    if (!type.namespaced) {
      delete object.metadata.namespace;
      return object;
    }
    const sent = object.metadata.namespace;
    if (sent !== undefined && sent !== '' && sent !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    object.metadata.namespace = namespace;
    return object;
  }

  /** Rejects writes into a namespace that does not exist, as the NamespaceLifecycle admission plugin does. */
  #checkNamespaceExists(type: ResourceType, namespace: string | undefined): void {
    const namespaces = this.catalog.byName('Namespace');
    if (!type.namespaced || namespace === undefined || namespaces === undefined) {
      return;
    }
    if (this.store.get(namespaces, undefined, namespace) === undefined) {
      throw notFound(namespaces, namespace);
    }
  }

  /** Drops server-set metadata a client sent, resets status and fills the create-time metadata. */
  #prepareCreate(type: ResourceType, object: KubeObject): KubeObject {
    const created = deepCopy(object);
    for (const field of SERVER_SET_METADATA) {
      delete created.metadata[field];
    }
    if (type.statusSubresource) {
      delete created.status;
      const initial = INITIAL_STATUS[type.kind];
      if (initial !== undefined) {
        created.status = deepCopy(initial);
      }
    }
    if (type.kind === 'Namespace') {
      const spec = isPlainObject(created.spec) ? created.spec : {};
      spec.finalizers ??= ['kubernetes'];
      created.spec = spec;
    }
    return this.#fillCreateMetadata(type, created);
  }

  #fillCreateMetadata(type: ResourceType, object: KubeObject): KubeObject {
    object.metadata.uid ??= this.#nextUid();
    object.metadata.creationTimestamp ??= this.#time();
    object.metadata.generation ??= 1;
    if (type.kind === 'Namespace') {
      object.metadata.labels = { ...object.metadata.labels, [NAMESPACE_NAME_LABEL]: objectName(object) };
    }
    return object;
  }

  /** Builds the next state of an object from an update body, keeping what the server owns. */
  #prepareUpdate(type: ResourceType, existing: KubeObject, body: KubeObject, subresource: 'status' | undefined): KubeObject {
    if (subresource === 'status') {
      const next = deepCopy(existing);
      if (body.status === undefined) {
        delete next.status;
      } else {
        next.status = deepCopy(body.status);
      }
      return next;
    }

    const next = deepCopy(body);
    for (const field of SERVER_SET_METADATA) {
      delete next.metadata[field];
    }
    next.metadata.uid = existing.metadata.uid;
    next.metadata.creationTimestamp = existing.metadata.creationTimestamp;
    next.metadata.managedFields = existing.metadata.managedFields;
    if (type.statusSubresource) {
      if (existing.status === undefined) {
        delete next.status;
      } else {
        next.status = deepCopy(existing.status);
      }
    }
    if (type.kind === 'Namespace') {
      next.metadata.labels = { ...next.metadata.labels, [NAMESPACE_NAME_LABEL]: objectName(next) };
    }
    next.metadata.generation = nextGeneration(existing, next);
    return next;
  }

  /** Stores the next state unless nothing changed, in which case the stored object is returned as is. */
  #commitUpdate(type: ResourceType, existing: KubeObject, next: KubeObject, dryRun: boolean): KubeObject {
    next.metadata.resourceVersion = existing.metadata.resourceVersion;
    if (deepEqual(next, existing) || dryRun) {
      return dryRun ? next : existing;
    }
    return this.store.write(type, next);
  }

  #removeObject(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const namespaceObject = type.kind === 'Namespace' ? this.store.get(type, undefined, name) : undefined;
    if (namespaceObject !== undefined) {
      // As on the real server, the namespace turns Terminating (MODIFIED) before its contents and then it are deleted.
      namespaceObject.metadata.deletionTimestamp = this.#time();
      const status = isPlainObject(namespaceObject.status) ? namespaceObject.status : {};
      namespaceObject.status = { ...status, phase: 'Terminating' };
      this.store.write(type, namespaceObject);
      this.#removeNamespaceContents(name);
    }
    // NOTE: deletion is immediate: no deletionTimestamp phase for pods with a grace period and no finalizers.
    return this.store.delete(type, namespace, name);
  }

  #removeNamespaceContents(namespace: string): void {
    for (const type of this.catalog.types) {
      if (!type.namespaced || !type.stored) {
        continue;
      }
      for (const object of this.store.list(type, namespace)) {
        this.store.delete(type, namespace, objectName(object));
      }
    }
  }

  #listObject(type: ResourceType, items: KubeObject[]): ListObject {
    return {
      kind: `${type.kind}List`,
      apiVersion: apiVersionOf(type),
      metadata: { resourceVersion: String(this.store.resourceVersion) },
      items,
    };
  }

  /** Returns a UUID-shaped id from a counter, so runs are reproducible. */
  #nextUid(): string {
    this.#uidCounter += 1;
    return `00000000-0000-4000-8000-${this.#uidCounter.toString(16).padStart(12, '0')}`;
  }

  /** Returns a five-character suffix from a counter, in the alphabet the apiserver draws from at random. */
  #nameSuffix(): string {
    this.#nameCounter += 1;
    let value = this.#nameCounter;
    let suffix = '';
    for (let index = 0; index < 5; index += 1) {
      suffix = NAME_SUFFIX_ALPHABET[value % NAME_SUFFIX_ALPHABET.length] + suffix;
      value = Math.floor(value / NAME_SUFFIX_ALPHABET.length);
    }
    return suffix;
  }

  #time(): string {
    return formatTime(this.#now());
  }
}

/** Returns the generation for the next state: one more when anything outside metadata and status changed. */
function nextGeneration(existing: KubeObject, next: KubeObject): number {
  const strip = (object: KubeObject): JsonObject => {
    const { metadata: _metadata, status: _status, ...rest } = object;
    return rest;
  };
  const generation = existing.metadata.generation ?? 1;
  return deepEqual(strip(existing), strip(next)) ? generation : generation + 1;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw badRequest('the request body is not valid JSON');
  }
}

/** Parses an apply body, which the real server accepts as YAML or JSON (JSON being a subset of YAML 1.2). */
function parseApplyBody(body: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = parseYaml(body) as unknown;
  } catch {
    throw badRequest('the apply patch body is not valid YAML or JSON');
  }
  if (!isPlainObject(parsed)) {
    throw badRequest('the apply patch body must be a YAML or JSON object');
  }
  return parsed;
}

function applyJsonPatch(existing: KubeObject, body: string): unknown {
  const operations = parseJson(body);
  if (!Array.isArray(operations)) {
    throw badRequest('a JSON patch must be an array of operations');
  }
  try {
    return fastJsonPatch.applyPatch(deepCopy(existing), operations as fastJsonPatch.Operation[], true, true).newDocument;
  } catch (error) {
    // The library's message embeds the whole document, which may hold secrets, so only its error name is kept.
    const name = error instanceof fastJsonPatch.JsonPatchError ? error.name : 'invalid patch';
    throw new StatusError(422, 'Invalid', `the server rejected our request due to an error in our request: ${name}`);
  }
}
