import { ANNOTATION_EXEMPT, ANNOTATION_EXEMPT_UNTIL, LABEL_BASELINE } from '../config/defaults.js';
import { isWorkloadKind, metadataOf, podTemplateOf, stringMap } from '../state/objects.js';
import { isControllerCopy } from './approval.js';
import { describeObject } from './describe.js';
import { exemptionAnnotations, readExemption } from './exemptions.js';
import { NAMESPACE_SCOPE, workloadScopes } from './scopes.js';
import type { Rule, RuleContext, Violation } from './types.js';

const RULE = 'exemption-approval' as const;

interface AnnotatedPart {
  source: string;
  annotations: Record<string, string>;
  oldAnnotations: Record<string, string>;
}

/** Returns the parts of the object that may carry exemption annotations, with their old values. */
function annotatedParts(context: RuleContext): AnnotatedPart[] {
  const { kind, name, object, oldObject, namespace } = context.request;
  const annotationsOf = (value: unknown): Record<string, string> => stringMap(metadataOf(value).annotations);
  if (kind === 'Namespace') {
    return [{ source: `namespace ${namespace}`, annotations: annotationsOf(object), oldAnnotations: annotationsOf(oldObject) }];
  }
  if (!isWorkloadKind(kind)) return [];
  const parts: AnnotatedPart[] = [
    { source: describeObject(kind, name), annotations: annotationsOf(object), oldAnnotations: annotationsOf(oldObject) },
  ];
  if (kind !== 'Pod') {
    parts.push({
      source: `the pod template of ${describeObject(kind, name)}`,
      annotations: annotationsOf(podTemplateOf(kind, object)),
      oldAnnotations: oldObject ? annotationsOf(podTemplateOf(kind, oldObject)) : {},
    });
  }
  return parts;
}

/**
 * True when an exemption annotation is added or changed. Removing one needs no
 * approval, except removing the expiry of an exemption that stays, because
 * that extends it without end.
 */
function grantsExemption(part: AnnotatedPart): boolean {
  const current = exemptionAnnotations(part.annotations);
  const previous = exemptionAnnotations(part.oldAnnotations);
  if (Object.entries(current).some(([key, value]) => previous[key] !== value)) return true;
  return current[ANNOTATION_EXEMPT] !== undefined && previous[ANNOTATION_EXEMPT_UNTIL] !== undefined && current[ANNOTATION_EXEMPT_UNTIL] === undefined;
}

/**
 * True when the request turns a namespace's baseline off: created with another
 * value than enabled, or the enabled label changed or removed. With
 * `baseline.applyToExisting` an unlabelled namespace gets the baseline too, so
 * adding another value there turns it off as well.
 */
function optsOutOfBaseline(context: RuleContext): boolean {
  const { kind, operation, object, oldObject } = context.request;
  if (kind !== 'Namespace') return false;
  const label = stringMap(metadataOf(object).labels)[LABEL_BASELINE];
  const oldLabel = stringMap(metadataOf(oldObject).labels)[LABEL_BASELINE];
  if (operation === 'CREATE') return label !== undefined && label !== 'enabled';
  if (oldLabel === 'enabled') return label !== 'enabled';
  return context.config.baseline.applyToExisting && oldLabel === undefined && label !== undefined && label !== 'enabled';
}

async function check(context: RuleContext): Promise<Violation[]> {
  const violations: Violation[] = [];
  const parts = annotatedParts(context);
  for (const part of parts) {
    for (const problem of readExemption(part.annotations, part.source, context.now).problems) {
      violations.push({ rule: RULE, severity: 'deny', summary: problem.slice(0, 100), message: `${RULE}: ${problem}` });
    }
  }

  const granting = parts.filter(grantsExemption);
  const optingOut = optsOutOfBaseline(context);
  if (granting.length === 0 && !optingOut) return violations;
  if (isControllerCopy(context.request.userInfo, context.request.object)) return violations;
  if (await context.isApprover()) return violations;

  const user = context.request.userInfo.username;
  if (granting.length > 0) {
    violations.push({
      rule: RULE,
      severity: 'deny',
      summary: `only approvers may set ${ANNOTATION_EXEMPT} annotations`,
      message:
        `${RULE}: user ${JSON.stringify(user)} may not add or change the ${ANNOTATION_EXEMPT} annotations on ${granting.map((part) => part.source).join(' and ')}; ` +
        `ask an approver to set them, or remove them from the request`,
    });
  }
  if (optingOut) {
    violations.push({
      rule: RULE,
      severity: 'deny',
      summary: `only approvers may turn off the baseline of a namespace`,
      message:
        `${RULE}: user ${JSON.stringify(user)} may not set ${LABEL_BASELINE} to anything but "enabled" on namespace ${context.request.namespace}, ` +
        `because that removes its default-deny baseline; ask an approver to make the change`,
    });
  }
  return violations;
}

export const exemptionApprovalRule: Rule = {
  id: RULE,
  scopes: [...workloadScopes(), NAMESPACE_SCOPE],
  exemptable: false,
  alwaysEnforced: true,
  check,
};
