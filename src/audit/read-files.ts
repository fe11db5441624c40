/** Reads the audit input from manifest files. Unlike the rest of src/audit this module performs I/O. */
import { loadStateFromFiles } from '../state/load-files.js';
import type { AuditInput } from './audit.js';
import { ObjectIndex } from './object-index.js';

/** Reads manifests (files or folders, recursively) as the webhook's `--state` does. Throws ManifestError. */
export async function readFileInput(paths: readonly string[]): Promise<AuditInput> {
  const state = await loadStateFromFiles(paths);
  const index = new ObjectIndex();
  for (const document of state.documents) {
    index.add(document.object, { file: document.source.file, line: document.source.line });
  }
  return { store: state.store, index };
}
