// Runs the hand-written, real-shaped AdmissionReviews of the shared cases
// folder through the Reviewer against examples/cluster. The folder exists on
// developer machines and in CI, not in a user's clone.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { Endpoint } from '../../src/admission/response.js';
import {
  createTestReviewer,
  decodePatch,
  loadExampleState,
  readJsonFile,
  responseOf,
  SHARED_ADMISSION_REQUESTS,
  type AdmissionResponseBody,
} from '../helpers/reviews.js';

const ALLOWED = { mode: 'enforce', exemption: 'none', decision: 'allowed' };

interface Expectation {
  /** Why the rules decide this way, as the test name. */
  name: string;
  validate: Omit<AdmissionResponseBody, 'uid'>;
  mutate: Omit<AdmissionResponseBody, 'uid' | 'patch'> & { patch?: unknown };
}

const EXPECTATIONS: Record<string, Expectation> = {
  'deployment-create-kubectl-apply.json': {
    name: 'Deployment in shop is allowed: default-deny-all isolates it and allow-dns-egress lets it reach DNS',
    validate: { allowed: true, auditAnnotations: ALLOWED },
    mutate: { allowed: true },
  },
  'deployment-create-dry-run-server.json': {
    name: 'dry-run Deployment in shop is decided like the real apply: allowed',
    validate: { allowed: true, auditAnnotations: ALLOWED },
    mutate: { allowed: true },
  },
  'pod-create-by-replicaset-controller.json': {
    name: 'Pod created by the ReplicaSet controller in shop is allowed for the same reasons as its Deployment',
    validate: { allowed: true, auditAnnotations: ALLOWED },
    mutate: { allowed: true },
  },
  'namespace-create-kubectl.json': {
    name: 'Namespace CREATE is allowed and the mutating webhook labels it for the baseline',
    validate: { allowed: true, auditAnnotations: ALLOWED },
    mutate: {
      allowed: true,
      patchType: 'JSONPatch',
      patch: [
        { op: 'add', path: '/metadata/labels/netpol-guard.io~1baseline', value: 'enabled' },
        { op: 'add', path: '/metadata/annotations', value: { 'netpol-guard.io/baseline-policies': 'default-deny-all,allow-dns-egress' } },
      ],
    },
  },
  'networkpolicy-delete-kubectl.json': {
    // The old object carries the managed-by label, but shop has no baseline label, so baseline-protection does not apply.
    name: 'DELETE of shop/default-deny-all is denied: allow-dns-egress keeps Egress isolated but nothing else isolates Ingress',
    validate: {
      allowed: false,
      status: {
        status: 'Failure',
        code: 403,
        reason: 'Forbidden',
        message:
          'default-deny: deleting NetworkPolicy shop/default-deny-all would leave namespace "shop" without default-deny for Ingress ' +
          '(now provided by shop/default-deny-all). Keep a policy with podSelector: {} and these policyTypes, and open traffic with narrower rules',
      },
      auditAnnotations: { mode: 'enforce', exemption: 'none', violations: 'default-deny', decision: 'denied' },
    },
    mutate: { allowed: true },
  },
};

const present = existsSync(SHARED_ADMISSION_REQUESTS);
const files = present ? readdirSync(SHARED_ADMISSION_REQUESTS).filter((file) => file.endsWith('.json')).sort() : [];

t.test('shared admission requests', { skip: present ? false : `${SHARED_ADMISSION_REQUESTS} is absent; these cases run on developer machines and in CI` }, async (t) => {
  t.ok(files.length > 0, 'the folder contains requests');
  const reviewer = createTestReviewer(await loadExampleState());

  for (const file of files) {
    const expectation = EXPECTATIONS[file];
    if (!expectation) {
      t.fail(`${file} has no expected decision; add one to this test`);
      continue;
    }
    t.test(`${file}: ${expectation.name}`, async (t) => {
      for (const endpoint of ['validate', 'mutate'] as const satisfies readonly Endpoint[]) {
        const review = readJsonFile(join(SHARED_ADMISSION_REQUESTS, file));
        const answer = await reviewer.review(review, endpoint);
        t.equal(answer.statusCode, 200, `${endpoint}: HTTP status`);
        const body = answer.body as { apiVersion: string; kind: string };
        t.equal(body.apiVersion, review.apiVersion, `${endpoint}: apiVersion`);
        const response = responseOf(body);
        const { patch, ...rest } = response;
        const { patch: expectedPatch, ...expectedRest } = expectation[endpoint] as Expectation['mutate'];
        t.strictSame(rest, { uid: review.request.uid, ...expectedRest }, `${endpoint}: response`);
        t.strictSame(patch === undefined ? undefined : decodePatch(response), expectedPatch, `${endpoint}: patch`);
      }
    });
  }
});
