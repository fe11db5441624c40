import {
  ANNOTATION_EXEMPT,
  ANNOTATION_EXEMPT_REASON,
  ANNOTATION_EXEMPT_TICKET,
  ANNOTATION_EXEMPT_UNTIL,
  EXEMPTION_ANNOTATIONS,
} from '../config/defaults.js';
import { RULE_IDS, type RuleId } from '../config/types.js';

/** An exemption read from annotations. */
export interface Exemption {
  /** The object that carries it, such as `namespace shop` or `Deployment "cart"`. */
  source: string;
  rules: 'all' | ReadonlySet<RuleId>;
  reason: string;
  until?: Date;
  ticket?: string;
  expired: boolean;
}

export interface ExemptionReading {
  exemption?: Exemption;
  /** One message per invalid annotation, naming it and the fix. */
  problems: string[];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Parses an RFC 3339 date or date-time. A date alone means the end of that
 * day in UTC, so `2026-12-31` still applies on the 31st.
 */
export function parseExpiry(text: string): Date | undefined {
  const date = DATE.exec(text);
  if (date) {
    const [, year, month, day] = date.map(Number) as [number, number, number, number];
    const start = new Date(Date.UTC(year, month - 1, day));
    if (start.getUTCFullYear() !== year || start.getUTCMonth() !== month - 1 || start.getUTCDate() !== day) return undefined;
    return new Date(start.getTime() + 24 * 60 * 60 * 1000);
  }
  const dateTime = DATE_TIME.exec(text);
  if (!dateTime) return undefined;
  const [year, month, day, hour, minute, second] = dateTime.slice(1, 7).map(Number) as number[];
  if (month! < 1 || month! > 12 || day! < 1 || day! > 31 || hour! > 23 || minute! > 59 || second! > 60) return undefined;
  const parsed = new Date(text);
  if (Number.isNaN(parsed.getTime()) || new Date(Date.UTC(year!, month! - 1, day!)).getUTCMonth() !== month! - 1) return undefined;
  return parsed;
}

/** Reads the exemption annotations of one object; returns no exemption when `netpol-guard.io/exempt` is absent. */
export function readExemption(annotations: Readonly<Record<string, string>>, source: string, now: Date): ExemptionReading {
  const problems: string[] = [];
  const value = annotations[ANNOTATION_EXEMPT];
  if (value === undefined) return { problems };

  const ids = value
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  const unknown = ids.filter((id) => id !== 'all' && !(RULE_IDS as readonly string[]).includes(id));
  if (ids.length === 0) {
    problems.push(`annotation ${ANNOTATION_EXEMPT} on ${source} is empty; set it to all or a comma-separated list of ${RULE_IDS.join(', ')}`);
  } else if (unknown.length > 0) {
    problems.push(
      `annotation ${ANNOTATION_EXEMPT} on ${source} names unknown rule ${unknown.map((id) => JSON.stringify(id)).join(', ')}; use all or ${RULE_IDS.join(', ')}`,
    );
  }
  const rules: Exemption['rules'] = ids.includes('all')
    ? 'all'
    : new Set(ids.filter((id): id is RuleId => (RULE_IDS as readonly string[]).includes(id)));

  const reason = (annotations[ANNOTATION_EXEMPT_REASON] ?? '').trim();
  if (reason === '') {
    problems.push(`annotation ${ANNOTATION_EXEMPT_REASON} on ${source} is missing or empty; every exemption needs a reason`);
  }

  let until: Date | undefined;
  const untilText = annotations[ANNOTATION_EXEMPT_UNTIL];
  if (untilText !== undefined) {
    until = parseExpiry(untilText.trim());
    if (!until) {
      problems.push(
        `annotation ${ANNOTATION_EXEMPT_UNTIL} on ${source} has invalid value ${JSON.stringify(untilText)}; use an RFC 3339 date (2026-12-31) or date-time (2026-12-31T18:00:00Z)`,
      );
    }
  }

  if (problems.length > 0) return { problems };
  const ticket = annotations[ANNOTATION_EXEMPT_TICKET];
  return {
    problems,
    exemption: {
      source,
      rules,
      reason,
      ...(until ? { until } : {}),
      ...(ticket ? { ticket } : {}),
      expired: until !== undefined && until.getTime() <= now.getTime(),
    },
  };
}

export function exemptionCovers(exemption: Exemption, rule: RuleId): boolean {
  return !exemption.expired && (exemption.rules === 'all' || exemption.rules.has(rule));
}

/** Returns the exemption annotations of a map, for comparing old and new objects. */
export function exemptionAnnotations(annotations: Readonly<Record<string, string>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const key of EXEMPTION_ANNOTATIONS) {
    if (annotations[key] !== undefined) result[key] = annotations[key];
  }
  return result;
}

/** Describes an exemption for logs and audit annotations. */
export function describeExemption(exemption: Exemption): string {
  const rules = exemption.rules === 'all' ? 'all' : [...exemption.rules].join(',');
  const parts = [`${rules} on ${exemption.source}`, `reason: ${exemption.reason}`];
  if (exemption.until) parts.push(`until ${exemption.until.toISOString()}`);
  if (exemption.ticket) parts.push(`ticket ${exemption.ticket}`);
  return parts.join('; ');
}

/** Counts the valid, unexpired exemptions in the state, by where they are set, for the metrics. */
export function countActiveExemptions(
  state: { namespaceNames(): string[]; namespace(name: string): { annotations: Readonly<Record<string, string>> } | undefined; workloadsIn(namespace: string): Array<{ annotations: Readonly<Record<string, string>> }> },
  now: Date,
): { namespace: number; workload: number } {
  const counts = { namespace: 0, workload: 0 };
  const active = (annotations: Readonly<Record<string, string>>): boolean => {
    if (annotations[ANNOTATION_EXEMPT] === undefined) return false;
    const { exemption } = readExemption(annotations, 'state', now);
    return exemption !== undefined && !exemption.expired;
  };
  for (const name of state.namespaceNames()) {
    if (active(state.namespace(name)?.annotations ?? {})) counts.namespace++;
    for (const workload of state.workloadsIn(name)) {
      if (active(workload.annotations)) counts.workload++;
    }
  }
  return counts;
}
