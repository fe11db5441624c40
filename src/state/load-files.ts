import type { PolicyError } from '../engine/index.js';
import { readManifests, type ManifestDocument } from './read-manifests.js';
import { StateStore } from './store.js';

export interface FileState {
  store: StateStore;
  documents: ManifestDocument[];
  /** NetworkPolicies that failed validation, with the file they came from. */
  invalidPolicies: Array<PolicyError & { file: string; line: number }>;
}

/**
 * Reads manifests from files and folders into a new store. Kinds the rules do
 * not read are skipped; objects without a namespace go to `default`, as
 * `kubectl apply` without `-n` would place them.
 */
export async function loadStateFromFiles(paths: readonly string[], defaultNamespace = 'default'): Promise<FileState> {
  const documents = await readManifests([...paths]);
  const store = new StateStore();
  const invalidPolicies: FileState['invalidPolicies'] = [];
  for (const document of documents) {
    const outcome = store.apply(document.object, defaultNamespace);
    if (!outcome.stored && outcome.reason === 'invalid-policy') {
      for (const error of outcome.errors) {
        invalidPolicies.push({ ...error, file: document.source.file, line: document.source.line });
      }
    }
  }
  return { store, documents, invalidPolicies };
}
