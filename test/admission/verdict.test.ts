import t from 'tap';
import { decide } from '../../src/admission/verdict.js';
import type { ChainResult } from '../../src/rules/chain.js';
import type { Exemption } from '../../src/rules/exemptions.js';
import type { Violation } from '../../src/rules/types.js';

const noDefaultDeny: Violation = {
  rule: 'default-deny',
  severity: 'deny',
  summary: 'namespace legacy has no default-deny NetworkPolicy for Ingress',
  message: 'default-deny: namespace "legacy" has no default-deny NetworkPolicy for Ingress',
};
const noTcp: Violation = { rule: 'dns-egress', severity: 'warn', summary: 'DNS over TCP 53 is blocked', message: 'dns-egress: TCP 53 is blocked' };
const noUdp: Violation = { rule: 'dns-egress', severity: 'deny', summary: 'DNS (UDP 53) egress is blocked', message: 'dns-egress: UDP 53 is blocked' };
const unapproved: Violation = {
  rule: 'exemption-approval',
  severity: 'deny',
  summary: 'only approvers may set netpol-guard.io/exempt annotations',
  message: 'exemption-approval: user "dev" may not add the annotations',
  alwaysEnforced: true,
};
const exemption: Exemption = { source: 'namespace legacy', rules: new Set(['default-deny']), reason: 'vendor appliance', ticket: 'NET-7', expired: false };
const expired: Exemption = { source: 'Deployment "api"', rules: 'all', reason: 'migration', until: new Date('2026-06-01T00:00:00Z'), expired: true };

function chain(change: Partial<ChainResult>): ChainResult {
  return { mode: 'enforce', modeSource: 'cluster', ruleIds: ['default-deny', 'dns-egress', 'exemption-approval'], violations: [], exempted: [], expired: [], ...change };
}

t.test('decide', async (t) => {
  const cases: Array<[string, ChainResult, unknown]> = [
    ['no violation is allowed', chain({}), { type: 'allowed', warnings: [], auditAnnotations: { mode: 'enforce', exemption: 'none', decision: 'allowed' } }],
    [
      'enforce denies with every blocking message',
      chain({ violations: [noDefaultDeny, noUdp] }),
      {
        type: 'denied',
        code: 403,
        message: `${noDefaultDeny.message} | ${noUdp.message}`,
        warnings: [],
        auditAnnotations: { mode: 'enforce', exemption: 'none', violations: 'default-deny,dns-egress', decision: 'denied' },
      },
    ],
    [
      'enforce allows a warn-severity violation with a warning',
      chain({ violations: [noTcp] }),
      {
        type: 'allowed',
        warnings: ['dns-egress: DNS over TCP 53 is blocked'],
        auditAnnotations: { mode: 'enforce', exemption: 'none', violations: 'dns-egress', decision: 'allowed' },
      },
    ],
    [
      'warn allows with every violation as a warning',
      chain({ mode: 'warn', modeSource: 'namespace', violations: [noDefaultDeny, noTcp] }),
      {
        type: 'allowed',
        warnings: ['default-deny: namespace legacy has no default-deny NetworkPolicy for Ingress', 'dns-egress: DNS over TCP 53 is blocked'],
        auditAnnotations: { mode: 'warn', exemption: 'none', violations: 'default-deny,dns-egress', decision: 'allowed' },
      },
    ],
    [
      'audit allows and records each message',
      chain({ mode: 'audit', violations: [noDefaultDeny, noUdp, noTcp] }),
      {
        type: 'allowed',
        warnings: [],
        auditAnnotations: {
          mode: 'audit',
          exemption: 'none',
          violations: 'default-deny,dns-egress',
          'violation-default-deny': noDefaultDeny.message,
          'violation-dns-egress': `${noUdp.message} | ${noTcp.message}`,
          decision: 'allowed',
        },
      },
    ],
    [
      'warn still denies an always-enforced violation',
      chain({ mode: 'warn', violations: [noDefaultDeny, unapproved] }),
      {
        type: 'denied',
        code: 403,
        message: unapproved.message,
        warnings: ['default-deny: namespace legacy has no default-deny NetworkPolicy for Ingress'],
        auditAnnotations: { mode: 'warn', exemption: 'none', violations: 'default-deny,exemption-approval', decision: 'denied' },
      },
    ],
    [
      'audit still denies an always-enforced violation',
      chain({ mode: 'audit', violations: [noDefaultDeny, unapproved] }),
      {
        type: 'denied',
        code: 403,
        message: unapproved.message,
        warnings: [],
        auditAnnotations: {
          mode: 'audit',
          exemption: 'none',
          violations: 'default-deny,exemption-approval',
          'violation-default-deny': noDefaultDeny.message,
          decision: 'denied',
        },
      },
    ],
    [
      'exempted violation is allowed and named',
      chain({ exempted: [{ violation: noDefaultDeny, exemption }] }),
      {
        type: 'allowed',
        warnings: [],
        auditAnnotations: {
          mode: 'enforce',
          exemption: 'default-deny on namespace legacy; reason: vendor appliance; ticket NET-7',
          'exempted-rules': 'default-deny',
          decision: 'allowed',
        },
      },
    ],
    [
      'expired exemption warns and is recorded',
      chain({ violations: [noDefaultDeny], expired: [expired] }),
      {
        type: 'denied',
        code: 403,
        message: noDefaultDeny.message,
        warnings: ['exemption on Deployment "api" expired at 2026-06-01T00:00:00.000Z and no longer applies'],
        auditAnnotations: {
          mode: 'enforce',
          exemption: 'none',
          'expired-exemption': 'all on Deployment "api"; reason: migration; until 2026-06-01T00:00:00.000Z',
          violations: 'default-deny',
          decision: 'denied',
        },
      },
    ],
    [
      'static exemption allows without findings',
      chain({ ruleIds: [], staticExemption: 'group platform' }),
      { type: 'allowed', warnings: [], auditAnnotations: { mode: 'enforce', exemption: 'static: group platform', decision: 'allowed' } },
    ],
  ];
  for (const [name, input, expected] of cases) {
    t.strictSame(decide(input), expected, name);
  }
});
