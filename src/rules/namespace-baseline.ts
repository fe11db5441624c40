import { ANNOTATION_BASELINE_POLICIES, LABEL_BASELINE } from '../config/defaults.js';
import type { Config } from '../config/types.js';
import { metadataOf, stringMap } from '../state/objects.js';
import { baselinePolicyNames } from './baseline.js';
import { exemptionCovers, readExemption } from './exemptions.js';
import type { ReviewRequest } from './types.js';

/** One RFC 6902 JSON Patch operation; the mutating webhook only adds. */
export interface JsonPatchOperation {
  op: 'add';
  path: string;
  value: unknown;
}

/** Escapes a map key for a JSON Pointer (RFC 6901): `~` as `~0`, `/` as `~1`. */
export function escapeJsonPointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function addToMap(path: string, current: unknown, key: string, value: string): JsonPatchOperation {
  if (current === null || typeof current !== 'object' || Array.isArray(current)) {
    return { op: 'add', path, value: { [key]: value } };
  }
  return { op: 'add', path: `${path}/${escapeJsonPointer(key)}`, value };
}

/**
 * Builds the patch that marks a new namespace for the baseline policies. It
 * returns null when the namespace gets none: the namespace is statically
 * exempt, already carries the baseline label (so a reinvocation changes
 * nothing), or opts out with a valid exemption from all rules or default-deny.
 */
export function namespaceBaselinePatch(request: ReviewRequest, config: Config, now: Date): JsonPatchOperation[] | null {
  if (request.kind !== 'Namespace' || request.operation !== 'CREATE' || request.object === null) return null;
  const name = request.namespace;
  if (config.exemptions.namespaces.includes(name) || name === config.webhookNamespace) return null;

  const metadata = metadataOf(request.object);
  if (stringMap(metadata.labels)[LABEL_BASELINE] !== undefined) return null;
  const { exemption } = readExemption(stringMap(metadata.annotations), `namespace ${name}`, now);
  if (exemption && exemptionCovers(exemption, 'default-deny')) return null;

  const operations: JsonPatchOperation[] = [];
  if (request.object.metadata === undefined) {
    operations.push({ op: 'add', path: '/metadata', value: {} });
  }
  operations.push(addToMap('/metadata/labels', metadata.labels, LABEL_BASELINE, 'enabled'));
  operations.push(
    addToMap('/metadata/annotations', metadata.annotations, ANNOTATION_BASELINE_POLICIES, baselinePolicyNames(config).join(',')),
  );
  return operations;
}
