/**
 * Label key and value syntax, as the API server validates it
 * (k8s.io/apimachinery/pkg/util/validation: IsQualifiedName, IsValidLabelValue).
 */
import { quoteValue } from './quote.js';

const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NAME_MAX_LENGTH = 63;
const PREFIX_MAX_LENGTH = 253;

/** Returns why `key` is not a valid label key, or undefined when it is valid. */
export function labelKeyProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) {
    return `label key ${JSON.stringify(key)} is invalid: it may contain at most one "/"`;
  }

  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix.length === 0 || prefix.length > PREFIX_MAX_LENGTH || !DNS_SUBDOMAIN.test(prefix)) {
      return `label key ${JSON.stringify(key)} is invalid: the prefix must be a DNS subdomain of at most ${PREFIX_MAX_LENGTH} characters`;
    }
  }
  if (name.length === 0 || name.length > NAME_MAX_LENGTH || !NAME_PART.test(name)) {
    return `label key ${JSON.stringify(key)} is invalid: the name must be 1 to ${NAME_MAX_LENGTH} alphanumeric characters, "-", "_" or ".", starting and ending with an alphanumeric character`;
  }
  return undefined;
}

/** Returns why `value` is not a valid label value, or undefined when it is valid. */
export function labelValueProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') {
    return `label value ${quoteValue(value)} is invalid: it must be a string`;
  }
  if (value.length === 0) {
    return undefined;
  }
  if (value.length > NAME_MAX_LENGTH || !NAME_PART.test(value)) {
    return `label value ${JSON.stringify(value)} is invalid: it must be empty or at most ${NAME_MAX_LENGTH} alphanumeric characters, "-", "_" or ".", starting and ending with an alphanumeric character`;
  }
  return undefined;
}
