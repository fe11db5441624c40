import { LABEL_MODE } from '../config/defaults.js';
import { MODES, type Mode } from '../config/types.js';
import { metadataOf, stringMap } from '../state/objects.js';
import { NAMESPACE_SCOPE } from './scopes.js';
import type { Rule } from './types.js';

const RULE = 'namespace-mode' as const;

export function isMode(value: unknown): value is Mode {
  return typeof value === 'string' && (MODES as readonly string[]).includes(value);
}

export const namespaceModeRule: Rule = {
  id: RULE,
  scopes: [NAMESPACE_SCOPE],
  exemptable: false,
  alwaysEnforced: true,
  check(context) {
    const value = stringMap(metadataOf(context.request.object).labels)[LABEL_MODE];
    if (value === undefined || isMode(value)) return [];
    return [
      {
        rule: RULE,
        severity: 'deny',
        summary: `label ${LABEL_MODE} must be enforce, warn or audit`,
        message: `${RULE}: label ${LABEL_MODE} on namespace ${context.request.namespace} has invalid value ${JSON.stringify(value)}; use ${MODES.join(', ')}`,
      },
    ];
  },
};
