const MAX_QUOTED_LENGTH = 64;

/**
 * Quotes a value from user input for an error message. Strings are quoted
 * and shortened; lists and objects are named by type, because stringifying an
 * object nested thousands of levels deep overflows the stack.
 */
export function quoteValue(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > MAX_QUOTED_LENGTH ? `${value.slice(0, MAX_QUOTED_LENGTH - 3)}...` : value);
  }
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}
