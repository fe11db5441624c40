import type { DirectionVerdict, Protocol, RuleRef, TrafficVerdict } from '../../engine/index.js';

/** `ns/policy spec.ingress[0]`: the policy and the rule, as a reader finds them in the YAML. */
export function formatRuleRef(rule: RuleRef): string {
  return `${rule.policy} spec.${rule.direction === 'Ingress' ? 'ingress' : 'egress'}[${rule.ruleIndex}]`;
}

/** One side of a connection in the JSON output of `explain`. */
export interface DirectionJson {
  isolated: boolean;
  allowed: boolean;
  isolatingPolicies: string[];
  allowedBy: string[];
}

/** The JSON output of `explain` for one connection. docs/explain.md documents every field. */
export interface VerdictJson {
  allowed: boolean;
  reason: TrafficVerdict['reason'];
  from: string;
  to: string;
  port: number;
  protocol: Protocol;
  egress: DirectionJson | null;
  ingress: DirectionJson | null;
}

/** Names the two endpoints and the port of the connection being explained. */
export interface ConnectionLabels {
  from: string;
  to: string;
  port: number;
  protocol: Protocol;
}

function directionJson(side: DirectionVerdict | null): DirectionJson | null {
  if (side === null) return null;
  return {
    isolated: side.isolated,
    allowed: side.allowed,
    isolatingPolicies: [...side.isolatingPolicies],
    allowedBy: side.allowedBy.map(formatRuleRef),
  };
}

export function verdictJson(verdict: TrafficVerdict, connection: ConnectionLabels): VerdictJson {
  return {
    allowed: verdict.allowed,
    reason: verdict.reason,
    from: connection.from,
    to: connection.to,
    port: connection.port,
    protocol: connection.protocol,
    egress: directionJson(verdict.egress),
    ingress: directionJson(verdict.ingress),
  };
}

const REASON_TEXT: Record<TrafficVerdict['reason'], string> = {
  'same-pod': 'a pod may always connect to itself',
  allowed: 'egress and ingress both allow it',
  'denied-by-egress': 'the egress policies of the source deny it',
  'denied-by-ingress': 'the ingress policies of the destination deny it',
  'denied-by-both': 'the egress and the ingress policies deny it',
};

function directionLines(title: string, side: DirectionVerdict | null, direction: 'egress' | 'ingress'): string[] {
  if (side === null) {
    return [`  ${title}: not restricted (not a pod, so no NetworkPolicy applies)`];
  }
  if (!side.isolated) {
    return [`  ${title}: allowed (not isolated: no NetworkPolicy selects the pod for ${direction})`];
  }
  const lines = [`  ${title}: ${side.allowed ? 'allowed' : 'denied'}`, `    isolated by: ${side.isolatingPolicies.join(', ')}`];
  if (side.allowed) {
    lines.push(`    allowed by: ${side.allowedBy.map(formatRuleRef).join(', ')}`);
  } else {
    lines.push(`    no ${direction} rule of these policies matches this peer, port and protocol`);
  }
  return lines;
}

/** Renders a verdict for a person: the verdict first, then the egress side and the ingress side. */
export function verdictText(verdict: TrafficVerdict, connection: ConnectionLabels): string {
  const headline = `${verdict.allowed ? 'ALLOWED' : 'DENIED'}: ${connection.from} -> ${connection.to} on ${connection.port}/${connection.protocol} (${REASON_TEXT[verdict.reason]})`;
  if (verdict.reason === 'same-pod') return headline;
  const lines = [
    headline,
    ...directionLines(`egress from ${connection.from}`, verdict.egress, 'egress'),
    ...directionLines(`ingress to ${connection.to}`, verdict.ingress, 'ingress'),
  ];
  return lines.join('\n');
}
