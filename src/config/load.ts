import { readFile } from 'node:fs/promises';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { compilePolicy } from '../engine/index.js';
import { defaultConfig } from './defaults.js';
import { CONFIG_SCHEMA } from './schema.js';
import type { Config } from './types.js';

/** A configuration problem; the message names the file and the path of the offending key. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
const validateConfig = ajv.compile(CONFIG_SCHEMA);

function pathOf(error: ErrorObject): string {
  const segments = error.instancePath.split('/').slice(1).map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'additionalProperties') segments.push(String(error.params.additionalProperty));
  if (error.keyword === 'propertyNames' && error.params.propertyName) segments.push(String(error.params.propertyName));
  return segments.length === 0 ? '(top level)' : segments.join('.');
}

function describe(error: ErrorObject): string {
  switch (error.keyword) {
    case 'additionalProperties':
    case 'propertyNames':
      return 'is not a known key; check its spelling against the configuration reference in the README';
    case 'enum':
      return `must be one of ${(error.params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}`;
    case 'oneOf':
      return 'must set either namespace and podLabels (DNS pods) or ip (a fixed address)';
    default:
      return error.message ?? 'is invalid';
  }
}

/** Merges `override` into `base`: objects merge key by key, arrays and scalars replace. */
function merge<T>(base: T, override: unknown): T {
  if (override === null || typeof override !== 'object' || Array.isArray(override)) return override as T;
  const result: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(override)) {
    const current = result[key];
    result[key] =
      current !== null && typeof current === 'object' && !Array.isArray(current) ? merge(current, value) : value;
  }
  return result as T;
}

/**
 * Validates a parsed configuration object and merges it over the defaults.
 * Every problem is reported at once, each with its key path.
 */
export function resolveConfig(input: unknown, source = 'configuration'): Config {
  if (input === null || input === undefined) return defaultConfig();
  if (!validateConfig(input)) {
    // oneOf reports its branches too; the oneOf line alone says what to do.
    const errors = (validateConfig.errors ?? []).filter(
      (error, _index, all) =>
        error.keyword !== 'required' || !all.some((other) => other.keyword === 'oneOf' && error.instancePath === other.instancePath),
    );
    const lines = [...new Set(errors.map((error) => `${pathOf(error)} ${describe(error)}`))];
    throw new ConfigError(`invalid ${source}: ${lines.join('; ')}`);
  }

  const config = merge(defaultConfig(), input);
  config.baseline.extraPolicies.forEach((template, index) => {
    const result = compilePolicy({ namespace: 'template', name: template.name, spec: template.spec });
    if (!result.ok) {
      const [first] = result.errors;
      throw new ConfigError(`invalid ${source}: baseline.extraPolicies.${index}.${first!.field} ${first!.message}`);
    }
  });
  return config;
}

/** Reads a YAML or JSON configuration file; without a file the defaults apply. */
export async function loadConfig(file: string | undefined): Promise<Config> {
  if (file === undefined) return defaultConfig();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot read configuration file ${file}: ${code === 'ENOENT' ? 'not found' : code ?? String(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    const line = error instanceof YAMLParseError ? error.linePos?.[0].line : undefined;
    throw new ConfigError(`${file}${line ? `:${line}` : ''}: invalid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  return resolveConfig(parsed, `configuration file ${file}`);
}
