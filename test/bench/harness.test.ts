// Runs the benchmark with tiny states and short loads so it cannot rot: one
// scenario of each kind (compared, mutating, fixed-rate) and every state.
// It checks what ran and what the servers returned, never how fast.
import t from 'tap';
import { runBench } from '../../bench/harness.js';
import { formatReport } from '../../bench/report.js';

// autocannon runs for at least a second, so each scenario adds one or two.
const SMOKE_SCENARIOS = ['validate-pod', 'mutate-namespace', 'fixed-rate-pod', 'validate-pod-100', 'validate-deployment-50k'];

t.test('runBench runs every scenario', async (t) => {
  const report = await runBench({
    seconds: 0.3,
    warmupSeconds: 0,
    rounds: 1,
    connections: 2,
    engineSeconds: 0.05,
    sizes: {
      small: { namespaces: 2, policiesPerNamespace: 5, podsPerNamespace: 2 },
      large: { namespaces: 3, policiesPerNamespace: 5, podsPerNamespace: 2 },
    },
    only: SMOKE_SCENARIOS,
  });

  t.same(
    report.loads.map((load) => load.scenario.id),
    SMOKE_SCENARIOS,
  );
  t.same(
    report.loads.map((load) => load.decision),
    ['allowed', 'patched', 'allowed', 'allowed', 'allowed'],
  );
  for (const load of report.loads) {
    t.ok(load.webhook.requests > 0, `${load.scenario.id} got responses`);
    t.equal(load.webhook.non2xx, 0, `${load.scenario.id} non-2xx responses`);
    t.equal(load.baseline === undefined, !load.scenario.compareToBaseline, `${load.scenario.id} has a baseline when compared`);
  }

  t.same(
    report.states.map((state) => [state.id, state.counts.namespaces, state.counts.networkPolicies, state.counts.pods]),
    [
      ['examples', 5, 20, 17],
      ['policies-100', 3, 10, 6],
      ['policies-50k', 4, 15, 8],
    ],
  );
  for (const state of report.states) {
    const httpRequests = report.loads.filter((load) => load.scenario.state === state.id).reduce((sum, load) => sum + load.webhook.requests, 0);
    t.ok(state.reviewsCounted >= httpRequests, `${state.id} /metrics counted ${state.reviewsCounted} reviews for ${httpRequests} responses`);
    t.ok(state.afterLoad.rss > 0, `${state.id} reported its memory`);
  }

  t.same(
    report.engine.map((entry) => [entry.state, entry.payload, entry.decision]),
    [
      ['examples', 'pod', 'allowed'],
      ['examples', 'namespace', 'patched'],
      ['policies-100', 'pod', 'allowed'],
      ['policies-50k', 'deployment', 'allowed'],
    ],
  );

  const markdown = formatReport(report, 'npm run bench -- --quick');
  t.match(markdown, /with `npm run bench -- --quick`/);
  t.match(markdown, /\| validate-deployment-50k \| policies-50k \|/);
  t.match(markdown, /\| RSS with the large state ≤ 384 MiB \|/);
});

t.test('runBench rejects unknown scenario ids', async (t) => {
  await t.rejects(
    runBench({
      seconds: 0.1,
      warmupSeconds: 0,
      rounds: 1,
      connections: 1,
      engineSeconds: 0.01,
      sizes: { small: { namespaces: 1, policiesPerNamespace: 2, podsPerNamespace: 1 }, large: { namespaces: 1, policiesPerNamespace: 2, podsPerNamespace: 1 } },
      only: ['validate-pods'],
    }),
    { message: /^unknown scenario validate-pods; use one of validate-pod, / },
  );
});
