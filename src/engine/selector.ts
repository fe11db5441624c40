import { labelKeyProblem, labelValueProblem } from './labels.js';
import type { LabelSelector, Labels } from './types.js';
import { quoteValue } from './quote.js';

/** A compiled label selector: a predicate over a label map. */
export type LabelMatcher = (labels: Labels) => boolean;

export interface SelectorProblem {
  field: string;
  message: string;
}

export interface CompiledSelector {
  matches: LabelMatcher;
  /** True for `{}`: the selector matches every object. */
  matchesAll: boolean;
  problems: SelectorProblem[];
}

const matchAll: LabelMatcher = () => true;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Compiles a LabelSelector into a predicate and collects every syntax problem,
 * with the field path under `path`. An empty selector matches everything; a
 * selector with problems matches nothing, and callers must report the problems.
 */
/**
 * Compiled selectors keyed by their content. Policies in different namespaces
 * often repeat the same selectors (an allow-DNS peer, `app: web`), so sharing
 * one compiled form saves memory at cluster scale; see `compileSelector`.
 */
export type SelectorCache = Map<string, CompiledSelector>;

/** Caps a selector cache; past it, new selectors are compiled without being shared. */
const SELECTOR_CACHE_LIMIT = 100_000;

const MATCH_ALL_SELECTOR: CompiledSelector = Object.freeze({ matches: matchAll, matchesAll: true, problems: Object.freeze([]) as unknown as SelectorProblem[] });

/** Returns a key that is equal for selectors with the same requirements in any order. */
function selectorKey(selector: LabelSelector): string {
  const labels = Object.entries(selector.matchLabels ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const expressions = (selector.matchExpressions ?? [])
    .map((requirement) => [requirement.key, requirement.operator, [...(requirement.values ?? [])].sort()])
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  return JSON.stringify([labels, expressions]);
}

/**
 * Compiles a LabelSelector like `compileSelectorUncached`, and with a `cache`
 * returns the compiled form already made for an equal, valid selector.
 */
export function compileSelector(selector: LabelSelector | null | undefined, path: string, cache?: SelectorCache): CompiledSelector {
  const compiled = compileSelectorUncached(selector, path);
  if (compiled.matchesAll && compiled.problems.length === 0) return MATCH_ALL_SELECTOR;
  if (cache === undefined || compiled.problems.length > 0) return compiled;

  // Validation passed, so every key and value is a string and the key cannot overflow.
  const key = selectorKey(selector!);
  const shared = cache.get(key);
  if (shared !== undefined) return shared;
  if (cache.size < SELECTOR_CACHE_LIMIT) cache.set(key, compiled);
  return compiled;
}

function compileSelectorUncached(selector: LabelSelector | null | undefined, path: string): CompiledSelector {
  const problems: SelectorProblem[] = [];
  const tests: LabelMatcher[] = [];

  if (selector === null || selector === undefined) {
    return { matches: matchAll, matchesAll: true, problems };
  }
  if (typeof selector !== 'object' || Array.isArray(selector)) {
    problems.push({ field: path, message: 'must be a label selector object' });
    return { matches: () => false, matchesAll: false, problems };
  }

  // Manifests read from files have not passed API server validation, so field shapes are checked too.
  const matchLabels = selector.matchLabels ?? {};
  if (typeof matchLabels !== 'object' || Array.isArray(matchLabels)) {
    problems.push({ field: `${path}.matchLabels`, message: 'must be a map of label keys to values' });
  }
  for (const [key, value] of Object.entries(isPlainObject(matchLabels) ? matchLabels : {})) {
    const field = `${path}.matchLabels[${JSON.stringify(key)}]`;
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) problems.push({ field, message: keyProblem });
    const valueProblem = labelValueProblem(value);
    if (valueProblem) problems.push({ field, message: valueProblem });
    tests.push((labels) => Object.hasOwn(labels, key) && labels[key] === value);
  }

  const expressions = selector.matchExpressions ?? [];
  if (!Array.isArray(expressions)) {
    problems.push({ field: `${path}.matchExpressions`, message: 'must be a list of requirements' });
  }
  (Array.isArray(expressions) ? expressions : []).forEach((requirement, index) => {
    const field = `${path}.matchExpressions[${index}]`;
    if (!isPlainObject(requirement)) {
      problems.push({ field, message: 'must be an object with key, operator and values' });
      return;
    }
    const test = compileRequirement(requirement, field, problems);
    if (test) tests.push(test);
  });

  if (problems.length > 0) {
    return { matches: () => false, matchesAll: false, problems };
  }
  if (tests.length === 0) {
    return { matches: matchAll, matchesAll: true, problems };
  }
  const matches: LabelMatcher = (labels) => {
    for (const test of tests) {
      if (!test(labels)) return false;
    }
    return true;
  };
  return { matches, matchesAll: false, problems };
}

function compileRequirement(
  requirement: LabelSelector['matchExpressions'] extends (infer R)[] | null | undefined ? R : never,
  field: string,
  problems: SelectorProblem[],
): LabelMatcher | undefined {
  const { key, operator } = requirement;
  const values = requirement.values ?? [];
  if (!Array.isArray(values)) {
    problems.push({ field: `${field}.values`, message: 'must be a list of label values' });
    return undefined;
  }

  const keyProblem = typeof key === 'string' ? labelKeyProblem(key) : 'key is missing';
  if (keyProblem) problems.push({ field: `${field}.key`, message: keyProblem });

  switch (operator) {
    case 'In':
    case 'NotIn': {
      if (values.length === 0) {
        problems.push({ field: `${field}.values`, message: `operator ${operator} requires at least one value` });
        return undefined;
      }
      values.forEach((value, index) => {
        const problem = labelValueProblem(value);
        if (problem) problems.push({ field: `${field}.values[${index}]`, message: problem });
      });
      const set = new Set(values);
      // NotIn also matches objects without the key, as the API reference specifies.
      return operator === 'In'
        ? (labels) => Object.hasOwn(labels, key) && set.has(labels[key]!)
        : (labels) => !Object.hasOwn(labels, key) || !set.has(labels[key]!);
    }
    case 'Exists':
    case 'DoesNotExist': {
      if (values.length > 0) {
        problems.push({ field: `${field}.values`, message: `operator ${operator} takes no values` });
        return undefined;
      }
      return operator === 'Exists' ? (labels) => Object.hasOwn(labels, key) : (labels) => !Object.hasOwn(labels, key);
    }
    default:
      problems.push({
        field: `${field}.operator`,
        message: `unknown operator ${quoteValue(operator)}; use In, NotIn, Exists or DoesNotExist`,
      });
      return undefined;
  }
}

/** Tests a selector against labels in one call; for hot paths compile once instead. */
export function selectorMatches(selector: LabelSelector | null | undefined, labels: Labels): boolean {
  return compileSelector(selector, 'selector').matches(labels);
}
