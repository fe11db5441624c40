import { LABEL_MODE } from '../config/defaults.js';
import type { Mode, RuleId } from '../config/types.js';
import { isWorkloadKind, metadataOf, podTemplateOf, stringMap } from '../state/objects.js';
import { describeObject } from './describe.js';
import { exemptionCovers, readExemption, type Exemption } from './exemptions.js';
import { isMode } from './namespace-mode.js';
import { rulesFor } from './registry.js';
import type { RuleContext, Violation } from './types.js';

/**
 * System users whose deletions clean up after a namespace or an owner is
 * deleted; blocking them would leave namespaces stuck in Terminating.
 */
const CLEANUP_USERS = new Set([
  'system:serviceaccount:kube-system:namespace-controller',
  'system:serviceaccount:kube-system:generic-garbage-collector',
]);

export interface ChainResult {
  mode: Mode;
  /** Source of the mode: the cluster default or the namespace label. */
  modeSource: 'cluster' | 'namespace';
  /** Rules that ran. */
  ruleIds: RuleId[];
  /** Violations that no exemption covers. */
  violations: Violation[];
  /** Violations an exemption covered, with the exemption. */
  exempted: Array<{ violation: Violation; exemption: Exemption }>;
  /** Exemptions found but past their expiry; they no longer apply. */
  expired: Exemption[];
  /** Set when a static exemption skipped every rule. */
  staticExemption?: string;
}

/** Resolves the mode: the namespace label when valid, else the cluster-wide mode. */
export function resolveMode(context: RuleContext): { mode: Mode; source: 'cluster' | 'namespace' } {
  const { request, state, config } = context;
  const labels =
    request.kind === 'Namespace' && request.object
      ? stringMap(metadataOf(request.object).labels)
      : state.namespace(request.namespace)?.labels;
  const label = labels?.[LABEL_MODE];
  return isMode(label) ? { mode: label, source: 'namespace' } : { mode: config.mode, source: 'cluster' };
}

function staticExemption(context: RuleContext): string | undefined {
  const { request, config } = context;
  const { exemptions } = config;
  if (request.namespace === config.webhookNamespace || exemptions.namespaces.includes(request.namespace)) {
    return `namespace ${request.namespace}`;
  }
  if (exemptions.usernames.includes(request.userInfo.username)) return `user ${request.userInfo.username}`;
  const group = request.userInfo.groups.find((candidate) => exemptions.groups.includes(candidate));
  if (group !== undefined) return `group ${group}`;
  if (request.operation === 'DELETE' && CLEANUP_USERS.has(request.userInfo.username)) return `cleanup by ${request.userInfo.username}`;
  if (request.operation === 'DELETE' && context.state.namespace(request.namespace)?.terminating) {
    return `namespace ${request.namespace} is terminating`;
  }
  return undefined;
}

/** Reads the exemptions that apply to the request: the namespace's, the object's and its pod template's. */
function exemptionsFor(context: RuleContext): Exemption[] {
  const { request, state, now } = context;
  const found: Exemption[] = [];
  const add = (annotations: Record<string, string>, source: string): void => {
    const { exemption } = readExemption(annotations, source, now);
    if (exemption) found.push(exemption);
  };

  if (request.kind === 'Namespace') {
    add(stringMap(metadataOf(request.object).annotations), `namespace ${request.namespace}`);
    return found;
  }
  add({ ...(state.namespace(request.namespace)?.annotations ?? {}) }, `namespace ${request.namespace}`);
  if (isWorkloadKind(request.kind) && request.object) {
    add(stringMap(metadataOf(request.object).annotations), describeObject(request.kind, request.name));
    if (request.kind !== 'Pod') {
      add(stringMap(metadataOf(podTemplateOf(request.kind, request.object)).annotations), `the pod template of ${describeObject(request.kind, request.name)}`);
    }
  }
  return found;
}

/**
 * Runs every enabled rule that reads the request's kind and operation, and
 * sorts the violations into those that stand and those an exemption covers.
 * Every violation is reported, not only the first.
 */
export async function runRules(context: RuleContext): Promise<ChainResult> {
  const { mode, source } = resolveMode(context);
  const result: ChainResult = { mode, modeSource: source, ruleIds: [], violations: [], exempted: [], expired: [] };
  const skip = staticExemption(context);
  if (skip !== undefined) {
    result.staticExemption = skip;
    return result;
  }

  const { group, kind, operation } = context.request;
  const rules = rulesFor(group, kind, operation).filter((rule) => context.config.rules[rule.id].enabled);
  const exemptions = exemptionsFor(context);
  result.expired = exemptions.filter((exemption) => exemption.expired);

  for (const rule of rules) {
    result.ruleIds.push(rule.id);
    for (const violation of await rule.check(context)) {
      const exemption = rule.exemptable ? exemptions.find((candidate) => exemptionCovers(candidate, rule.id)) : undefined;
      if (exemption) result.exempted.push({ violation, exemption });
      else result.violations.push(rule.alwaysEnforced ? { ...violation, alwaysEnforced: true } : violation);
    }
  }
  return result;
}
