/** Checks that parsed values are Kubernetes objects and flattens lists into their items. */
import { ManifestError, type ManifestDocument, type ManifestSource } from './manifest-document.js';

const REQUIRED_FIELDS_HINT = 'every manifest needs apiVersion and kind';

/** Source of the line where each item of a list starts, so that each item gets its own line. */
export interface ListItemLocator {
  /**
   * Returns one entry per item of a list with `itemCount` items: the item's line and a locator for
   * the item's own items, each undefined where the position is unknown.
   */
  locateItems(itemCount: number): Array<{ line: number | undefined; locator: ListItemLocator | undefined }>;
}

/**
 * Returns the objects of one value: the value itself, or the items of a list, recursively.
 * `locator` finds each item's line; an item without a known position gets the list's line.
 * Throws ManifestError for a value that is not a Kubernetes object.
 */
export function flattenLists(
  value: unknown,
  locator: ListItemLocator | undefined,
  source: ManifestSource,
  label: string,
): ManifestDocument[] {
  const object = requireObject(value, source, label);
  if (!isListObject(object)) {
    return [{ object, source }];
  }

  const items = object.items ?? [];
  if (!Array.isArray(items)) {
    throw manifestError(source, `${label} is a ${String(object.kind)} whose items field is ${describeType(items)}, not a list`);
  }

  const positions = locator?.locateItems(items.length) ?? [];
  return items.flatMap((item: unknown, itemIndex) => {
    const position = positions[itemIndex];
    const itemSource = { ...source, line: position?.line ?? source.line };
    const itemLabel = `${label}, item ${itemIndex + 1}`;
    return flattenLists(withListTypeDefaults(item, object), position?.locator, itemSource, itemLabel);
  });
}

/**
 * Tells whether an object is a list to flatten. `kind: List` is the generic list kubectl writes;
 * `PodList`, `NetworkPolicyList` and the like are what the API server returns. A kind that merely
 * ends in "List" without items is left alone.
 */
export function isListObject(object: Record<string, unknown>): boolean {
  if (object.kind === 'List') {
    return true;
  }
  return typeof object.kind === 'string' && object.kind.endsWith('List') && Array.isArray(object.items);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// The API server omits apiVersion and kind on the items of a typed list such as PodList, so they
// are taken from the list. Items of `kind: List` must carry their own.
function withListTypeDefaults(item: unknown, list: Record<string, unknown>): unknown {
  if (list.kind === 'List' || !isPlainObject(item)) {
    return item;
  }

  const itemKind = String(list.kind).slice(0, -'List'.length);
  return { apiVersion: list.apiVersion, kind: itemKind, ...item };
}

function requireObject(value: unknown, source: ManifestSource, label: string): Record<string, unknown> {
  if (!isPlainObject(value)) {
    throw manifestError(source, `${label} is ${describeType(value)}, not an object; ${REQUIRED_FIELDS_HINT}`);
  }

  for (const field of ['apiVersion', 'kind']) {
    const fieldValue = value[field];
    if (fieldValue === undefined || fieldValue === null || fieldValue === '') {
      throw manifestError(source, `${label} has no ${field}; ${REQUIRED_FIELDS_HINT}`);
    }
    if (typeof fieldValue !== 'string') {
      throw manifestError(source, `${label} has ${describeType(fieldValue)} as ${field}, expected a string`);
    }
  }
  return value;
}

function manifestError(source: ManifestSource, description: string): ManifestError {
  return new ManifestError(source.file, source.line, `${source.file}:${source.line}: ${description}`);
}

// Names the type of a value without showing the value, which may be secret.
function describeType(value: unknown): string {
  if (value === null || value === undefined) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'a list';
  }
  if (typeof value === 'object') {
    return 'a mapping';
  }
  return `a ${typeof value}`;
}
