import { compilePolicy, type CompiledPolicy } from '../engine/index.js';
import { networkPolicyOf } from '../state/objects.js';
import type { RuleContext } from './types.js';

export interface PolicyChange {
  namespace: string;
  name: string;
  /** The namespace's policies before the request, with the request's old object in place. */
  before: CompiledPolicy[];
  /** The namespace's policies if the request is admitted. */
  after: CompiledPolicy[];
  /** The policy as it will be stored, or undefined on DELETE. */
  updated?: CompiledPolicy;
}

function compiled(object: unknown, namespace: string): CompiledPolicy | undefined {
  if (object === null || object === undefined) return undefined;
  const result = compilePolicy(networkPolicyOf(object, namespace));
  return result.ok ? result.policy : undefined;
}

/** Computes the namespace's policies before and after a NetworkPolicy request. */
export function policyChange(context: RuleContext): PolicyChange {
  const { namespace, name, object, oldObject, operation } = context.request;
  const others = context.policies.policiesIn(namespace).filter((policy) => policy.name !== name);
  const stored = context.policies.policiesIn(namespace).find((policy) => policy.name === name);
  const old = operation === 'CREATE' ? undefined : (compiled(oldObject, namespace) ?? stored);
  const updated = operation === 'DELETE' ? undefined : compiled(object, namespace);
  return {
    namespace,
    name,
    before: old ? [...others, old] : others,
    after: updated ? [...others, updated] : others,
    ...(updated ? { updated } : {}),
  };
}

/** Returns the verb for a NetworkPolicy request in messages: creating, changing or deleting. */
export function changeVerb(operation: string): 'creating' | 'changing' | 'deleting' {
  if (operation === 'DELETE') return 'deleting';
  if (operation === 'CREATE') return 'creating';
  return 'changing';
}
