/**
 * Each mode for each rule, through the whole path: an AdmissionReview body
 * in, `Reviewer.review(body, 'validate')`, the AdmissionReview response out.
 */
import t from 'tap';
import type { Mode } from '../../src/config/types.js';
import {
  ADMIN,
  DEVELOPER,
  MANAGED,
  admissionReview,
  allowDns,
  clusterState,
  config,
  denyAll,
  deployment,
  namespace,
  reviewer,
  validate,
  type AdmissionResponse,
  type RequestOptions,
} from '../rules/fixtures.js';

const UID = '7c0d8b52-3f8e-4a0f-b2c1-9e5d6a4b3c21';

/** A request that breaks exactly one rule, with the full message and warning it produces. */
interface RuleCase {
  rule: string;
  request: RequestOptions;
  message: string;
  warning: string;
}

const BASELINE_STATE = clusterState(
  namespace('team-a', { 'netpol-guard.io/baseline': 'enabled' }),
  denyAll('team-a', 'default-deny-all', MANAGED),
  allowDns('team-a', ['UDP', 'TCP'], 'allow-dns-egress', MANAGED),
);

const RULE_CASES: RuleCase[] = [
  {
    rule: 'default-deny',
    request: { object: deployment('legacy', 'api') },
    message:
      'default-deny: namespace "legacy" has no default-deny NetworkPolicy for Ingress and Egress, so Deployment "api" would run unisolated. ' +
      'Apply one first, for example: {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"default-deny-all","namespace":"legacy"},"spec":{"podSelector":{},"policyTypes":["Ingress","Egress"]}} ' +
      '(with a policy that allows DNS egress), or ask an approver to set the annotation netpol-guard.io/exempt: default-deny with a reason',
    warning: 'default-deny: namespace legacy has no default-deny NetworkPolicy for Ingress and Egress',
  },
  {
    rule: 'dns-egress',
    request: { object: deployment('payments', 'api') },
    message:
      'dns-egress: pods of Deployment "api" (app=api) are egress-isolated by payments/default-deny-all and no egress rule allows UDP 53 to DNS ' +
      '(kube-system/k8s-app=kube-dns), so name lookups would fail; apply a policy in payments that allows egress to DNS on UDP and TCP 53, ' +
      'for example to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]',
    warning: 'dns-egress: DNS (UDP 53) egress is blocked by payments/default-deny-all',
  },
  {
    rule: 'baseline-protection',
    request: { operation: 'DELETE', oldObject: allowDns('team-a', ['UDP', 'TCP'], 'allow-dns-egress', MANAGED) },
    message:
      "baseline-protection: NetworkPolicy team-a/allow-dns-egress is part of the namespace's baseline and managed by netpol-guard, so users may not delete it; " +
      'add your own policies next to it, or ask an approver to set netpol-guard.io/baseline: disabled on the namespace',
    warning: 'baseline-protection: team-a/allow-dns-egress is a baseline policy managed by netpol-guard',
  },
];

/** Rules that deny in every mode, because they guard the exemptions and the mode itself. */
const ALWAYS_ENFORCED_CASES: RuleCase[] = [
  {
    rule: 'exemption-approval',
    request: { object: deployment('shop', 'cart', { annotations: { 'netpol-guard.io/exempt': 'dns-egress', 'netpol-guard.io/exempt-reason': 'load test' } }) },
    message:
      'exemption-approval: user "dev@example.com" may not add or change the netpol-guard.io/exempt annotations on Deployment "cart"; ask an approver to set them, or remove them from the request',
    warning: 'exemption-approval: only approvers may set netpol-guard.io/exempt annotations',
  },
  {
    rule: 'namespace-mode',
    request: { operation: 'UPDATE', oldObject: namespace('team-b'), object: namespace('team-b', { 'netpol-guard.io/mode': 'permissive' }) },
    message: 'namespace-mode: label netpol-guard.io/mode on namespace team-b has invalid value "permissive"; use enforce, warn, audit',
    warning: 'namespace-mode: label netpol-guard.io/mode must be enforce, warn or audit',
  },
];

function expectedResponse(mode: Mode, entry: RuleCase, alwaysEnforced: boolean): AdmissionResponse {
  const annotations = { mode, exemption: 'none', violations: entry.rule };
  if (mode === 'enforce' || alwaysEnforced) {
    return {
      uid: UID,
      allowed: false,
      status: { status: 'Failure', code: 403, reason: 'Forbidden', message: entry.message },
      auditAnnotations: { ...annotations, decision: 'denied' },
    };
  }
  if (mode === 'warn') return { uid: UID, allowed: true, warnings: [entry.warning], auditAnnotations: { ...annotations, decision: 'allowed' } };
  return { uid: UID, allowed: true, auditAnnotations: { ...annotations, [`violation-${entry.rule}`]: entry.message, decision: 'allowed' } };
}

t.test('cluster mode for each rule', async (t) => {
  for (const mode of ['enforce', 'warn', 'audit'] as const) {
    const guard = reviewer({ state: BASELINE_STATE, config: config((c) => (c.mode = mode)) });
    for (const entry of RULE_CASES) {
      const { statusCode, response } = await validate(guard, entry.request);
      t.equal(statusCode, 200, `${mode} ${entry.rule}: status code`);
      t.strictSame(response, expectedResponse(mode, entry, false), `${mode} ${entry.rule}: response`);
    }
    for (const entry of ALWAYS_ENFORCED_CASES) {
      const { statusCode, response } = await validate(guard, entry.request);
      t.equal(statusCode, 200, `${mode} ${entry.rule}: status code`);
      t.strictSame(response, expectedResponse(mode, entry, true), `${mode} ${entry.rule}: denied in every mode`);
    }
  }
});

t.test('namespace label overrides the cluster mode', async (t) => {
  const cases: Array<[string, Mode, string | undefined, boolean]> = [
    ['audit label in an enforcing cluster', 'enforce', 'audit', true],
    ['warn label in an enforcing cluster', 'enforce', 'warn', true],
    ['enforce label in an auditing cluster', 'audit', 'enforce', false],
    ['invalid label falls back to the cluster mode', 'enforce', 'off', false],
    ['no label follows the cluster mode', 'warn', undefined, true],
  ];
  for (const [name, clusterMode, label, allowed] of cases) {
    const labels: Record<string, string> = label === undefined ? {} : { 'netpol-guard.io/mode': label };
    const guard = reviewer({ state: clusterState(namespace('trial', labels)), config: config((c) => (c.mode = clusterMode)) });
    const { response } = await validate(guard, { object: deployment('trial', 'api') });
    t.equal(response.allowed, allowed, `${name}: allowed`);
    const effective = label === 'audit' || label === 'warn' || label === 'enforce' ? label : clusterMode;
    t.equal(response.auditAnnotations?.mode, effective, `${name}: mode annotation`);
  }
});

t.test('invalid mode label on a namespace', async (t) => {
  const guard = reviewer({ config: config((c) => (c.mode = 'audit')) });
  const cases: Array<[string, RequestOptions]> = [
    ['create', { object: namespace('team-c', { 'netpol-guard.io/mode': 'Enforce' }) }],
    ['update', { operation: 'UPDATE', oldObject: namespace('team-c'), object: namespace('team-c', { 'netpol-guard.io/mode': 'Enforce' }) }],
  ];
  for (const [name, request] of cases) {
    const { response } = await validate(guard, { ...request, user: ADMIN });
    t.equal(response.allowed, false, `${name}: denied`);
    t.equal(
      response.status?.message,
      'namespace-mode: label netpol-guard.io/mode on namespace team-c has invalid value "Enforce"; use enforce, warn, audit',
      `${name}: message lists the valid values`,
    );
  }
  const { response } = await validate(guard, { operation: 'UPDATE', oldObject: namespace('team-c'), object: namespace('team-c', { 'netpol-guard.io/mode': 'warn' }), user: DEVELOPER });
  t.equal(response.allowed, true, 'valid label is allowed');
});

t.test('dry run is answered like a real request', async (t) => {
  const cases: Array<[string, RequestOptions]> = [
    ['denied Deployment', { object: deployment('legacy', 'api') }],
    ['allowed Deployment', { object: deployment('shop', 'cart') }],
    ['denied policy delete', { operation: 'DELETE', oldObject: allowDns('team-a', ['UDP', 'TCP'], 'allow-dns-egress', MANAGED) }],
    ['denied unapproved exemption', ALWAYS_ENFORCED_CASES[0]!.request],
  ];
  for (const mode of ['enforce', 'warn', 'audit'] as const) {
    const guard = reviewer({ state: BASELINE_STATE, config: config((c) => (c.mode = mode)) });
    for (const [name, request] of cases) {
      const real = await guard.review(admissionReview({ ...request, dryRun: false }), 'validate');
      const dry = await guard.review(admissionReview({ ...request, dryRun: true }), 'validate');
      t.strictSame(dry, real, `${mode} ${name}`);
    }
  }
});
