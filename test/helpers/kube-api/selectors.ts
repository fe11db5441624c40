/**
 * Label and field selectors in the query-string syntax of the real apiserver.
 */
import { getAt, type KubeObject } from './objects.js';
import type { ResourceType } from './resources.js';
import { badRequest } from './status.js';

type LabelOperator = 'exists' | 'doesNotExist' | 'equals' | 'notEquals' | 'in' | 'notIn';

interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

interface FieldRequirement {
  path: string;
  operator: 'equals' | 'notEquals';
  value: string;
}

/** A parsed pair of selectors. An empty selector matches every object. */
export interface ObjectFilter {
  labels: LabelRequirement[];
  fields: FieldRequirement[];
}

/** Splits on commas that are not inside a parenthesised value set. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (char === '(') {
      depth += 1;
    } else if (char === ')') {
      depth -= 1;
    } else if (char === ',' && depth === 0) {
      parts.push(text.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

// Label keys may carry a DNS prefix ('app.kubernetes.io/name'). Values use the characters of a label value.
const KEY = '([A-Za-z0-9][-A-Za-z0-9_./]*)';
const VALUE = '([-A-Za-z0-9_.]*)';
const SET_REQUIREMENT = new RegExp(`^${KEY}\\s+(in|notin)\\s*\\(([^()]*)\\)$`);
const EQUALITY_REQUIREMENT = new RegExp(`^${KEY}\\s*(==|=|!=)\\s*${VALUE}$`);
const EXISTS_REQUIREMENT = new RegExp(`^${KEY}$`);
const NOT_EXISTS_REQUIREMENT = new RegExp(`^!\\s*${KEY}$`);

function parseLabelRequirement(text: string): LabelRequirement {
  const set = SET_REQUIREMENT.exec(text);
  if (set !== null) {
    const values = (set[3] ?? '')
      .split(',')
      .map((value) => value.trim())
      .filter((value) => value !== '');
    return { key: set[1] ?? '', operator: set[2] === 'in' ? 'in' : 'notIn', values };
  }
  const equality = EQUALITY_REQUIREMENT.exec(text);
  if (equality !== null) {
    const operator = equality[2] === '!=' ? 'notEquals' : 'equals';
    return { key: equality[1] ?? '', operator, values: [equality[3] ?? ''] };
  }
  const exists = EXISTS_REQUIREMENT.exec(text);
  if (exists !== null) {
    return { key: exists[1] ?? '', operator: 'exists', values: [] };
  }
  const notExists = NOT_EXISTS_REQUIREMENT.exec(text);
  if (notExists !== null) {
    return { key: notExists[1] ?? '', operator: 'doesNotExist', values: [] };
  }
  // NOTE: the numeric operators 'key>N' and 'key<N' of the real parser are not supported.
  throw badRequest(`unable to parse requirement: invalid label selector: "${text}"`);
}

/** Parses a labelSelector query value such as 'app=web,tier in (a,b),!legacy'. */
export function parseLabelSelector(text: string | undefined): LabelRequirement[] {
  return text === undefined ? [] : splitTopLevel(text).map(parseLabelRequirement);
}

/** Parses a fieldSelector query value, rejecting fields the type does not index, as the real server does. */
export function parseFieldSelector(text: string | undefined, type: ResourceType): FieldRequirement[] {
  if (text === undefined) {
    return [];
  }
  const supported = new Set(['metadata.name', 'metadata.namespace', ...(type.fieldLabels ?? [])]);
  return splitTopLevel(text).map((part) => {
    const match = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (match === null) {
      throw badRequest(`invalid selector: '${part}'; can't understand '${part}'`);
    }
    const path = match[1] ?? '';
    if (!supported.has(path)) {
      throw badRequest(`field label not supported: ${path}`);
    }
    return { path, operator: match[2] === '!=' ? 'notEquals' : 'equals', value: (match[3] ?? '').trim() };
  });
}

export function parseFilter(
  labelSelector: string | undefined,
  fieldSelector: string | undefined,
  type: ResourceType,
): ObjectFilter {
  return { labels: parseLabelSelector(labelSelector), fields: parseFieldSelector(fieldSelector, type) };
}

function matchesLabel(requirement: LabelRequirement, labels: Record<string, string>): boolean {
  const present = Object.hasOwn(labels, requirement.key);
  const value = labels[requirement.key];
  switch (requirement.operator) {
    case 'exists':
      return present;
    case 'doesNotExist':
      return !present;
    case 'equals':
      return present && value === requirement.values[0];
    case 'notEquals':
      return !present || value !== requirement.values[0];
    case 'in':
      return present && requirement.values.includes(value ?? '');
    case 'notIn':
      return !present || !requirement.values.includes(value ?? '');
  }
}

function fieldValue(object: KubeObject, path: string): string {
  const { found, value } = getAt(object, path.split('.'));
  if (!found || value === null || value === undefined) {
    return '';
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export function matchesFilter(filter: ObjectFilter, object: KubeObject): boolean {
  const labels = object.metadata.labels ?? {};
  if (!filter.labels.every((requirement) => matchesLabel(requirement, labels))) {
    return false;
  }
  return filter.fields.every((requirement) => {
    const equal = fieldValue(object, requirement.path) === requirement.value;
    return requirement.operator === 'equals' ? equal : !equal;
  });
}
