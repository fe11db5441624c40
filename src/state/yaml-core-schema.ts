/**
 * A js-yaml schema that resolves plain scalars exactly as the `yaml` package's YAML 1.2 core
 * schema does (yaml 2.x, `src/schema/core/`), so that both parsers give the same values.
 * js-yaml's own CORE_SCHEMA differs: it reads `0b101` as 5 and `1_000` as a number.
 */
import { FAILSAFE_SCHEMA, Type } from 'js-yaml';

const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCTAL = /^0o[0-7]+$/;
const INT_DECIMAL = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXPONENT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

// js-yaml tries every type on every plain scalar, and most scalars in manifests are names that
// no type matches, so cheap checks of length and first character come before the regular expressions.
function startsLikeNumber(data: string): boolean {
  const first = data.charCodeAt(0);
  return (first >= 0x30 && first <= 0x39) || first === 0x2b || first === 0x2d || first === 0x2e;
}

const nullType = new Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (data: unknown) => typeof data === 'string' && data.length <= 4 && NULL.test(data),
  construct: () => null,
});

const boolType = new Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: unknown) => typeof data === 'string' && (data.length === 4 || data.length === 5) && BOOL.test(data),
  construct: (data: string) => data[0] === 't' || data[0] === 'T',
});

const intType = new Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: unknown) =>
    typeof data === 'string' && startsLikeNumber(data) && (INT_DECIMAL.test(data) || INT_OCTAL.test(data) || INT_HEX.test(data)),
  construct: (data: string) => {
    if (data.startsWith('0o')) {
      return parseInt(data.slice(2), 8);
    }
    if (data.startsWith('0x')) {
      return parseInt(data.slice(2), 16);
    }
    return parseInt(data, 10);
  },
});

const floatType = new Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (data: unknown) =>
    typeof data === 'string' && startsLikeNumber(data) && (FLOAT.test(data) || FLOAT_EXPONENT.test(data) || FLOAT_NAN.test(data)),
  construct: (data: string) => {
    if (!FLOAT_NAN.test(data)) {
      return parseFloat(data);
    }
    if (data.endsWith('nan') || data.endsWith('NaN') || data.endsWith('NAN')) {
      return NaN;
    }
    return data.startsWith('-') ? -Infinity : Infinity;
  },
});

/** The YAML 1.2 core schema as the `yaml` package resolves it, without `<<` merge keys. */
export const YAML_CORE_SCHEMA = FAILSAFE_SCHEMA.extend({ implicit: [nullType, boolType, intType, floatType] });
