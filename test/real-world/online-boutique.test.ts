// Reviews Google's Online Boutique demo (Apache License 2.0), applied into one
// namespace, with and without its network-policies component. The manifests
// live outside the project, on developer machines and in CI only.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { loadStateFromFiles } from '../../src/state/load-files.js';
import { readManifests } from '../../src/state/read-manifests.js';
import type { StateStore } from '../../src/state/store.js';
import { createTestReviewer, EXAMPLE_CLUSTER, responseOf, SHARED_REAL_WORLD, workloadReview, type KubeObject } from '../helpers/reviews.js';

const NAMESPACE = 'boutique';
const BOUTIQUE = join(SHARED_REAL_WORLD, 'online-boutique');
const MANIFESTS = join(BOUTIQUE, 'kubernetes-manifests.yaml');
const NETWORK_POLICIES = join(BOUTIQUE, 'network-policies');

const EXPECTED_DEPLOYMENTS = [
  'adservice',
  'cartservice',
  'checkoutservice',
  'currencyservice',
  'emailservice',
  'frontend',
  'loadgenerator',
  'paymentservice',
  'productcatalogservice',
  'recommendationservice',
  'redis-cart',
  'shippingservice',
];

/** Builds a state of the cluster DNS from examples/cluster, the boutique Namespace and, optionally, the demo's NetworkPolicies. */
async function boutiqueState(withPolicies: boolean): Promise<StateStore> {
  const paths = [join(EXAMPLE_CLUSTER, 'kube-system.yaml'), ...(withPolicies ? [NETWORK_POLICIES] : [])];
  const { store, invalidPolicies } = await loadStateFromFiles(paths, NAMESPACE);
  if (invalidPolicies.length > 0) throw new Error(`invalid policies in ${NETWORK_POLICIES}: ${invalidPolicies.length}`);
  store.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE, labels: { 'kubernetes.io/metadata.name': NAMESPACE } } });
  return store;
}

async function boutiqueDeployments(): Promise<KubeObject[]> {
  const documents = await readManifests([MANIFESTS]);
  return documents.map((document) => document.object).filter((object) => object.kind === 'Deployment');
}

/** Wraps a manifest Deployment in a real-shaped CREATE request, placed in the boutique namespace as `kubectl apply -n` would. */
function createRequest(deployment: KubeObject) {
  const metadata = deployment.metadata as { name: string };
  const review = workloadReview('Deployment', { namespace: NAMESPACE, name: metadata.name, podLabels: {} });
  review.request.object = { ...structuredClone(deployment), metadata: { ...metadata, namespace: NAMESPACE } };
  return review;
}

function defaultDenyMessage(name: string): string {
  const example = JSON.stringify({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'default-deny-all', namespace: NAMESPACE },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  });
  return (
    `default-deny: namespace "${NAMESPACE}" has no default-deny NetworkPolicy for Ingress and Egress, ` +
    `so Deployment "${name}" would run unisolated. Apply one first, for example: ${example} ` +
    '(with a policy that allows DNS egress), or ask an approver to set the annotation netpol-guard.io/exempt: default-deny with a reason'
  );
}

const present = existsSync(MANIFESTS) && existsSync(NETWORK_POLICIES);
const skip = present ? false : `${BOUTIQUE} is absent; the real-world manifests exist on developer machines and in CI only`;

t.test('boutique has twelve Deployments', { skip }, async (t) => {
  const names = (await boutiqueDeployments()).map((deployment) => (deployment.metadata as { name: string }).name).sort();
  t.strictSame(names, EXPECTED_DEPLOYMENTS);
});

t.test('boutique with its policies admitted', { skip }, async (t) => {
  // deny-all isolates every pod, and each service's policy opens all egress with `egress: [{}]`, DNS included.
  const reviewer = createTestReviewer(await boutiqueState(true));
  for (const deployment of await boutiqueDeployments()) {
    const review = createRequest(deployment);
    const answer = await reviewer.review(review, 'validate');
    t.equal(answer.statusCode, 200);
    t.strictSame(
      responseOf(answer.body),
      { uid: review.request.uid, allowed: true, auditAnnotations: { mode: 'enforce', exemption: 'none', decision: 'allowed' } },
      `${review.request.name} admitted`,
    );
  }
});

t.test('boutique without policies denied', { skip }, async (t) => {
  const reviewer = createTestReviewer(await boutiqueState(false));
  for (const deployment of await boutiqueDeployments()) {
    const review = createRequest(deployment);
    const answer = await reviewer.review(review, 'validate');
    t.equal(answer.statusCode, 200);
    t.strictSame(
      responseOf(answer.body),
      {
        uid: review.request.uid,
        allowed: false,
        status: { status: 'Failure', code: 403, reason: 'Forbidden', message: defaultDenyMessage(review.request.name!) },
        auditAnnotations: { mode: 'enforce', exemption: 'none', violations: 'default-deny', decision: 'denied' },
      },
      `${review.request.name} denied`,
    );
  }
});
