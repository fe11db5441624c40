/** The performance targets and how a report measures up to them. */
import type { BenchReport, LoadResult } from './harness.js';

export const TARGETS = {
  /** /validate requests per second as a share of the baseline's on the same payload. */
  validateRatio: 0.75,
  /** The trivial allow (a kind no rule reads) as a share of the baseline's. */
  trivialRatio: 0.95,
  /** p99 latency in milliseconds at the fixed rate. */
  fixedRateP99Ms: 5,
  /** p99 with the large state divided by p99 with the small state. */
  stateP99Growth: 1.2,
  /** Resident memory with the large state, in MiB. */
  largeStateRssMiB: 384,
} as const;

export interface TargetResult {
  target: string;
  measured: string;
  /** Undefined when the scenario was not run. */
  met?: boolean;
  /** How far a missed target is off, in the target's unit. */
  shortfall?: string;
}

const MIB = 2 ** 20;

function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

function find(report: BenchReport, id: string): LoadResult | undefined {
  return report.loads.find((load) => load.scenario.id === id);
}

function ratioTarget(load: LoadResult | undefined, label: string, minimum: number): TargetResult {
  const target = `${label}: ≥ ${percent(minimum)} of the baseline's req/s`;
  if (!load?.ratio) return { target, measured: 'not run' };
  const met = load.ratio >= minimum;
  return {
    target,
    measured: percent(load.ratio),
    met,
    ...(met ? {} : { shortfall: `${((minimum - load.ratio) * 100).toFixed(1)} percentage points short` }),
  };
}

function growthTarget(report: BenchReport, small: string, large: string, label: string): TargetResult {
  const target = `${label}: p99 with the large state ≤ ${TARGETS.stateP99Growth}× p99 with the small state`;
  const before = find(report, small);
  const after = find(report, large);
  if (!before || !after) return { target, measured: 'not run' };
  const growth = after.webhook.latency.p99 / before.webhook.latency.p99;
  const met = growth <= TARGETS.stateP99Growth;
  return {
    target,
    measured: `${growth.toFixed(2)}× (${after.webhook.latency.p99.toFixed(2)} ms vs ${before.webhook.latency.p99.toFixed(2)} ms)`,
    met,
    ...(met ? {} : { shortfall: `${(growth - TARGETS.stateP99Growth).toFixed(2)}× over` }),
  };
}

/** Compares a report with every target; targets whose scenarios did not run are listed as not run. */
export function evaluateTargets(report: BenchReport): TargetResult[] {
  const results: TargetResult[] = [];
  for (const load of report.loads) {
    if (load.payload.endpoint !== 'validate' || load.scenario.payload === 'configmap' || load.ratio === undefined) continue;
    results.push(ratioTarget(load, `${load.scenario.label}, ${load.scenario.state}`, TARGETS.validateRatio));
  }
  results.push(ratioTarget(find(report, 'trivial-configmap'), 'Trivial allow (ConfigMap)', TARGETS.trivialRatio));

  const fixedRate = find(report, 'fixed-rate-pod');
  const fixedTarget = `p99 at ${fixedRate?.scenario.overallRate ?? 1000} req/s ≤ ${TARGETS.fixedRateP99Ms} ms`;
  if (fixedRate) {
    const p99 = fixedRate.webhook.latency.p99;
    const met = p99 <= TARGETS.fixedRateP99Ms;
    results.push({ target: fixedTarget, measured: `${p99.toFixed(2)} ms`, met, ...(met ? {} : { shortfall: `${(p99 - TARGETS.fixedRateP99Ms).toFixed(2)} ms over` }) });
  } else {
    results.push({ target: fixedTarget, measured: 'not run' });
  }

  results.push(growthTarget(report, 'validate-pod-100', 'validate-pod-50k', '/validate Pod'));
  results.push(growthTarget(report, 'validate-deployment-100', 'validate-deployment-50k', '/validate Deployment'));

  const large = report.states.find((state) => state.id === 'policies-50k');
  const rssTarget = `RSS with the large state ≤ ${TARGETS.largeStateRssMiB} MiB`;
  if (large) {
    const rss = Math.max(large.afterLoad.rss, large.afterTraffic.rss) / MIB;
    const met = rss <= TARGETS.largeStateRssMiB;
    results.push({
      target: rssTarget,
      measured: `${rss.toFixed(1)} MiB (the higher of after load and after traffic)`,
      met,
      ...(met ? {} : { shortfall: `${(rss - TARGETS.largeStateRssMiB).toFixed(1)} MiB over` }),
    });
  } else {
    results.push({ target: rssTarget, measured: 'not run' });
  }
  return results;
}
