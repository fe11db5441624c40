// Faults injected into each stage of a review: the state, the configuration,
// the DNS targets, the health check, the RBAC approver, the baseline
// coordinator and the metrics callback. Each case first shows that the same
// request is allowed without the fault, so the fault is what changes the
// response. With the fault the response must be an HTTP 500 or a denial,
// never `allowed: true`, and the log must not carry the object.
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import t from 'tap';
import type { BaselineCoordinator, ReviewerOptions, StateHealth } from '../../src/admission/reviewer.js';
import { defaultConfig } from '../../src/config/defaults.js';
import type { Config } from '../../src/config/types.js';
import type { DnsTarget } from '../../src/engine/index.js';
import { buildApp } from '../../src/server/app.js';
import { StateStore } from '../../src/state/store.js';
import {
  createTestReviewer,
  exampleReview,
  loadExampleState,
  namespaceReview,
  nextUid,
  responseOf,
  workloadReview,
  type AdmissionReviewBody,
} from '../helpers/reviews.js';

/** A value placed in every object; finding it in a log line means an object body was logged. */
const BODY_MARKER = 'body-marker-3f9c1e';

function injectedFault(stage: string): Error {
  return new Error(`injected fault in ${stage}`);
}

/**
 * Copies every namespace, policy and workload of examples/cluster into a new
 * store, and replaces `method` on it with one that throws.
 */
async function faultyState(method: keyof StateStore | undefined, prepare?: (state: StateStore) => void): Promise<StateStore> {
  const state = new StateStore();
  const example = await loadExampleState();
  for (const namespace of example.namespaceNames()) {
    const facts = example.namespace(namespace);
    if (facts) state.apply({ kind: 'Namespace', metadata: { name: namespace, labels: facts.labels, annotations: facts.annotations } });
    for (const policy of example.policiesIn(namespace)) state.apply({ kind: 'NetworkPolicy', metadata: { name: policy.name, namespace }, spec: policy.source.spec });
    for (const workload of example.workloadsIn(namespace)) {
      const template = { metadata: { labels: workload.podLabels }, spec: { containers: [{ name: 'main', ports: workload.ports }] } };
      const object =
        workload.kind === 'Pod'
          ? { kind: 'Pod', metadata: { name: workload.name, namespace, labels: workload.podLabels }, spec: template.spec, status: { podIP: workload.podIP } }
          : { kind: workload.kind, metadata: { name: workload.name, namespace }, spec: { template } };
      state.apply(object);
    }
  }
  prepare?.(state);
  if (method !== undefined) {
    Object.defineProperty(state, method, {
      value: () => {
        throw injectedFault(`StateStore.${method}`);
      },
    });
  }
  return state;
}

function markedPod(): AdmissionReviewBody {
  const review = exampleReview('pod-create-shop.json');
  review.request.uid = nextUid();
  const metadata = review.request.object!.metadata as { annotations?: Record<string, string> };
  metadata.annotations = { ...metadata.annotations, 'example.com/secret-note': BODY_MARKER };
  return review;
}

/** Returns a NetworkPolicy CREATE in shop that keeps DNS and default-deny, so the rules allow it. */
function markedPolicy(): AdmissionReviewBody {
  const review = exampleReview('networkpolicy-delete-shop-default-deny.json');
  const request = review.request;
  request.uid = nextUid();
  request.operation = 'CREATE';
  request.name = 'allow-frontend-ingress';
  request.options = { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' };
  request.object = {
    kind: 'NetworkPolicy',
    apiVersion: 'networking.k8s.io/v1',
    metadata: { name: 'allow-frontend-ingress', namespace: 'shop', annotations: { note: BODY_MARKER } },
    spec: { podSelector: { matchLabels: { app: 'frontend' } }, policyTypes: ['Ingress'], ingress: [{}] },
  };
  request.oldObject = null;
  return review;
}

/** Returns a namespace UPDATE by a non-approver that adds an exemption, which only the RBAC approver can allow. */
function exemptionGrant(): AdmissionReviewBody {
  const review = namespaceReview('legacy', { name: 'legacy', labels: { team: 'back-office' } }, 'UPDATE');
  review.request.userInfo = { username: 'alice@example.com', groups: ['system:authenticated'] };
  const object = review.request.object!;
  (object.metadata as Record<string, unknown>).annotations = {
    'netpol-guard.io/exempt': 'default-deny',
    'netpol-guard.io/exempt-reason': 'migration to the baseline',
    'example.com/secret-note': BODY_MARKER,
  };
  return review;
}

function markedNamespaceCreate(): AdmissionReviewBody {
  return namespaceReview('team-a', { name: 'team-a', annotations: { note: BODY_MARKER } });
}

/** Returns a Pod CREATE in a namespace whose baseline is enabled but not yet in the state, so the baseline coordinator runs. */
function podInPendingBaseline(): AdmissionReviewBody {
  const review = workloadReview('Pod', { namespace: 'fresh', name: 'web-0', podLabels: { app: 'web' }, annotations: { note: BODY_MARKER } });
  return review;
}

const withFreshNamespace = (state: StateStore): void => {
  state.apply({ kind: 'Namespace', metadata: { name: 'fresh', labels: { 'netpol-guard.io/baseline': 'enabled' } } });
};

interface Setup {
  state: StateStore;
  config?: Config;
  options?: Partial<Omit<ReviewerOptions, 'state' | 'config' | 'logger'>>;
}

interface FaultCase {
  name: string;
  endpoint: 'validate' | 'mutate';
  review: () => AdmissionReviewBody;
  /** Builds the reviewer's inputs, with the injected fault when `faulty` is true. */
  setup: (faulty: boolean) => Promise<Setup>;
  /** The expected response with the fault: `denied` where the stage's failure is designed to deny instead of failing with 500. */
  outcome: 'errored' | 'denied';
}

const DNS_TARGETS: readonly DnsTarget[] = defaultConfig().dns.targets;

const CASES: FaultCase[] = [
  ...(['policiesIn', 'namespace', 'namespaceLabels', 'podsIn'] as const).map(
    (method): FaultCase => ({
      name: `StateStore.${method} throws on a Pod CREATE`,
      endpoint: 'validate',
      review: markedPod,
      setup: async (faulty) => ({ state: await faultyState(faulty ? method : undefined) }),
      outcome: 'errored',
    }),
  ),
  ...(['policiesIn', 'workloadsIn', 'namespace'] as const).map(
    (method): FaultCase => ({
      name: `StateStore.${method} throws on a NetworkPolicy CREATE`,
      endpoint: 'validate',
      review: markedPolicy,
      setup: async (faulty) => ({ state: await faultyState(faulty ? method : undefined) }),
      outcome: 'errored',
    }),
  ),
  {
    name: 'StateStore.policy throws while a baseline is pending',
    endpoint: 'validate',
    review: podInPendingBaseline,
    setup: async (faulty) => ({
      state: await faultyState(faulty ? 'policy' : undefined, withFreshNamespace),
      options: { baseline: { ensure: async () => true } },
    }),
    outcome: 'errored',
  },
  {
    name: 'dnsTargets callback throws',
    endpoint: 'validate',
    review: markedPod,
    setup: async (faulty) => ({
      state: await faultyState(undefined),
      options: {
        dnsTargets: () => {
          if (faulty) throw injectedFault('dnsTargets');
          return DNS_TARGETS;
        },
      },
    }),
    outcome: 'errored',
  },
  {
    name: 'dnsTargets callback returns a target without ports',
    endpoint: 'validate',
    review: markedPod,
    setup: async (faulty) => ({
      state: await faultyState(undefined),
      options: { dnsTargets: () => (faulty ? [{ name: 'broken', namespace: 'kube-system', podLabels: {}, ports: null } as unknown as DnsTarget] : DNS_TARGETS) },
    }),
    outcome: 'errored',
  },
  {
    name: 'health check throws',
    endpoint: 'validate',
    review: markedPod,
    setup: async (faulty) => ({
      state: await faultyState(undefined),
      options: {
        health: (): StateHealth => {
          if (faulty) throw injectedFault('health');
          return { ready: true };
        },
      },
    }),
    outcome: 'errored',
  },
  {
    name: 'RBAC approver rejects',
    endpoint: 'validate',
    review: exemptionGrant,
    setup: async (faulty) => {
      const config = defaultConfig();
      config.approvers.rbac = true;
      return {
        state: await faultyState(undefined),
        config,
        options: { rbacApprover: async () => (faulty ? Promise.reject(injectedFault('rbacApprover')) : true) },
      };
    },
    outcome: 'errored',
  },
  {
    name: 'baseline coordinator rejects',
    endpoint: 'validate',
    review: podInPendingBaseline,
    setup: async (faulty) => {
      const baseline: BaselineCoordinator = { ensure: async () => (faulty ? Promise.reject(injectedFault('baseline.ensure')) : true) };
      return { state: await faultyState(undefined, withFreshNamespace), options: { baseline } };
    },
    outcome: 'errored',
  },
  {
    name: 'baseline coordinator times out',
    endpoint: 'validate',
    review: podInPendingBaseline,
    setup: async (faulty) => ({ state: await faultyState(undefined, withFreshNamespace), options: { baseline: { ensure: async () => !faulty } } }),
    outcome: 'denied',
  },
  {
    name: 'configuration read throws in a rule',
    endpoint: 'validate',
    review: markedPod,
    setup: async (faulty) => {
      const config = defaultConfig();
      if (faulty) {
        Object.defineProperty(config.rules, 'dns-egress', {
          get: () => {
            throw injectedFault("config.rules['dns-egress']");
          },
        });
      }
      return { state: await faultyState(undefined), config };
    },
    outcome: 'errored',
  },
  {
    name: 'configuration read throws in the mutating webhook',
    endpoint: 'mutate',
    review: markedNamespaceCreate,
    setup: async (faulty) => {
      const config = defaultConfig();
      if (faulty) {
        Object.defineProperty(config, 'baseline', {
          get: () => {
            throw injectedFault('config.baseline');
          },
        });
      }
      return { state: await faultyState(undefined), config };
    },
    outcome: 'errored',
  },
  {
    name: 'state returns an egress policy whose selector throws',
    endpoint: 'validate',
    review: markedPod,
    setup: async (faulty) => {
      const state = await faultyState(undefined);
      if (faulty) {
        const policies = state.policiesIn('shop');
        const broken = {
          ...policies.find((policy) => policy.policyTypes.has('Egress'))!,
          name: 'broken',
          selects: () => {
            throw injectedFault('CompiledPolicy.selects');
          },
        };
        Object.defineProperty(state, 'policiesIn', {
          value: (namespace: string) => (namespace === 'shop' ? [...policies, broken] : []),
        });
      }
      return { state };
    },
    outcome: 'errored',
  },
];

function memoryLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
      callback();
    },
  });
  return { logger: pino({ level: 'debug' }, destination), lines };
}

async function post(setup: Setup, endpoint: 'validate' | 'mutate', review: AdmissionReviewBody, logger: Logger) {
  const reviewer = createTestReviewer(setup.state, { ...setup.options, logger, ...(setup.config ? { config: setup.config } : {}) });
  const app = buildApp({ reviewer, logger, readiness: () => ({ ready: true }) });
  try {
    return await app.inject({ method: 'POST', url: `/${endpoint}?timeout=10s`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(review) });
  } finally {
    await app.close();
  }
}

for (const entry of CASES) {
  t.test(`fault never allows: ${entry.name}`, async (t) => {
    const healthy = entry.review();
    const healthyReply = await post(await entry.setup(false), entry.endpoint, healthy, memoryLogger().logger);
    t.equal(healthyReply.statusCode, 200, 'without the fault: status');
    t.equal(responseOf(healthyReply.json()).allowed, true, 'without the fault: the request is allowed');

    const review = entry.review();
    const { logger, lines } = memoryLogger();
    const reply = await post(await entry.setup(true), entry.endpoint, review, logger);
    if (entry.outcome === 'errored') {
      t.equal(reply.statusCode, 500, 'with the fault: status');
      t.strictSame(reply.json(), {
        code: 500,
        message: `internal error while reviewing request ${review.request.uid}; see the webhook log`,
      });
      const errorLines = lines.map((line) => JSON.parse(line) as { level: number; msg: string; uid?: string; err?: { message: string } });
      const logged = errorLines.find((line) => line.msg === 'review failed with an internal error');
      t.equal(logged?.level, 50, 'the fault is logged at error level');
      t.equal(logged?.uid, review.request.uid, 'the error line names the request uid');
      t.type(logged?.err?.message, 'string', 'the error line carries the error');
    } else {
      t.equal(reply.statusCode, 200, 'with the fault: status');
      const response = responseOf(reply.json());
      t.equal(response.allowed, false, 'with the fault: denied');
      t.equal(response.status?.code, 403, 'with the fault: code');
    }
    t.notMatch(reply.body, /"allowed":true/, 'the answer never allows');
    t.equal(lines.filter((line) => line.includes(BODY_MARKER)).length, 0, 'no log line carries the object');
  });
}

t.test('onReview callback that throws fails the review closed', async (t) => {
  const state = await loadExampleState();
  const onReview = (): void => {
    throw injectedFault('onReview');
  };
  const reviewer = createTestReviewer(state, { onReview });
  const review = markedPod();
  const answer = await reviewer.review(review, 'validate').then(
    (value) => ({ resolved: value }),
    (error: unknown) => ({ rejected: error }),
  );
  t.strictSame(
    answer,
    { resolved: { statusCode: 500, body: { code: 500, message: `internal error while reviewing request ${review.request.uid}; see the webhook log` } } },
    'Reviewer.review resolves with a 500 instead of rejecting',
  );

  const { logger } = memoryLogger();
  const app = buildApp({ reviewer: createTestReviewer(state, { onReview, logger }), logger, readiness: () => ({ ready: true }) });
  t.teardown(() => app.close());
  const overHttp = markedPod();
  const reply = await app.inject({ method: 'POST', url: '/validate', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(overHttp) });
  t.equal(reply.statusCode, 500, 'over HTTP the failure is a 500, never an allow');
  t.strictSame(reply.json(), { code: 500, message: `internal error while reviewing request ${overHttp.request.uid}; see the webhook log` });
});
