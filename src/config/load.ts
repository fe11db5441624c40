import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
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

// verbose: the message for an unknown key lists the known ones from the error's parent schema.
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, verbose: true });
const validateConfig = ajv.compile(CONFIG_SCHEMA);

function pathOf(error: ErrorObject): string {
  const segments = error.instancePath.split('/').slice(1).map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'additionalProperties') segments.push(String(error.params.additionalProperty));
  return segments.length === 0 ? '(top level)' : segments.join('.');
}

function knownKeys(error: ErrorObject): string {
  const properties = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
  return Object.keys(properties).join(', ');
}

function describe(error: ErrorObject): string {
  switch (error.keyword) {
    case 'additionalProperties':
      return `is not a known key; use one of ${knownKeys(error)}`;
    case 'pattern':
      return 'must be a lowercase RFC 1123 DNS subdomain name (letters a-z, digits, "-" and "."), such as default-deny-all';
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
    // oneOf also reports the required errors of its branches, but the oneOf message alone states the fix.
    const errors = (validateConfig.errors ?? []).filter(
      (error, _index, all) =>
        error.keyword !== 'required' || !all.some((other) => other.keyword === 'oneOf' && error.instancePath === other.instancePath),
    );
    const lines = [...new Set(errors.map((error) => `${pathOf(error)} ${describe(error)}`))];
    throw new ConfigError(`invalid ${source}: ${lines.join('; ')}`);
  }

  const config = merge(defaultConfig(), input);
  const problems = [...dnsTargetProblems(config), ...baselineProblems(config)];
  if (problems.length > 0) throw new ConfigError(`invalid ${source}: ${problems.join('; ')}`);
  return config;
}

/** Checks what the schema cannot: that each fixed DNS address is an IP address. */
function dnsTargetProblems(config: Config): string[] {
  const problems: string[] = [];
  config.dns.targets.forEach((target, index) => {
    if ('ip' in target && isIP(target.ip) === 0) {
      problems.push(`dns.targets.${index}.ip ${JSON.stringify(target.ip)} must be an IPv4 or IPv6 address, such as 169.254.20.10`);
    }
  });
  return problems;
}

/**
 * Checks the extra baseline policies the way the API server would check the
 * NetworkPolicies built from them, and that every baseline policy name is
 * unique in a namespace.
 */
function baselineProblems(config: Config): string[] {
  const problems: string[] = [];
  const names = [config.baseline.denyAllName, config.baseline.allowDnsName];
  if (names[0] === names[1]) {
    problems.push(`baseline.allowDnsName ${JSON.stringify(names[1])} must differ from baseline.denyAllName`);
  }
  config.baseline.extraPolicies.forEach((template, index) => {
    if (names.includes(template.name)) {
      problems.push(`baseline.extraPolicies.${index}.name ${JSON.stringify(template.name)} is already the name of another baseline policy; use a unique name`);
    }
    names.push(template.name);
    const result = compilePolicy({ namespace: 'template', name: template.name, spec: template.spec });
    if (!result.ok) {
      for (const error of result.errors) problems.push(`baseline.extraPolicies.${index}.${error.field} ${error.message}`);
    }
  });
  return problems;
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
    const position = error instanceof YAMLParseError ? error.linePos?.[0] : undefined;
    const where = position ? `:${position.line}:${position.col}` : '';
    // The yaml package appends the position and a source excerpt, which `where` already gives.
    const reason = (error as Error).message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError(`${file}${where}: invalid YAML: ${reason}`);
  }
  return resolveConfig(parsed, `configuration file ${file}`);
}
