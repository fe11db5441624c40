import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import type { Reviewer } from '../../src/admission/reviewer.js';
import { defaultConfig } from '../../src/config/defaults.js';
import { RULE_IDS, type Config } from '../../src/config/types.js';
import { buildApp } from '../../src/server/app.js';
import { WORKLOAD_KINDS, type WorkloadKind } from '../../src/state/objects.js';
import type { StateStore } from '../../src/state/store.js';
import {
  createTestReviewer,
  exampleReview,
  loadExampleState,
  namespaceReview,
  networkPolicyReview,
  otherKindReview,
  readJsonFile,
  responseOf,
  workloadReview,
  SHARED_ADMISSION_REQUESTS,
  type AdmissionReviewBody,
  type AdmissionResponseBody,
} from '../helpers/reviews.js';

type Endpoint = 'validate' | 'mutate';

const DNS_TARGET_NAME = 'kube-system/k8s-app=kube-dns';
const ALLOW_DNS_HINT =
  'apply a policy in payments that allows egress to DNS on UDP and TCP 53, for example to: ' +
  '[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]';

const DNS_PEER = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};
const ALLOW_DNS_SPEC = {
  podSelector: {},
  policyTypes: ['Egress'],
  egress: [{ to: [DNS_PEER], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
};
const DENY_ALL_SPEC = { podSelector: {}, policyTypes: ['Ingress', 'Egress'] };

function silentLogger() {
  return pino({ level: 'silent' });
}

function buildTestApp(t: Test, reviewer: Reviewer, options: { bodyLimit?: number } = {}): FastifyInstance {
  const app = buildApp({
    reviewer,
    logger: silentLogger(),
    readiness: () => ({ ready: true }),
    ...options,
  });
  t.teardown(() => app.close());
  return app;
}

async function exampleApp(t: Test, configure?: (state: StateStore) => void, config?: Config): Promise<FastifyInstance> {
  const state = await loadExampleState();
  configure?.(state);
  return buildTestApp(t, createTestReviewer(state, config ? { config } : {}));
}

async function post(app: FastifyInstance, endpoint: Endpoint, review: unknown): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: `/${endpoint}?timeout=10s`,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(review),
  });
}

/**
 * Checks what the API server requires of every response. That is HTTP 200,
 * the request's apiVersion and uid, and a boolean `allowed`. A patch comes
 * only from the mutating endpoint and never on DELETE, denials carry code 403
 * naming the rule, and warnings and audit annotations are kept as written.
 */
function checkContract(t: Test, endpoint: Endpoint, review: AdmissionReviewBody, reply: LightMyRequestResponse): AdmissionResponseBody {
  t.equal(reply.statusCode, 200, 'HTTP status');
  t.match(reply.headers['content-type'], /^application\/json/, 'content type');
  const body = reply.json() as { apiVersion: string; kind: string; response: AdmissionResponseBody };
  t.equal(body.apiVersion, review.apiVersion, 'apiVersion echoed');
  t.equal(body.kind, 'AdmissionReview', 'kind');
  const response = body.response;
  t.equal(response.uid, review.request.uid, 'uid echoed');
  t.type(response.allowed, 'boolean', 'allowed is a boolean');

  if (endpoint === 'validate') {
    t.notOk('patch' in response, 'validating answer has no patch');
    t.notOk('patchType' in response, 'validating answer has no patchType');
  } else {
    t.equal('patch' in response, 'patchType' in response, 'patch and patchType come together');
  }
  if (review.request.operation === 'DELETE') t.notOk('patch' in response, 'no patch on DELETE');

  if (response.allowed === false && response.status?.code === 403) {
    const rule = RULE_IDS.find((id) => response.status!.message.startsWith(`${id}: `));
    t.ok(rule, `denial message starts with a rule id: ${response.status.message.slice(0, 40)}`);
    t.equal(response.status.reason, 'Forbidden');
  }
  for (const warning of response.warnings ?? []) {
    t.ok(warning.length <= 120, `warning within 120 characters: ${warning}`);
    // eslint-disable-next-line no-control-regex
    t.notMatch(warning, /[\u0000-\u001f\u007f-\u009f]/, 'warning without control characters');
  }
  for (const key of Object.keys(response.auditAnnotations ?? {})) {
    t.notOk(key.includes('/'), `audit annotation key ${key} has no slash`);
  }
  return response;
}

function deniedResponse(uid: string, message: string, violations: string, extra: Partial<AdmissionResponseBody> = {}): AdmissionResponseBody {
  return {
    uid,
    allowed: false,
    status: { status: 'Failure', code: 403, reason: 'Forbidden', message },
    auditAnnotations: { mode: 'enforce', exemption: 'none', violations, decision: 'denied' },
    ...extra,
  };
}

function allowedResponse(uid: string, extra: Partial<AdmissionResponseBody> = {}): AdmissionResponseBody {
  return { uid, allowed: true, auditAnnotations: { mode: 'enforce', exemption: 'none', decision: 'allowed' }, ...extra };
}

function defaultDenyWorkloadMessage(namespace: string, kind: string, name: string): string {
  const example = JSON.stringify({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'default-deny-all', namespace },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  });
  return (
    `default-deny: namespace ${JSON.stringify(namespace)} has no default-deny NetworkPolicy for Ingress and Egress, ` +
    `so ${kind} ${JSON.stringify(name)} would run unisolated. Apply one first, for example: ${example} ` +
    '(with a policy that allows DNS egress), or ask an approver to set the annotation netpol-guard.io/exempt: default-deny with a reason'
  );
}

/** Adds a namespace whose pods may send DNS over UDP but not over TCP. */
function addUdpOnlyNamespace(state: StateStore): void {
  state.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'udp-only' } });
  state.apply({ kind: 'NetworkPolicy', metadata: { name: 'default-deny-all', namespace: 'udp-only' }, spec: DENY_ALL_SPEC });
  state.apply({
    kind: 'NetworkPolicy',
    metadata: { name: 'allow-dns-udp', namespace: 'udp-only' },
    spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [DNS_PEER], ports: [{ protocol: 'UDP', port: 53 }] }] },
  });
}

const WORKLOAD_KIND_NAMES = Object.keys(WORKLOAD_KINDS) as WorkloadKind[];

t.test('default-deny denies every workload kind', async (t) => {
  const app = await exampleApp(t);
  for (const kind of WORKLOAD_KIND_NAMES) {
    const review = workloadReview(kind, { namespace: 'legacy', name: 'invoice-export', podLabels: { app: 'invoice-export' } });
    const response = checkContract(t, 'validate', review, await post(app, 'validate', review));
    t.strictSame(
      response,
      deniedResponse(review.request.uid, defaultDenyWorkloadMessage('legacy', kind, 'invoice-export'), 'default-deny'),
      `${kind} CREATE in legacy`,
    );
  }
});

t.test('default-deny denies a workload UPDATE', async (t) => {
  const app = await exampleApp(t);
  const review = workloadReview('Deployment', { namespace: 'legacy', name: 'inventory-api', podLabels: { app: 'inventory-api' }, operation: 'UPDATE' });
  const response = checkContract(t, 'validate', review, await post(app, 'validate', review));
  t.strictSame(response, deniedResponse(review.request.uid, defaultDenyWorkloadMessage('legacy', 'Deployment', 'inventory-api'), 'default-deny'));
});

t.test('compliant namespace admits every workload kind', async (t) => {
  const app = await exampleApp(t);
  for (const kind of WORKLOAD_KIND_NAMES) {
    const review = workloadReview(kind, { namespace: 'shop', name: 'ads-v2', podLabels: { app: 'ads' } });
    const response = checkContract(t, 'validate', review, await post(app, 'validate', review));
    t.strictSame(response, allowedResponse(review.request.uid), `${kind} CREATE in shop`);
  }
});

t.test('dns-egress denies blocked UDP DNS', async (t) => {
  const app = await exampleApp(t);
  const review = workloadReview('Deployment', { namespace: 'payments', name: 'refunds', podLabels: { app: 'refunds' } });
  const response = checkContract(t, 'validate', review, await post(app, 'validate', review));
  const message =
    'dns-egress: pods of Deployment "refunds" (app=refunds) are egress-isolated by payments/default-deny-all and no egress rule allows ' +
    `UDP 53 to DNS (${DNS_TARGET_NAME}), so name lookups would fail; ${ALLOW_DNS_HINT}`;
  t.strictSame(response, deniedResponse(review.request.uid, message, 'dns-egress'));
});

t.test('dns-egress warns on blocked TCP DNS', async (t) => {
  const app = await exampleApp(t, addUdpOnlyNamespace);
  const review = workloadReview('Deployment', { namespace: 'udp-only', name: 'resolver-client', podLabels: { app: 'resolver-client' } });
  const response = checkContract(t, 'validate', review, await post(app, 'validate', review));
  t.strictSame(
    response,
    allowedResponse(review.request.uid, {
      warnings: ['dns-egress: DNS over TCP 53 is blocked, so DNS answers over 512 bytes will fail'],
      auditAnnotations: { mode: 'enforce', exemption: 'none', violations: 'dns-egress', decision: 'allowed' },
    }),
  );
});

t.test('dns-egress requireTcp denies blocked TCP DNS', async (t) => {
  const config = defaultConfig();
  config.rules['dns-egress'].requireTcp = true;
  const app = await exampleApp(t, addUdpOnlyNamespace, config);
  const review = workloadReview('Deployment', { namespace: 'udp-only', name: 'resolver-client', podLabels: { app: 'resolver-client' } });
  const response = checkContract(t, 'validate', review, await post(app, 'validate', review));
  const message =
    'dns-egress: pods of Deployment "resolver-client" (app=resolver-client) may send DNS over UDP but not over TCP 53 ' +
    '(isolated by udp-only/allow-dns-udp, udp-only/default-deny-all), so truncated answers cannot be retried over TCP; ' +
    'add TCP 53 next to UDP 53 in the allow-DNS rule';
  t.strictSame(response, deniedResponse(review.request.uid, message, 'dns-egress'));
});

t.test('policy changes breaking known pods DNS denied', async (t) => {
  const cases: Array<{ name: string; review: () => AdmissionReviewBody; message: RegExp }> = [
    {
      name: 'CREATE isolating legacy pods for egress without DNS',
      review: () =>
        networkPolicyReview({
          namespace: 'legacy',
          name: 'inventory-egress',
          operation: 'CREATE',
          spec: { podSelector: { matchLabels: { app: 'inventory-api' } }, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'TCP', port: 5432 }] }] },
        }),
      message: new RegExp(
        '^dns-egress: creating NetworkPolicy legacy/inventory-egress would block DNS egress \\(UDP 53 to kube-system/k8s-app=kube-dns\\) ' +
          'for Deployment/inventory-api, Pod/inventory-api-84c9d6f7b5-lz4nd; allow UDP and TCP 53 to DNS in this policy or in another policy that selects the same pods$',
      ),
    },
    {
      name: 'UPDATE moving the shop DNS rule to port 5353',
      review: () =>
        networkPolicyReview({
          namespace: 'shop',
          name: 'allow-dns-egress',
          operation: 'UPDATE',
          oldSpec: ALLOW_DNS_SPEC,
          spec: { ...ALLOW_DNS_SPEC, egress: [{ to: [DNS_PEER], ports: [{ protocol: 'UDP', port: 5353 }, { protocol: 'TCP', port: 5353 }] }] },
        }),
      message: /^dns-egress: changing NetworkPolicy shop\/allow-dns-egress would block DNS egress \(UDP 53 to kube-system\/k8s-app=kube-dns\) for Deployment\/\S+, .* and \d+ more; /,
    },
    {
      name: 'DELETE of the shop DNS policy',
      review: () => networkPolicyReview({ namespace: 'shop', name: 'allow-dns-egress', operation: 'DELETE', oldSpec: ALLOW_DNS_SPEC }),
      message: /^dns-egress: deleting NetworkPolicy shop\/allow-dns-egress would block DNS egress \(UDP 53 to kube-system\/k8s-app=kube-dns\) for Deployment\/\S+, .* and \d+ more; /,
    },
  ];
  const app = await exampleApp(t);
  for (const testCase of cases) {
    const review = testCase.review();
    const response = checkContract(t, 'validate', review, await post(app, 'validate', review));
    t.equal(response.allowed, false, `${testCase.name}: denied`);
    t.match(response.status?.message, testCase.message, `${testCase.name}: message`);
    t.strictSame(
      { ...response, status: { ...response.status!, message: '' } },
      deniedResponse(review.request.uid, '', 'dns-egress'),
      `${testCase.name}: response`,
    );
  }
});

t.test('default-deny denies losing the last default-deny', async (t) => {
  const app = await exampleApp(t);
  const cases: Array<{ name: string; review: AdmissionReviewBody; message: string }> = [
    {
      name: 'DELETE of shop/default-deny-all (kubectl delete fixture)',
      review: exampleReview('networkpolicy-delete-shop-default-deny.json'),
      // allow-dns-egress selects every pod for Egress, so only Ingress loses its default-deny.
      message:
        'default-deny: deleting NetworkPolicy shop/default-deny-all would leave namespace "shop" without default-deny for Ingress ' +
        '(now provided by shop/default-deny-all). Keep a policy with podSelector: {} and these policyTypes, and open traffic with narrower rules',
    },
    {
      name: 'DELETE of payments/default-deny-all, which loses both directions',
      review: networkPolicyReview({ namespace: 'payments', name: 'default-deny-all', operation: 'DELETE', oldSpec: DENY_ALL_SPEC }),
      message:
        'default-deny: deleting NetworkPolicy payments/default-deny-all would leave namespace "payments" without default-deny for Ingress and Egress ' +
        '(now provided by payments/default-deny-all). Keep a policy with podSelector: {} and these policyTypes, and open traffic with narrower rules',
    },
    {
      name: 'UPDATE narrowing shop/default-deny-all to the frontend',
      review: networkPolicyReview({
        namespace: 'shop',
        name: 'default-deny-all',
        operation: 'UPDATE',
        oldSpec: DENY_ALL_SPEC,
        spec: { ...DENY_ALL_SPEC, podSelector: { matchLabels: { app: 'frontend' } } },
      }),
      message:
        'default-deny: changing NetworkPolicy shop/default-deny-all would leave namespace "shop" without default-deny for Ingress ' +
        '(now provided by shop/default-deny-all). Keep a policy with podSelector: {} and these policyTypes, and open traffic with narrower rules',
    },
  ];
  for (const testCase of cases) {
    const response = checkContract(t, 'validate', testCase.review, await post(app, 'validate', testCase.review));
    t.strictSame(response, deniedResponse(testCase.review.request.uid, testCase.message, 'default-deny'), testCase.name);
  }
});

t.test('new policy selecting no known pods', async (t) => {
  const app = await exampleApp(t);
  const spec = {
    podSelector: { matchLabels: { app: 'batch-export' } },
    policyTypes: ['Egress'],
    egress: [{ to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ protocol: 'TCP', port: 443 }] }],
  };

  const legacy = networkPolicyReview({ namespace: 'legacy', name: 'batch-export-egress', operation: 'CREATE', spec });
  const denied = checkContract(t, 'validate', legacy, await post(app, 'validate', legacy));
  t.strictSame(
    denied,
    deniedResponse(
      legacy.request.uid,
      'dns-egress: creating NetworkPolicy legacy/batch-export-egress would block DNS egress (UDP 53 to kube-system/k8s-app=kube-dns) ' +
        'for pods matching app=batch-export; allow UDP and TCP 53 to DNS in this policy or in another policy that selects the same pods',
      'dns-egress',
    ),
    'denied where nothing else allows DNS',
  );

  const shop = networkPolicyReview({ namespace: 'shop', name: 'batch-export-egress', operation: 'CREATE', spec });
  const allowed = checkContract(t, 'validate', shop, await post(app, 'validate', shop));
  t.strictSame(allowed, allowedResponse(shop.request.uid), 'allowed where allow-dns-egress already allows DNS');
});

t.test('system namespaces are never denied', async (t) => {
  const app = await exampleApp(t);
  for (const namespace of ['kube-system', 'kube-public', 'kube-node-lease', 'netpol-guard']) {
    const reviews = [
      workloadReview('Deployment', { namespace, name: 'agent', podLabels: { app: 'agent' } }),
      workloadReview('Pod', { namespace, name: 'agent-0', podLabels: { app: 'agent' } }),
      networkPolicyReview({ namespace, name: 'default-deny-all', operation: 'DELETE', oldSpec: DENY_ALL_SPEC }),
    ];
    for (const review of reviews) {
      const response = checkContract(t, 'validate', review, await post(app, 'validate', review));
      t.strictSame(
        response,
        { uid: review.request.uid, allowed: true, auditAnnotations: { mode: 'enforce', exemption: `static: namespace ${namespace}`, decision: 'allowed' } },
        `${review.request.kind.kind} ${review.request.operation} in ${namespace}`,
      );
    }
  }
});

t.test('unread kinds and operations are allowed', async (t) => {
  const app = await exampleApp(t);
  const reviews = [
    otherKindReview({ group: '', version: 'v1', kind: 'ConfigMap' }, 'configmaps', { namespace: 'legacy', name: 'settings', operation: 'CREATE' }),
    otherKindReview({ group: '', version: 'v1', kind: 'Service' }, 'services', { namespace: 'legacy', name: 'inventory-api', operation: 'CREATE' }),
    workloadReview('Deployment', { namespace: 'legacy', name: 'inventory-api', podLabels: { app: 'inventory-api' }, operation: 'DELETE' }),
    workloadReview('Pod', { namespace: 'payments', name: 'payment-processor-7f9b8c6d5c-vk8pw', podLabels: { app: 'payment-processor' }, operation: 'DELETE' }),
  ];
  for (const review of reviews) {
    const response = checkContract(t, 'validate', review, await post(app, 'validate', review));
    // No rule reads these, so there is no mode or exemption to record.
    t.strictSame(response, { uid: review.request.uid, allowed: true }, `${review.request.kind.kind} ${review.request.operation}`);
  }
});

t.test('subresource request is allowed', async (t) => {
  const app = await exampleApp(t);
  const review = workloadReview('Pod', { namespace: 'legacy', name: 'inventory-api-84c9d6f7b5-lz4nd', podLabels: { app: 'inventory-api' }, operation: 'UPDATE' });
  review.request.subResource = 'status';
  const response = checkContract(t, 'validate', review, await post(app, 'validate', review));
  t.strictSame(response, { uid: review.request.uid, allowed: true });
});

t.test('v1 and v1beta1 echo apiVersion and uid', async (t) => {
  const app = await exampleApp(t);
  for (const apiVersion of ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1']) {
    for (const endpoint of ['validate', 'mutate'] as const) {
      const review = workloadReview('Deployment', { namespace: 'legacy', name: 'invoice-export', podLabels: { app: 'invoice-export' } });
      review.apiVersion = apiVersion;
      const reply = await post(app, endpoint, review);
      checkContract(t, endpoint, review, reply);
      t.equal(reply.json().apiVersion, apiVersion, `${endpoint} answers ${apiVersion}`);
    }
  }

  const v1beta1 = exampleReview('deployment-create-shop-v1beta1.json');
  const reply = await post(app, 'validate', v1beta1);
  t.strictSame(reply.json(), { apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', response: allowedResponse(v1beta1.request.uid) });
});

t.test('dry run decided like the real request', async (t) => {
  const app = await exampleApp(t);
  const cases = [
    workloadReview('Deployment', { namespace: 'legacy', name: 'invoice-export', podLabels: { app: 'invoice-export' } }),
    workloadReview('Deployment', { namespace: 'payments', name: 'refunds', podLabels: { app: 'refunds' } }),
    workloadReview('Pod', { namespace: 'shop', name: 'cart-0', podLabels: { app: 'cart' } }),
    exampleReview('networkpolicy-delete-shop-default-deny.json'),
    namespaceReview('team-b', { name: 'team-b', labels: { 'kubernetes.io/metadata.name': 'team-b' } }),
  ];
  for (const review of cases) {
    for (const endpoint of ['validate', 'mutate'] as const) {
      const dryRun = structuredClone(review);
      dryRun.request.dryRun = true;
      dryRun.request.options = { ...dryRun.request.options, dryRun: ['All'] };
      const real = await post(app, endpoint, review);
      const tried = await post(app, endpoint, dryRun);
      checkContract(t, endpoint, dryRun, tried);
      t.strictSame(tried.json(), real.json(), `${endpoint} ${review.request.kind.kind} ${review.request.operation} in ${review.request.namespace}`);
    }
  }
});

t.test('shared dry-run fixture matches its apply', { skip: existsSync(SHARED_ADMISSION_REQUESTS) ? false : `${SHARED_ADMISSION_REQUESTS} is absent` }, async (t) => {
  const app = await exampleApp(t);
  const apply = readJsonFile(join(SHARED_ADMISSION_REQUESTS, 'deployment-create-kubectl-apply.json'));
  const dryRun = readJsonFile(join(SHARED_ADMISSION_REQUESTS, 'deployment-create-dry-run-server.json'));
  const applied = responseOf((await post(app, 'validate', apply)).json());
  const tried = responseOf((await post(app, 'validate', dryRun)).json());
  t.strictSame({ ...tried, uid: applied.uid }, applied);
});

t.test('bad input gets a one-line HTTP error', async (t) => {
  const app = buildTestApp(t, createTestReviewer(await loadExampleState()), { bodyLimit: 4096 });
  const valid = () => exampleReview('pod-create-shop.json');
  const withRequest = (change: (review: AdmissionReviewBody) => void): string => {
    const review = valid();
    change(review);
    return JSON.stringify(review);
  };
  const json = { 'content-type': 'application/json' };

  const cases: Array<{ name: string; payload: string; headers?: Record<string, string>; statusCode: number; message: string }> = [
    { name: 'malformed JSON', payload: '{"apiVersion": "admission.k8s.io/v1",', statusCode: 400, message: 'request body is not valid JSON' },
    { name: 'empty body', payload: '', statusCode: 400, message: 'request body is empty; send an AdmissionReview' },
    { name: 'JSON array', payload: '[]', statusCode: 400, message: 'invalid AdmissionReview: body must be a JSON object of kind AdmissionReview' },
    { name: 'JSON string', payload: '"AdmissionReview"', statusCode: 400, message: 'invalid AdmissionReview: body must be a JSON object of kind AdmissionReview' },
    { name: 'JSON null', payload: 'null', statusCode: 400, message: 'invalid AdmissionReview: body must be a JSON object of kind AdmissionReview' },
    {
      name: 'missing request',
      payload: JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }),
      statusCode: 400,
      message: 'invalid AdmissionReview: request is missing',
    },
    { name: 'missing uid', payload: withRequest((review) => delete (review.request as { uid?: string }).uid), statusCode: 400, message: 'invalid AdmissionReview: request.uid is missing' },
    {
      name: 'unknown apiVersion',
      payload: withRequest((review) => (review.apiVersion = 'admission.k8s.io/v2')),
      statusCode: 400,
      message: 'invalid AdmissionReview: apiVersion must be one of admission.k8s.io/v1, admission.k8s.io/v1beta1',
    },
    {
      name: 'kind other than AdmissionReview',
      payload: withRequest((review) => (review.kind = 'ConversionReview')),
      statusCode: 400,
      message: 'invalid AdmissionReview: body is a ConversionReview, not an AdmissionReview; send the object inside an AdmissionReview request, as the files in examples/reviews/ show',
    },
    {
      name: 'unknown operation',
      payload: withRequest((review) => (review.request.operation = 'PATCH')),
      statusCode: 400,
      message: 'invalid AdmissionReview: request.operation must be one of CREATE, UPDATE, DELETE, CONNECT',
    },
    {
      name: 'missing content type',
      payload: JSON.stringify(valid()),
      headers: {},
      statusCode: 415,
      message: 'unsupported content type; send the AdmissionReview as Content-Type: application/json',
    },
    {
      name: 'YAML content type',
      payload: JSON.stringify(valid()),
      headers: { 'content-type': 'application/yaml' },
      statusCode: 415,
      message: 'unsupported content type; send the AdmissionReview as Content-Type: application/json',
    },
    {
      // fastify registers a text/plain parser by default; the webhook reads JSON only.
      name: 'text/plain content type',
      payload: JSON.stringify(valid()),
      headers: { 'content-type': 'text/plain' },
      statusCode: 415,
      message: 'unsupported content type; send the AdmissionReview as Content-Type: application/json',
    },
    {
      name: 'body over the limit',
      payload: JSON.stringify({ ...valid(), padding: 'x'.repeat(4096) }),
      statusCode: 413,
      message: 'request body is larger than the limit of 4096 bytes (server.bodyLimit)',
    },
    // NOTE: fastify 5 reports a forbidden key with the same error as malformed JSON, so the message cannot name the key.
    { name: 'top-level __proto__ key', payload: '{"__proto__": {"allowed": true}}', statusCode: 400, message: 'request body is not valid JSON' },
    {
      name: 'nested __proto__ key',
      payload: withRequest((review) => (review.request.object!.metadata = { name: 'x' })).replace('"metadata":{"name":"x"}', '"metadata":{"__proto__":{"allowed":true}}'),
      statusCode: 400,
      message: 'request body is not valid JSON',
    },
    { name: 'constructor.prototype key', payload: '{"constructor": {"prototype": {"allowed": true}}}', statusCode: 400, message: 'request body is not valid JSON' },
  ];

  for (const testCase of cases) {
    for (const endpoint of ['validate', 'mutate'] as const) {
      const reply = await app.inject({ method: 'POST', url: `/${endpoint}?timeout=10s`, headers: testCase.headers ?? json, payload: testCase.payload });
      t.equal(reply.statusCode, testCase.statusCode, `${testCase.name} (${endpoint}): status`);
      t.strictSame(reply.json(), { code: testCase.statusCode, message: testCase.message }, `${testCase.name} (${endpoint}): body`);
      t.notMatch(reply.body, /\\n|\bat \S+ \(/, `${testCase.name} (${endpoint}): no stack`);
    }
  }
});

t.test('impossible requests get status code 400', async (t) => {
  const app = await exampleApp(t);
  const cases: Array<{ name: string; review: () => AdmissionReviewBody; message: string }> = [
    {
      name: 'object kind disagreeing with request.kind',
      review: () => {
        const review = exampleReview('pod-create-shop.json');
        review.request.object!.kind = 'Deployment';
        return review;
      },
      message: 'request.object.kind "Deployment" disagrees with request.kind.kind "Pod"',
    },
    {
      name: 'oldObject kind disagreeing with request.kind',
      review: () => {
        const review = exampleReview('networkpolicy-delete-shop-default-deny.json');
        review.request.oldObject!.kind = 'Pod';
        return review;
      },
      message: 'request.oldObject.kind "Pod" disagrees with request.kind.kind "NetworkPolicy"',
    },
    {
      name: 'UPDATE without oldObject',
      review: () => {
        const review = workloadReview('Deployment', { namespace: 'shop', name: 'cart', podLabels: { app: 'cart' }, operation: 'UPDATE' });
        review.request.oldObject = null;
        return review;
      },
      message: 'request.oldObject is missing; UPDATE requests carry the stored object',
    },
    {
      name: 'CREATE with null object',
      review: () => {
        const review = exampleReview('pod-create-shop.json');
        review.request.object = null;
        return review;
      },
      message: 'request.object is missing; CREATE requests carry the object',
    },
    {
      name: 'object metadata that is not an object',
      review: () => {
        const review = exampleReview('pod-create-shop.json');
        review.request.object!.metadata = 'frontend';
        return review;
      },
      message: 'request.object.metadata must be an object',
    },
  ];
  for (const testCase of cases) {
    for (const endpoint of ['validate', 'mutate'] as const) {
      const review = testCase.review();
      const reply = await post(app, endpoint, review);
      checkContract(t, endpoint, review, reply);
      t.strictSame(
        responseOf(reply.json()),
        { uid: review.request.uid, allowed: false, status: { status: 'Failure', code: 400, reason: 'BadRequest', message: testCase.message } },
        `${testCase.name} (${endpoint})`,
      );
    }
  }
});

t.test('DELETE with a null object', async (t) => {
  const app = await exampleApp(t);
  const withOld = exampleReview('networkpolicy-delete-shop-default-deny.json');
  const withoutOld = exampleReview('networkpolicy-delete-shop-default-deny.json');
  withoutOld.request.oldObject = null;
  const expected = (uid: string) =>
    deniedResponse(
      uid,
      'default-deny: deleting NetworkPolicy shop/default-deny-all would leave namespace "shop" without default-deny for Ingress ' +
        '(now provided by shop/default-deny-all). Keep a policy with podSelector: {} and these policyTypes, and open traffic with narrower rules',
      'default-deny',
    );
  t.strictSame(checkContract(t, 'validate', withOld, await post(app, 'validate', withOld)), expected(withOld.request.uid), 'oldObject present');
  t.strictSame(checkContract(t, 'validate', withoutOld, await post(app, 'validate', withoutOld)), expected(withoutOld.request.uid), 'oldObject null');
});

t.test('mutate patches nothing but Namespace CREATE', async (t) => {
  const app = await exampleApp(t);
  const reviews = [
    workloadReview('Deployment', { namespace: 'legacy', name: 'invoice-export', podLabels: { app: 'invoice-export' } }),
    workloadReview('Pod', { namespace: 'payments', name: 'refunds-0', podLabels: { app: 'refunds' } }),
    exampleReview('networkpolicy-delete-shop-default-deny.json'),
    namespaceReview('team-a', { name: 'team-a' }, 'UPDATE'),
    namespaceReview('team-a', { name: 'team-a' }, 'DELETE'),
    otherKindReview({ group: '', version: 'v1', kind: 'ConfigMap' }, 'configmaps', { namespace: 'legacy', name: 'settings', operation: 'CREATE' }),
  ];
  for (const review of reviews) {
    const response = checkContract(t, 'mutate', review, await post(app, 'mutate', review));
    t.strictSame(response, { uid: review.request.uid, allowed: true }, `${review.request.kind.kind} ${review.request.operation}`);
  }
});

t.test('unready state fails reviews with 500', async (t) => {
  const state = await loadExampleState();
  const reviewer = createTestReviewer(state, { health: () => ({ ready: false, reason: 'the informers have not synced' }) });
  const app = buildTestApp(t, reviewer);
  const review = workloadReview('Deployment', { namespace: 'shop', name: 'cart', podLabels: { app: 'cart' } });
  const reply = await post(app, 'validate', review);
  t.equal(reply.statusCode, 500);
  t.strictSame(reply.json(), {
    code: 500,
    message: "netpol-guard cannot decide: the informers have not synced; the webhook's failurePolicy applies",
  });
});

t.test('healthz and readyz report state', async (t) => {
  const state = await loadExampleState();
  let ready = false;
  const app = buildApp({
    reviewer: createTestReviewer(state),
    logger: silentLogger(),
    readiness: () => (ready ? { ready: true } : { ready: false, reason: 'state not loaded' }),
    liveness: () => ({ ready: true }),
  });
  t.teardown(() => app.close());

  const healthz = await app.inject({ method: 'GET', url: '/healthz' });
  t.equal(healthz.statusCode, 200);
  t.strictSame(healthz.json(), { status: 'ok' });

  const notReady = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(notReady.statusCode, 503);
  t.strictSame(notReady.json(), { status: 'not ready', reason: 'state not loaded' });

  ready = true;
  const isReady = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(isReady.statusCode, 200);
  t.strictSame(isReady.json(), { status: 'ready' });
});

t.test('unknown route gets 404', async (t) => {
  const app = await exampleApp(t);
  const reply = await app.inject({ method: 'GET', url: '/validate?timeout=10s' });
  t.equal(reply.statusCode, 404);
  t.strictSame(reply.json(), { code: 404, message: 'no route for GET /validate; use POST /validate or POST /mutate' });
});
