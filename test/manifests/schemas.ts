// Validates rendered objects against the Kubernetes OpenAPI schemas that
// kubernetes-models (Kubernetes API types) and @kubernetes-models/cert-manager
// (cert-manager v1 CRDs) ship. The schemas allow unknown fields, so a
// misspelled optional field passes here; the field-by-field tests catch
// those that matter.
import type { Manifest } from '../helpers/kustomize.js';

/** Packages with models for API groups outside the core Kubernetes API. */
const CRD_PACKAGES: Record<string, string> = {
  'cert-manager.io': '@kubernetes-models/cert-manager',
};

interface Model {
  validate(): void;
}
type ModelClass = new (data: unknown) => Model;

function modelModule(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === '') return `kubernetes-models/${version}/${kind}`;
  return `${CRD_PACKAGES[group!] ?? 'kubernetes-models'}/${group}/${version}/${kind}`;
}

/** Returns the schema violations of one object, or an empty list when it is valid. */
export async function schemaProblems(object: Manifest): Promise<string[]> {
  const specifier = modelModule(object.apiVersion, object.kind);
  let module: Record<string, unknown>;
  try {
    module = (await import(specifier)) as Record<string, unknown>;
  } catch {
    return [`no schema for ${object.apiVersion} ${object.kind} (looked for ${specifier})`];
  }

  const ModelConstructor = module[object.kind] as ModelClass | undefined;
  if (ModelConstructor === undefined) return [`${specifier} exports no ${object.kind}`];
  try {
    new ModelConstructor(object).validate();
    return [];
  } catch (error) {
    const errors = (error as { errors?: Array<{ instancePath?: string; message?: string }> }).errors;
    if (!errors) return [(error as Error).message];
    return errors.map((entry) => `${entry.instancePath ?? ''} ${entry.message ?? 'is invalid'}`.trim());
  }
}
