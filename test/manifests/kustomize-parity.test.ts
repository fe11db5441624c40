// Compares test/helpers/kustomize.ts with a real kustomize binary, where one
// is available: the KUSTOMIZE environment variable names it, or `kustomize`
// is on PATH. Both must print the same objects for every variant.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import type { Manifest } from '../helpers/kustomize.js';
import { MANIFESTS_DIR, renderVariant, VARIANT_NAMES, VARIANTS } from './rendered.js';

const execFileAsync = promisify(execFile);
const binary = process.env.KUSTOMIZE || 'kustomize';

async function kustomizeVersion(): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync(binary, ['version'], { timeout: 10_000 });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

/** Returns the objects as YAML-like lines with sorted keys, sorted by object, so a diff shows only real differences. */
function canonical(objects: Manifest[]): string[] {
  const sortKeys = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([key, item]) => [key, sortKeys(item)]));
  };
  return objects.map((object) => JSON.stringify(sortKeys(object), null, 1)).sort();
}

const version = await kustomizeVersion();

for (const variant of VARIANT_NAMES) {
  t.test(`${variant} matches real kustomize`, { skip: version ? false : `no kustomize binary: set KUSTOMIZE or put kustomize on PATH (tried ${binary})` }, async (t) => {
    const { stdout } = await execFileAsync(binary, ['build', join(MANIFESTS_DIR, VARIANTS[variant])]);
    const real = parseAllDocuments(stdout).map((document) => document.toJS() as Manifest);
    t.strictSame(canonical(await renderVariant(variant)), canonical(real), version ?? binary);
  });
}
