import type { AuditRuleId } from './types.js';

/** Metadata the output formats print for each check: SARIF rule metadata and PolicyReport rule names. */
export interface AuditRuleInfo {
  id: AuditRuleId;
  /** PolicyReport `rule` name of the check within the policy named by `id`. */
  check: string;
  title: string;
  /** Description of what the check finds and how to fix it, in plain text. */
  help: string;
}

export const AUDIT_RULES: Readonly<Record<AuditRuleId, AuditRuleInfo>> = {
  'default-deny': {
    id: 'default-deny',
    check: 'namespace-default-deny',
    title: 'Namespace has a default-deny NetworkPolicy',
    help:
      'Every namespace needs a NetworkPolicy with podSelector: {} that isolates all pods for Ingress and Egress, ' +
      'with no rule of such a policy opening the direction to every peer. In enforce mode the webhook rejects new ' +
      'workloads in a namespace without one. Fix: apply a policy such as ' +
      '{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"default-deny-all"},' +
      '"spec":{"podSelector":{},"policyTypes":["Ingress","Egress"]}} together with a policy that allows DNS egress.',
  },
  'dns-egress': {
    id: 'dns-egress',
    check: 'dns-egress-allowed',
    title: 'Egress-isolated pods can reach cluster DNS',
    help:
      'Pods that a NetworkPolicy isolates for egress need an egress rule that allows UDP 53 and TCP 53 to the ' +
      'cluster DNS pods, or name lookups fail. Fix: add an egress rule with to: [{namespaceSelector: {matchLabels: ' +
      '{kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}] and ports ' +
      'UDP 53 and TCP 53 to a policy that selects these pods.',
  },
  'namespace-mode': {
    id: 'namespace-mode',
    check: 'mode-enforce',
    title: 'Namespace is in enforce mode',
    help:
      'In warn and audit mode the webhook lets violations through. The mode comes from the namespace label ' +
      'netpol-guard.io/mode (enforce, warn or audit) or, without it, from the configured cluster-wide mode. ' +
      'Fix the violations the audit reports, then set the label to enforce or remove it.',
  },
  'invalid-network-policy': {
    id: 'invalid-network-policy',
    check: 'network-policy-valid',
    title: 'NetworkPolicy is valid',
    help:
      'The API server rejects this NetworkPolicy, or netpol-guard cannot evaluate it, so it isolates or allows ' +
      'nothing. Fix the field named in the message.',
  },
  'expired-exemption': {
    id: 'expired-exemption',
    check: 'exemption-not-expired',
    title: 'Exemption has not expired',
    help:
      'The date in netpol-guard.io/exempt-until has passed, so the exemption no longer applies and the webhook ' +
      'enforces the rules again. Fix the violations, or ask an approver to extend the date.',
  },
  'invalid-exemption': {
    id: 'invalid-exemption',
    check: 'exemption-annotations-valid',
    title: 'Exemption annotations are valid',
    help:
      'An exemption needs netpol-guard.io/exempt (all or a comma-separated list of rule ids) and a non-empty ' +
      'netpol-guard.io/exempt-reason; netpol-guard.io/exempt-until must be an RFC 3339 date or date-time. ' +
      'An invalid exemption is ignored.',
  },
};
