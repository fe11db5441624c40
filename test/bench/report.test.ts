import t from 'tap';
import type { BenchReport, LoadResult } from '../../bench/harness.js';
import { combineLoads, percentile, summarizeLatencies } from '../../bench/load.js';
import { packageOf, summarizeProfile, type CpuProfile } from '../../bench/profile-summary.js';
import { replaceResults, RESULTS_END, RESULTS_START } from '../../bench/report.js';
import { SCENARIOS } from '../../bench/scenarios.js';
import { evaluateTargets } from '../../bench/targets.js';

const MIB = 2 ** 20;

function load(id: string, requestsPerSecond: number, p99: number, ratio?: number): LoadResult {
  const scenario = SCENARIOS.find((candidate) => candidate.id === id)!;
  const measurement = {
    requests: 100,
    seconds: 1,
    requestsPerSecond,
    latency: { p50: 1, p99, p999: p99, max: p99, mean: 1 },
    errors: 0,
    timeouts: 0,
    non2xx: 0,
  };
  return {
    scenario,
    stateLabel: scenario.state,
    payload: { id: scenario.payload, endpoint: scenario.payload === 'namespace' ? 'mutate' : 'validate', path: '/validate', bytes: 4096, description: '' },
    decision: 'allowed',
    webhook: measurement,
    ...(ratio === undefined ? {} : { baseline: { ...measurement, requestsPerSecond: requestsPerSecond / ratio }, ratio }),
  };
}

function report(loads: LoadResult[], largeRssMiB: number): BenchReport {
  const memory = { rss: largeRssMiB * MIB, heapUsed: MIB, heapTotal: MIB, external: 0 };
  return {
    machine: { date: '2025-01-01T00:00:00.000Z', node: 'v20.0.0', cpuModel: 'test CPU', cores: 2, memoryGiB: 4, kernel: 'Linux', loadAverageStart: 0 },
    options: { seconds: 1, warmupSeconds: 0, rounds: 1, connections: 1, engineSeconds: 1, sizes: { small: { namespaces: 1, policiesPerNamespace: 2, podsPerNamespace: 1 }, large: { namespaces: 1, policiesPerNamespace: 2, podsPerNamespace: 1 } } },
    loads,
    states: [
      {
        id: 'policies-50k',
        label: '',
        counts: { namespaces: 1, networkPolicies: 1, invalidNetworkPolicies: 0, workloads: 0, pods: 1 },
        loadMs: 1,
        afterLoad: memory,
        afterTraffic: { ...memory, rss: (largeRssMiB - 10) * MIB },
        reviewsCounted: 1,
      },
    ],
    engine: [],
  };
}

t.test('evaluateTargets reports met and missed targets', async (t) => {
  const results = evaluateTargets(
    report(
      [
        load('validate-pod', 800, 2, 0.8),
        load('trivial-configmap', 900, 2, 0.9),
        load('fixed-rate-pod', 1000, 6.5),
        load('validate-pod-100', 800, 2, 0.8),
        load('validate-pod-50k', 800, 2.2, 0.8),
      ],
      400,
    ),
  );

  t.same(results, [
    { target: "/validate Pod, examples: ≥ 75.0% of the baseline's req/s", measured: '80.0%', met: true },
    { target: "/validate Pod, policies-100: ≥ 75.0% of the baseline's req/s", measured: '80.0%', met: true },
    { target: "/validate Pod, policies-50k: ≥ 75.0% of the baseline's req/s", measured: '80.0%', met: true },
    { target: "Trivial allow (ConfigMap): ≥ 95.0% of the baseline's req/s", measured: '90.0%', met: false, shortfall: '5.0 percentage points short' },
    { target: 'p99 at 1000 req/s ≤ 5 ms', measured: '6.50 ms', met: false, shortfall: '1.50 ms over' },
    { target: '/validate Pod: p99 with the large state ≤ 1.2× p99 with the small state', measured: '1.10× (2.20 ms vs 2.00 ms)', met: true },
    { target: '/validate Deployment: p99 with the large state ≤ 1.2× p99 with the small state', measured: 'not run' },
    { target: 'RSS with the large state ≤ 384 MiB', measured: '400.0 MiB (the higher of after load and after traffic)', met: false, shortfall: '16.0 MiB over' },
  ]);
});

t.test('replaceResults keeps the text around the markers', async (t) => {
  const page = `# Benchmarks\n\nintro\n\n${RESULTS_START}\nold\n${RESULTS_END}\n\n## Analysis\n`;

  t.equal(replaceResults(page, 'new'), `# Benchmarks\n\nintro\n\n${RESULTS_START}\nnew\n${RESULTS_END}\n\n## Analysis\n`);
});

t.test('replaceResults appends to a page without markers', async (t) => {
  t.equal(replaceResults('# Benchmarks\n\n', 'new'), `# Benchmarks\n\n${RESULTS_START}\nnew\n${RESULTS_END}\n`);
});

t.test('percentile uses the nearest rank', async (t) => {
  const sorted = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

  t.equal(percentile(sorted, 0.5), 5);
  t.equal(percentile(sorted, 0.99), 10);
  t.equal(percentile(sorted, 0.1), 1);
  t.equal(percentile(sorted, 0), 1);
  t.ok(Number.isNaN(percentile(new Float64Array(0), 0.5)));
});

t.test('summarizeLatencies sorts the samples', async (t) => {
  t.same(summarizeLatencies([4, 1, 3, 2]), { p50: 2, p99: 4, p999: 4, max: 4, mean: 2.5 });
});

t.test('combineLoads pools rounds', async (t) => {
  const combined = combineLoads([
    { seconds: 1, latencies: [1, 2], errors: 1, timeouts: 1, non2xx: 0 },
    { seconds: 3, latencies: [3, 4, 5, 6], errors: 0, timeouts: 0, non2xx: 2 },
  ]);

  t.equal(combined.requests, 6);
  t.equal(combined.seconds, 4);
  t.equal(combined.requestsPerSecond, 1.5);
  t.equal(combined.latency.p50, 3);
  t.equal(combined.errors, 1);
  t.equal(combined.timeouts, 1);
  t.equal(combined.non2xx, 2);
});

t.test('packageOf names the owner of a frame', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['file:///app/node_modules/pino/lib/tools.js', 'asJson', 'pino'],
    ['file:///app/node_modules/@fastify/ajv-compiler/index.js', 'compile', '@fastify/ajv-compiler'],
    ['node:internal/streams/writable', 'write', 'node internals'],
    ['file:///app/dist/src/engine/evaluate.js', 'evaluateDirection', 'netpol-guard src/engine'],
    ['', '(garbage collector)', '(garbage collector)'],
    ['', 'writev', '(native)'],
  ];
  for (const [url, functionName, expected] of cases) t.equal(packageOf(url, functionName), expected, `${functionName} in ${url || 'no file'}`);
});

t.test('summarizeProfile sums self time', async (t) => {
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 } },
      { id: 2, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
      { id: 3, callFrame: { functionName: 'review', url: 'file:///app/dist/src/admission/reviewer.js', lineNumber: 22 } },
      { id: 4, callFrame: { functionName: 'asJson', url: 'file:///app/node_modules/pino/lib/tools.js', lineNumber: 122 } },
    ],
    samples: [3, 4, 3, 2],
    timeDeltas: [1000, 2000, 3000, 4000],
  };
  const summary = summarizeProfile(profile);

  t.equal(summary.busyMs, 6);
  t.equal(summary.idleMs, 4);
  t.same(summary.functions, [
    { name: 'review dist/src/admission/reviewer.js:23', selfMs: 4, share: 4 / 6 },
    { name: 'asJson pino/lib/tools.js:123', selfMs: 2, share: 2 / 6 },
  ]);
  t.same(summary.packages, [
    { name: 'netpol-guard src/admission', selfMs: 4, share: 4 / 6 },
    { name: 'pino', selfMs: 2, share: 2 / 6 },
  ]);
});
