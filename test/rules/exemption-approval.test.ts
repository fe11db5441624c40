import t from 'tap';
import { exemptionApprovalRule } from '../../src/rules/exemption-approval.js';
import { ADMIN, DEVELOPER, REPLICASET_CONTROLLER, config, deployment, namespace, pod, replicaSetOwner, ruleContext, type ContextOptions } from './fixtures.js';

const EXEMPT = { 'netpol-guard.io/exempt': 'dns-egress', 'netpol-guard.io/exempt-reason': 'vendor appliance' };
const EXEMPT_UNTIL = { ...EXEMPT, 'netpol-guard.io/exempt-until': '2026-12-31' };

const notApprover = (source: string): string =>
  `exemption-approval: user "dev@example.com" may not add or change the netpol-guard.io/exempt annotations on ${source}; ask an approver to set them, or remove them from the request`;
const OPT_OUT =
  'exemption-approval: user "dev@example.com" may not set netpol-guard.io/baseline to anything but "enabled" on namespace team-a, because that removes its default-deny baseline; ask an approver to make the change';

t.test('exemption-approval rule', async (t) => {
  const cases: Array<[string, ContextOptions, string[]]> = [
    ['workload without exemption passes', { object: deployment('shop', 'cart') }, []],
    ['non-approver adding a workload exemption fails', { object: deployment('shop', 'cart', { annotations: EXEMPT }) }, [notApprover('Deployment "cart"')]],
    ['approver adding a workload exemption passes', { object: deployment('shop', 'cart', { annotations: EXEMPT }), user: ADMIN, approver: true }, []],
    [
      'non-approver adding a pod template exemption fails',
      { object: deployment('shop', 'cart', { templateAnnotations: EXEMPT }) },
      [notApprover('the pod template of Deployment "cart"')],
    ],
    [
      'both places are named in one message',
      { object: deployment('shop', 'cart', { annotations: EXEMPT, templateAnnotations: EXEMPT }) },
      [notApprover('Deployment "cart" and the pod template of Deployment "cart"')],
    ],
    [
      'non-approver changing the reason fails',
      {
        operation: 'UPDATE',
        oldObject: deployment('shop', 'cart', { annotations: EXEMPT }),
        object: deployment('shop', 'cart', { annotations: { ...EXEMPT, 'netpol-guard.io/exempt-reason': 'still a vendor appliance' } }),
      },
      [notApprover('Deployment "cart"')],
    ],
    [
      'non-approver extending the expiry fails',
      {
        operation: 'UPDATE',
        oldObject: deployment('shop', 'cart', { annotations: EXEMPT_UNTIL }),
        object: deployment('shop', 'cart', { annotations: { ...EXEMPT, 'netpol-guard.io/exempt-until': '2027-12-31' } }),
      },
      [notApprover('Deployment "cart"')],
    ],
    [
      'non-approver removing only the expiry fails',
      { operation: 'UPDATE', oldObject: deployment('shop', 'cart', { annotations: EXEMPT_UNTIL }), object: deployment('shop', 'cart', { annotations: EXEMPT }) },
      [notApprover('Deployment "cart"')],
    ],
    [
      'non-approver removing the exemption passes',
      { operation: 'UPDATE', oldObject: deployment('shop', 'cart', { annotations: EXEMPT_UNTIL }), object: deployment('shop', 'cart') },
      [],
    ],
    [
      'non-approver removing the ticket passes',
      {
        operation: 'UPDATE',
        oldObject: deployment('shop', 'cart', { annotations: { ...EXEMPT, 'netpol-guard.io/exempt-ticket': 'NET-1' } }),
        object: deployment('shop', 'cart', { annotations: EXEMPT }),
      },
      [],
    ],
    [
      'non-approver keeping an approved exemption passes',
      {
        operation: 'UPDATE',
        oldObject: deployment('shop', 'cart', { annotations: EXEMPT }),
        object: deployment('shop', 'cart', { annotations: EXEMPT, labels: { app: 'cart', version: '2' } }),
      },
      [],
    ],
    [
      'controller-created Pod carries its template exemption',
      { object: pod('shop', 'cart-7d4b9c-x2k8p', { annotations: EXEMPT, ownerReferences: replicaSetOwner('cart-7d4b9c') }), user: REPLICASET_CONTROLLER },
      [],
    ],
    [
      'controller-manager user without service account credentials is a controller too',
      {
        object: pod('shop', 'cart-7d4b9c-x2k8p', { annotations: EXEMPT, ownerReferences: replicaSetOwner('cart-7d4b9c') }),
        user: { username: 'system:kube-controller-manager', groups: ['system:authenticated'] },
      },
      [],
    ],
    [
      'user-created Pod with an owner reference is no controller copy',
      { object: pod('shop', 'cart-copy', { annotations: EXEMPT, ownerReferences: replicaSetOwner('cart-7d4b9c') }) },
      [notApprover('Pod "cart-copy"')],
    ],
    [
      'controller Pod without an owner reference is no copy',
      { object: pod('shop', 'stray', { annotations: EXEMPT }), user: REPLICASET_CONTROLLER },
      [notApprover('Pod "stray"').replace('dev@example.com', 'system:serviceaccount:kube-system:replicaset-controller')],
    ],
    [
      'invalid annotations are reported even for an approver',
      { object: deployment('shop', 'cart', { annotations: { 'netpol-guard.io/exempt': 'all', 'netpol-guard.io/exempt-until': '2026-02-30' } }), user: ADMIN, approver: true },
      [
        'exemption-approval: annotation netpol-guard.io/exempt-reason on Deployment "cart" is missing or empty; every exemption needs a reason',
        'exemption-approval: annotation netpol-guard.io/exempt-until on Deployment "cart" has invalid value "2026-02-30"; use an RFC 3339 date (2026-12-31) or date-time (2026-12-31T18:00:00Z)',
      ],
    ],
    ['non-approver adding a namespace exemption fails', { operation: 'UPDATE', oldObject: namespace('team-a'), object: namespace('team-a', {}, EXEMPT) }, [notApprover('namespace team-a')]],
    ['namespace created with the baseline enabled passes', { object: namespace('team-a', { 'netpol-guard.io/baseline': 'enabled' }) }, []],
    ['namespace created without the label passes', { object: namespace('team-a') }, []],
    ['non-approver creating a namespace opted out fails', { object: namespace('team-a', { 'netpol-guard.io/baseline': 'disabled' }) }, [OPT_OUT]],
    [
      'non-approver disabling the baseline fails',
      { operation: 'UPDATE', oldObject: namespace('team-a', { 'netpol-guard.io/baseline': 'enabled' }), object: namespace('team-a', { 'netpol-guard.io/baseline': 'disabled' }) },
      [OPT_OUT],
    ],
    [
      'non-approver removing the baseline label fails',
      { operation: 'UPDATE', oldObject: namespace('team-a', { 'netpol-guard.io/baseline': 'enabled' }), object: namespace('team-a') },
      [OPT_OUT],
    ],
    [
      'approver disabling the baseline passes',
      {
        operation: 'UPDATE',
        oldObject: namespace('team-a', { 'netpol-guard.io/baseline': 'enabled' }),
        object: namespace('team-a', { 'netpol-guard.io/baseline': 'disabled' }),
        user: ADMIN,
        approver: true,
      },
      [],
    ],
    [
      'non-approver labelling an unlabelled namespace disabled passes',
      { operation: 'UPDATE', oldObject: namespace('team-a'), object: namespace('team-a', { 'netpol-guard.io/baseline': 'disabled' }) },
      [],
    ],
    [
      'with applyToExisting labelling an unlabelled namespace disabled fails',
      {
        operation: 'UPDATE',
        oldObject: namespace('team-a'),
        object: namespace('team-a', { 'netpol-guard.io/baseline': 'disabled' }),
        config: config((c) => (c.baseline.applyToExisting = true)),
      },
      [OPT_OUT],
    ],
    [
      'non-approver enabling the baseline passes',
      { operation: 'UPDATE', oldObject: namespace('team-a', { 'netpol-guard.io/baseline': 'disabled' }), object: namespace('team-a', { 'netpol-guard.io/baseline': 'enabled' }) },
      [],
    ],
  ];
  for (const [name, options, messages] of cases) {
    const violations = await exemptionApprovalRule.check(ruleContext({ user: DEVELOPER, ...options }));
    t.same(violations.map((violation) => violation.message), messages, name);
    t.ok(violations.every((violation) => violation.rule === 'exemption-approval' && violation.severity === 'deny'), `${name}: severity`);
  }
  t.equal(exemptionApprovalRule.exemptable, false, 'not exemptable');
  t.equal(exemptionApprovalRule.alwaysEnforced, true, 'enforced in every mode');
});

t.test('exemption-approval summaries stay short', async (t) => {
  const violations = await exemptionApprovalRule.check(
    ruleContext({ operation: 'UPDATE', oldObject: namespace('team-a', { 'netpol-guard.io/baseline': 'enabled' }), object: namespace('team-a', {}, EXEMPT) }),
  );
  t.same(
    violations.map((violation) => violation.summary),
    ['only approvers may set netpol-guard.io/exempt annotations', 'only approvers may turn off the baseline of a namespace'],
  );
});
