import t from 'tap';
import {
  describeExemption,
  exemptionAnnotations,
  exemptionCovers,
  parseExpiry,
  readExemption,
  type Exemption,
} from '../../src/rules/exemptions.js';
import { NOW } from './fixtures.js';

const SOURCE = 'Deployment "cart"';
const RULE_LIST = 'default-deny, dns-egress, baseline-protection, exemption-approval, namespace-mode';

t.test('parseExpiry', async (t) => {
  const cases: Array<[string, string, string | undefined]> = [
    ['date means the end of that day in UTC', '2026-12-31', '2027-01-01T00:00:00.000Z'],
    ['leap day in a leap year', '2028-02-29', '2028-03-01T00:00:00.000Z'],
    ['date-time in UTC', '2026-12-31T18:00:00Z', '2026-12-31T18:00:00.000Z'],
    ['date-time with offset', '2026-12-31T18:00:00+02:00', '2026-12-31T16:00:00.000Z'],
    ['date-time with fraction', '2026-12-31T18:00:00.250Z', '2026-12-31T18:00:00.250Z'],
    ['lowercase t and z', '2026-12-31t18:00:00z', '2026-12-31T18:00:00.000Z'],
    ['February 30 is invalid', '2026-02-30', undefined],
    ['leap day in a common year is invalid', '2026-02-29', undefined],
    ['month 13 is invalid', '2026-13-01', undefined],
    ['day 00 is invalid', '2026-01-00', undefined],
    ['February 30 date-time is invalid', '2026-02-30T10:00:00Z', undefined],
    ['hour 24 is invalid', '2026-01-01T24:00:00Z', undefined],
    ['date-time without offset is invalid', '2026-12-31T18:00:00', undefined],
    ['offset out of range is invalid', '2026-12-31T18:00:00+25:00', undefined],
    ['other date formats are invalid', '31/12/2026', undefined],
    ['words are invalid', 'next week', undefined],
    ['empty text is invalid', '', undefined],
  ];
  for (const [name, text, expected] of cases) {
    t.equal(parseExpiry(text)?.toISOString(), expected, name);
  }
});

t.test('readExemption', async (t) => {
  interface Case {
    name: string;
    annotations: Record<string, string>;
    exemption?: Omit<Exemption, 'source'>;
    problems: string[];
  }
  const reason = { 'netpol-guard.io/exempt-reason': 'migration to mTLS, see runbook' };
  const cases: Case[] = [
    { name: 'no exempt annotation means no exemption', annotations: { ...reason }, problems: [] },
    {
      name: 'all rules with a reason',
      annotations: { 'netpol-guard.io/exempt': 'all', ...reason },
      exemption: { rules: 'all', reason: 'migration to mTLS, see runbook', expired: false },
      problems: [],
    },
    {
      name: 'rule list with spaces and a ticket',
      annotations: { 'netpol-guard.io/exempt': 'default-deny, dns-egress', ...reason, 'netpol-guard.io/exempt-ticket': 'NET-1234' },
      exemption: { rules: new Set(['default-deny', 'dns-egress']), reason: 'migration to mTLS, see runbook', ticket: 'NET-1234', expired: false },
      problems: [],
    },
    {
      name: 'future date applies',
      annotations: { 'netpol-guard.io/exempt': 'dns-egress', ...reason, 'netpol-guard.io/exempt-until': '2026-12-31' },
      exemption: { rules: new Set(['dns-egress']), reason: 'migration to mTLS, see runbook', until: new Date('2027-01-01T00:00:00Z'), expired: false },
      problems: [],
    },
    {
      name: 'date of today still applies',
      annotations: { 'netpol-guard.io/exempt': 'dns-egress', ...reason, 'netpol-guard.io/exempt-until': '2026-06-15' },
      exemption: { rules: new Set(['dns-egress']), reason: 'migration to mTLS, see runbook', until: new Date('2026-06-16T00:00:00Z'), expired: false },
      problems: [],
    },
    {
      name: 'past date has expired',
      annotations: { 'netpol-guard.io/exempt': 'dns-egress', ...reason, 'netpol-guard.io/exempt-until': '2026-06-14' },
      exemption: { rules: new Set(['dns-egress']), reason: 'migration to mTLS, see runbook', until: new Date('2026-06-15T00:00:00Z'), expired: true },
      problems: [],
    },
    {
      name: 'future date-time applies',
      annotations: { 'netpol-guard.io/exempt': 'all', ...reason, 'netpol-guard.io/exempt-until': '2026-06-15T12:00:01Z' },
      exemption: { rules: 'all', reason: 'migration to mTLS, see runbook', until: new Date('2026-06-15T12:00:01Z'), expired: false },
      problems: [],
    },
    {
      name: 'date-time equal to now has expired',
      annotations: { 'netpol-guard.io/exempt': 'all', ...reason, 'netpol-guard.io/exempt-until': '2026-06-15T14:00:00+02:00' },
      exemption: { rules: 'all', reason: 'migration to mTLS, see runbook', until: new Date('2026-06-15T12:00:00Z'), expired: true },
      problems: [],
    },
    {
      name: 'unknown rule id is reported',
      annotations: { 'netpol-guard.io/exempt': 'default-deny,dns', ...reason },
      problems: [`annotation netpol-guard.io/exempt on ${SOURCE} names unknown rule "dns"; use all or ${RULE_LIST}`],
    },
    {
      name: 'unknown rule id next to all is reported',
      annotations: { 'netpol-guard.io/exempt': 'all,everything', ...reason },
      problems: [`annotation netpol-guard.io/exempt on ${SOURCE} names unknown rule "everything"; use all or ${RULE_LIST}`],
    },
    {
      name: 'empty rule list is reported',
      annotations: { 'netpol-guard.io/exempt': ' , ', ...reason },
      problems: [`annotation netpol-guard.io/exempt on ${SOURCE} is empty; set it to all or a comma-separated list of ${RULE_LIST}`],
    },
    {
      name: 'missing reason is reported',
      annotations: { 'netpol-guard.io/exempt': 'all' },
      problems: [`annotation netpol-guard.io/exempt-reason on ${SOURCE} is missing or empty; every exemption needs a reason`],
    },
    {
      name: 'blank reason is reported',
      annotations: { 'netpol-guard.io/exempt': 'all', 'netpol-guard.io/exempt-reason': '   ' },
      problems: [`annotation netpol-guard.io/exempt-reason on ${SOURCE} is missing or empty; every exemption needs a reason`],
    },
    {
      name: 'impossible date is reported',
      annotations: { 'netpol-guard.io/exempt': 'all', ...reason, 'netpol-guard.io/exempt-until': '2026-02-30' },
      problems: [
        `annotation netpol-guard.io/exempt-until on ${SOURCE} has invalid value "2026-02-30"; use an RFC 3339 date (2026-12-31) or date-time (2026-12-31T18:00:00Z)`,
      ],
    },
    {
      name: 'every problem is reported at once',
      annotations: { 'netpol-guard.io/exempt': 'dns', 'netpol-guard.io/exempt-until': 'tomorrow' },
      problems: [
        `annotation netpol-guard.io/exempt on ${SOURCE} names unknown rule "dns"; use all or ${RULE_LIST}`,
        `annotation netpol-guard.io/exempt-reason on ${SOURCE} is missing or empty; every exemption needs a reason`,
        `annotation netpol-guard.io/exempt-until on ${SOURCE} has invalid value "tomorrow"; use an RFC 3339 date (2026-12-31) or date-time (2026-12-31T18:00:00Z)`,
      ],
    },
  ];
  for (const { name, annotations, exemption, problems } of cases) {
    const reading = readExemption(annotations, SOURCE, NOW);
    t.same(reading.problems, problems, `${name}: problems`);
    t.same(reading.exemption, exemption ? { source: SOURCE, ...exemption } : undefined, `${name}: exemption`);
  }
});

t.test('exemptionCovers', async (t) => {
  const base = { source: SOURCE, reason: 'r' };
  const listed: Exemption = { ...base, rules: new Set(['dns-egress']), expired: false };
  const all: Exemption = { ...base, rules: 'all', expired: false };
  const expired: Exemption = { ...base, rules: 'all', expired: true };
  t.equal(exemptionCovers(listed, 'dns-egress'), true, 'listed rule is covered');
  t.equal(exemptionCovers(listed, 'default-deny'), false, 'other rule is not covered');
  t.equal(exemptionCovers(all, 'baseline-protection'), true, 'all covers every rule');
  t.equal(exemptionCovers(expired, 'dns-egress'), false, 'expired exemption covers nothing');
});

t.test('exemptionAnnotations keeps only exemption keys', async (t) => {
  const annotations = {
    'netpol-guard.io/exempt': 'all',
    'netpol-guard.io/exempt-ticket': 'NET-1',
    'netpol-guard.io/mode': 'audit',
    'kubectl.kubernetes.io/last-applied-configuration': '{}',
  };
  t.same(exemptionAnnotations(annotations), { 'netpol-guard.io/exempt': 'all', 'netpol-guard.io/exempt-ticket': 'NET-1' });
});

t.test('describeExemption', async (t) => {
  const full: Exemption = {
    source: 'namespace legacy',
    rules: new Set(['default-deny', 'dns-egress']),
    reason: 'vendor appliance',
    until: new Date('2027-01-01T00:00:00Z'),
    ticket: 'NET-7',
    expired: false,
  };
  t.equal(describeExemption(full), 'default-deny,dns-egress on namespace legacy; reason: vendor appliance; until 2027-01-01T00:00:00.000Z; ticket NET-7');
  t.equal(describeExemption({ source: SOURCE, rules: 'all', reason: 'r', expired: false }), `all on ${SOURCE}; reason: r`);
});
