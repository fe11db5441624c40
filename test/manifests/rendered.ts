// Renders the manifests/ variants once per test process and looks objects
// up in the output.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kustomizeBuild, type Manifest } from '../helpers/kustomize.js';

export const REPOSITORY_DIR = fileURLToPath(new URL('../..', import.meta.url));
export const MANIFESTS_DIR = join(REPOSITORY_DIR, 'manifests');

/** Every directory a user may pass to `kubectl apply -k`, relative to manifests/. */
export const VARIANTS = {
  base: 'base',
  enforce: 'overlays/enforce',
  audit: 'overlays/audit',
  'cert-manager': 'overlays/cert-manager',
} as const;
export type Variant = keyof typeof VARIANTS;
export const VARIANT_NAMES = Object.keys(VARIANTS) as Variant[];

const cache = new Map<string, Promise<Manifest[]>>();

/** Returns the `kustomize build` output of a variant; each call gets its own copy. */
export async function renderVariant(variant: Variant, manifestsDir = MANIFESTS_DIR): Promise<Manifest[]> {
  const dir = join(manifestsDir, VARIANTS[variant]);
  let rendered = cache.get(dir);
  if (!rendered) {
    rendered = kustomizeBuild(dir);
    cache.set(dir, rendered);
  }
  return structuredClone(await rendered);
}

export function findAll(objects: Manifest[], kind: string): Manifest[] {
  return objects.filter((object) => object.kind === kind);
}

/** Returns the one object of this kind (and name); throws when there is none or more than one. */
export function findOne(objects: Manifest[], kind: string, name?: string): Manifest {
  const matches = findAll(objects, kind).filter((object) => name === undefined || object.metadata.name === name);
  if (matches.length !== 1) {
    throw new Error(`expected one ${kind}${name ? ` named ${name}` : ''}, found ${matches.length}`);
  }
  return matches[0]!;
}
