/**
 * Exemptions through the whole path: annotations on the namespace, the
 * workload and its pod template, who may grant them, static exemptions from
 * the configuration, and what the response records about them.
 */
import t from 'tap';
import type { UserInfo } from '../../src/rules/types.js';
import {
  ADMIN,
  DEVELOPER,
  REPLICASET_CONTROLLER,
  clusterState,
  config,
  deployment,
  namespace,
  pod,
  replicaSetOwner,
  reviewer,
  validate,
  type AdmissionResponse,
  type RequestOptions,
} from '../rules/fixtures.js';

const UID = '7c0d8b52-3f8e-4a0f-b2c1-9e5d6a4b3c21';
const REASON = 'vendor appliance without DNS';
const EXEMPT = { 'netpol-guard.io/exempt': 'default-deny', 'netpol-guard.io/exempt-reason': REASON };
const NO_DEFAULT_DENY_WARNING = 'default-deny: namespace legacy has no default-deny NetworkPolicy for Ingress and Egress';

function allowedWith(exemption: string, extra: Record<string, string> = {}, warnings?: string[]): AdmissionResponse {
  return {
    uid: UID,
    allowed: true,
    ...(warnings ? { warnings } : {}),
    auditAnnotations: { mode: 'enforce', exemption, 'exempted-rules': 'default-deny', ...extra, decision: 'allowed' },
  };
}

t.test('exemption annotation fields on a workload', async (t) => {
  const guard = reviewer();
  const source = 'Deployment "api"';
  const cases: Array<[string, Record<string, string>, AdmissionResponse]> = [
    ['rule list and reason', EXEMPT, allowedWith(`default-deny on ${source}; reason: ${REASON}`)],
    [
      'all rules with a ticket',
      { 'netpol-guard.io/exempt': 'all', 'netpol-guard.io/exempt-reason': REASON, 'netpol-guard.io/exempt-ticket': 'NET-42' },
      allowedWith(`all on ${source}; reason: ${REASON}; ticket NET-42`),
    ],
    [
      'future date',
      { ...EXEMPT, 'netpol-guard.io/exempt-until': '2026-12-31' },
      allowedWith(`default-deny on ${source}; reason: ${REASON}; until 2027-01-01T00:00:00.000Z`),
    ],
    [
      'future date-time',
      { ...EXEMPT, 'netpol-guard.io/exempt-until': '2026-06-15T18:30:00+02:00' },
      allowedWith(`default-deny on ${source}; reason: ${REASON}; until 2026-06-15T16:30:00.000Z`),
    ],
  ];
  for (const [name, annotations, expected] of cases) {
    const { response } = await validate(guard, { object: deployment('legacy', 'api', { annotations }), user: ADMIN });
    t.strictSame(response, expected, name);
  }

  const expiredCases: Array<[string, string, string]> = [
    ['past date', '2026-06-14', '2026-06-15T00:00:00.000Z'],
    ['past date-time', '2026-06-15T11:59:59Z', '2026-06-15T11:59:59.000Z'],
  ];
  for (const [name, until, iso] of expiredCases) {
    const { response } = await validate(guard, {
      object: deployment('legacy', 'api', { annotations: { ...EXEMPT, 'netpol-guard.io/exempt-until': until } }),
      user: ADMIN,
    });
    t.equal(response.allowed, false, `${name}: no longer applies`);
    t.strictSame(response.warnings, [`exemption on ${source} expired at ${iso} and no longer applies`], `${name}: warning`);
    t.equal(response.auditAnnotations?.['expired-exemption'], `default-deny on ${source}; reason: ${REASON}; until ${iso}`, `${name}: audit annotation`);
    t.equal(response.auditAnnotations?.exemption, 'none', `${name}: no exemption applied`);
  }

  const invalidCases: Array<[string, Record<string, string>, string]> = [
    [
      'unknown rule id',
      { ...EXEMPT, 'netpol-guard.io/exempt': 'default-deny,egress' },
      `exemption-approval: annotation netpol-guard.io/exempt on ${source} names unknown rule "egress"; use all or default-deny, dns-egress, baseline-protection, exemption-approval, namespace-mode`,
    ],
    [
      'missing reason',
      { 'netpol-guard.io/exempt': 'default-deny' },
      `exemption-approval: annotation netpol-guard.io/exempt-reason on ${source} is missing or empty; every exemption needs a reason`,
    ],
    [
      'February 30',
      { ...EXEMPT, 'netpol-guard.io/exempt-until': '2026-02-30' },
      `exemption-approval: annotation netpol-guard.io/exempt-until on ${source} has invalid value "2026-02-30"; use an RFC 3339 date (2026-12-31) or date-time (2026-12-31T18:00:00Z)`,
    ],
    [
      'date-time without offset',
      { ...EXEMPT, 'netpol-guard.io/exempt-until': '2026-12-31T18:00:00' },
      `exemption-approval: annotation netpol-guard.io/exempt-until on ${source} has invalid value "2026-12-31T18:00:00"; use an RFC 3339 date (2026-12-31) or date-time (2026-12-31T18:00:00Z)`,
    ],
  ];
  for (const [name, annotations, message] of invalidCases) {
    // The namespace is compliant, so the invalid annotation is the only reason to deny.
    const { response } = await validate(guard, { object: deployment('shop', 'api', { annotations }), user: ADMIN });
    t.equal(response.allowed, false, `${name}: denied`);
    t.equal(response.status?.message, message, `${name}: message names the annotation`);
  }

  const audited = reviewer({ config: config((c) => (c.mode = 'audit')) });
  const { response } = await validate(audited, { object: deployment('shop', 'api', { annotations: { 'netpol-guard.io/exempt': 'all' } }), user: ADMIN });
  t.equal(response.allowed, false, 'invalid annotation is denied in audit mode too');
});

t.test('exemption on the namespace, the workload or the pod template', async (t) => {
  const cases: Array<[string, RequestOptions, ReturnType<typeof clusterState> | undefined, string]> = [
    ['namespace', { object: deployment('legacy', 'api') }, clusterState(namespace('legacy', {}, EXEMPT)), 'namespace legacy'],
    ['workload', { object: deployment('legacy', 'api', { annotations: EXEMPT }) }, undefined, 'Deployment "api"'],
    ['pod template', { object: deployment('legacy', 'api', { templateAnnotations: EXEMPT }) }, undefined, 'the pod template of Deployment "api"'],
    ['Pod', { object: pod('legacy', 'debug', { annotations: EXEMPT }) }, undefined, 'Pod "debug"'],
  ];
  for (const [name, request, state, source] of cases) {
    const guard = reviewer(state ? { state } : {});
    const { response } = await validate(guard, { ...request, user: ADMIN });
    t.strictSame(response, allowedWith(`default-deny on ${source}; reason: ${REASON}`), name);
  }

  const guard = reviewer({ state: clusterState(namespace('legacy', {}, { ...EXEMPT, 'netpol-guard.io/exempt': 'dns-egress' })) });
  const { response } = await validate(guard, { object: deployment('legacy', 'api') });
  t.equal(response.allowed, false, 'namespace exemption for another rule does not apply');
});

t.test('who may grant an exemption', async (t) => {
  const lead: UserInfo = { username: 'lead@example.com', groups: ['system:authenticated'] };
  const netsec: UserInfo = { username: 'sec@example.com', groups: ['netsec', 'system:authenticated'] };
  const rbacUser: UserInfo = { username: 'oncall@example.com', groups: ['system:authenticated'] };
  const approvers = config((c) => {
    c.approvers.usernames = ['lead@example.com'];
    c.approvers.groups = ['netsec'];
    c.approvers.rbac = true;
  });
  const requested: string[] = [];
  const guard = reviewer({
    config: approvers,
    rbacApprover: async (user) => {
      requested.push(user.username);
      return user.username === 'oncall@example.com';
    },
  });

  const old = deployment('shop', 'cart', { annotations: EXEMPT });
  const requests: Array<[string, RequestOptions]> = [
    ['add', { object: deployment('shop', 'cart', { annotations: EXEMPT }) }],
    ['change', { operation: 'UPDATE', oldObject: old, object: deployment('shop', 'cart', { annotations: { ...EXEMPT, 'netpol-guard.io/exempt': 'all' } }) }],
    ['remove', { operation: 'UPDATE', oldObject: old, object: deployment('shop', 'cart') }],
  ];
  const users: Array<[string, UserInfo, boolean]> = [
    ['approver by username', lead, true],
    ['approver by group', netsec, true],
    ['approver by RBAC', rbacUser, true],
    ['non-approver', DEVELOPER, false],
  ];
  for (const [userName, user, approver] of users) {
    for (const [action, request] of requests) {
      const { response } = await validate(guard, { ...request, user });
      const expected = approver || action === 'remove';
      t.equal(response.allowed, expected, `${userName} may ${expected ? '' : 'not '}${action}`);
      if (!expected) {
        t.equal(
          response.status?.message,
          'exemption-approval: user "dev@example.com" may not add or change the netpol-guard.io/exempt annotations on Deployment "cart"; ask an approver to set them, or remove them from the request',
          `${userName} ${action}: message`,
        );
      }
    }
  }
  t.strictSame(requested, ['oncall@example.com', 'oncall@example.com', 'dev@example.com', 'dev@example.com'], 'RBAC is asked only for users not configured');

  const withoutRbac = reviewer({ config: config(), rbacApprover: async () => true });
  const { response } = await validate(withoutRbac, { object: deployment('shop', 'cart', { annotations: EXEMPT }), user: rbacUser });
  t.equal(response.allowed, false, 'the RBAC callback is not asked while approvers.rbac is off');
});

t.test('controller-created Pod carries its template exemption', async (t) => {
  const guard = reviewer();
  const object = pod('legacy', 'api-7d4b9c-x2k8p', { annotations: EXEMPT, ownerReferences: replicaSetOwner('api-7d4b9c') });
  const { response } = await validate(guard, { object, user: REPLICASET_CONTROLLER });
  t.strictSame(response, allowedWith(`default-deny on Pod "api-7d4b9c-x2k8p"; reason: ${REASON}`));

  const copied = await validate(guard, { object, user: DEVELOPER });
  t.equal(copied.response.allowed, false, 'the same Pod created by a user needs an approver');
});

t.test('baseline opt-out by label', async (t) => {
  const guard = reviewer();
  const enabled = namespace('team-a', { 'netpol-guard.io/baseline': 'enabled' });
  const disabled = namespace('team-a', { 'netpol-guard.io/baseline': 'disabled' });
  const message =
    'exemption-approval: user "dev@example.com" may not set netpol-guard.io/baseline to anything but "enabled" on namespace team-a, because that removes its default-deny baseline; ask an approver to make the change';
  const cases: Array<[string, RequestOptions, boolean]> = [
    ['create disabled', { object: disabled }, false],
    ['change to disabled', { operation: 'UPDATE', oldObject: enabled, object: disabled }, false],
    ['remove the label', { operation: 'UPDATE', oldObject: enabled, object: namespace('team-a') }, false],
    ['keep it enabled', { operation: 'UPDATE', oldObject: enabled, object: namespace('team-a', { 'netpol-guard.io/baseline': 'enabled', team: 'a' }) }, true],
  ];
  for (const [name, request, allowedForUser] of cases) {
    const asUser = await validate(guard, { ...request, user: DEVELOPER });
    t.equal(asUser.response.allowed, allowedForUser, `${name} by a non-approver`);
    if (!allowedForUser) t.equal(asUser.response.status?.message, message, `${name}: message`);
    const asApprover = await validate(guard, { ...request, user: ADMIN });
    t.equal(asApprover.response.allowed, true, `${name} by an approver`);
  }
});

t.test('static exemptions', async (t) => {
  const cfg = config((c) => {
    c.exemptions.namespaces.push('monitoring');
    c.exemptions.usernames = ['system:serviceaccount:ci:deployer'];
    c.exemptions.groups = ['platform-admins'];
  });
  const guard = reviewer({ config: cfg, state: clusterState(namespace('monitoring')) });
  const cases: Array<[string, RequestOptions, string]> = [
    ['namespace', { object: deployment('monitoring', 'prometheus') }, 'static: namespace monitoring'],
    ['default kube-system', { object: deployment('kube-system', 'coredns') }, 'static: namespace kube-system'],
    ['username', { object: deployment('legacy', 'api'), user: { username: 'system:serviceaccount:ci:deployer', groups: [] } }, 'static: user system:serviceaccount:ci:deployer'],
    ['group', { object: deployment('legacy', 'api'), user: { username: 'ops@example.com', groups: ['platform-admins'] } }, 'static: group platform-admins'],
  ];
  for (const [name, request, exemption] of cases) {
    const { response } = await validate(guard, request);
    t.strictSame(response, { uid: UID, allowed: true, auditAnnotations: { mode: 'enforce', exemption, decision: 'allowed' } }, name);
  }
});

t.test('audit annotations in audit mode with an exemption', async (t) => {
  const guard = reviewer({ config: config((c) => (c.mode = 'audit')), state: clusterState(namespace('legacy', {}, { ...EXEMPT, 'netpol-guard.io/exempt-ticket': 'NET-9' })) });
  const { response } = await validate(guard, { object: deployment('legacy', 'api') });
  t.strictSame(response, {
    uid: UID,
    allowed: true,
    auditAnnotations: {
      mode: 'audit',
      exemption: `default-deny on namespace legacy; reason: ${REASON}; ticket NET-9`,
      'exempted-rules': 'default-deny',
      decision: 'allowed',
    },
  });
  for (const key of Object.keys(response.auditAnnotations ?? {})) {
    t.match(key, /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, `${key} is a valid audit annotation key`);
  }

  const warned = reviewer({ config: config((c) => (c.mode = 'warn')) });
  const { response: warning } = await validate(warned, { object: deployment('legacy', 'api') });
  t.strictSame(warning.warnings, [NO_DEFAULT_DENY_WARNING], 'warn mode without exemption warns');
});
