import type { Labels } from '../engine/index.js';

/** Formats labels as `key=value,key=value`, the form `kubectl get -l` takes. */
export function formatLabels(labels: Labels): string {
  const entries = Object.entries(labels).filter(([key]) => key !== 'pod-template-hash');
  return entries.length === 0 ? '(no labels)' : entries.map(([key, value]) => `${key}=${value}`).join(',');
}

/** Joins names for a message, listing at most `limit` and counting the rest. */
export function listNames(names: readonly string[], limit = 5): string {
  const listed = names.slice(0, limit).join(', ');
  return names.length > limit ? `${listed} and ${names.length - limit} more` : listed;
}

/** Describes the object under review, such as `Deployment "cart"`. */
export function describeObject(kind: string, name: string): string {
  return name === '' ? kind : `${kind} ${JSON.stringify(name)}`;
}
