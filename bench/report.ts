/** Writes a benchmark report as markdown tables for docs/benchmarks.md. */
import type { BenchReport, LoadResult } from './harness.js';
import type { LoadMeasurement } from './load.js';
import type { MemorySample } from './protocol.js';
import { evaluateTargets, type TargetResult } from './targets.js';

/** The report replaces what lies between these lines in docs/benchmarks.md and keeps the rest. */
export const RESULTS_START = '<!-- bench:results:start -->';
export const RESULTS_END = '<!-- bench:results:end -->';

const MIB = 2 ** 20;

function integer(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function ms(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : 'n/a';
}

function mib(bytes: number): string {
  return (bytes / MIB).toFixed(1);
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function table(header: string[], rows: string[][]): string {
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

function errors(measurement: LoadMeasurement): string {
  const total = measurement.errors + measurement.non2xx;
  if (total === 0) return '0';
  const parts = [];
  if (measurement.timeouts > 0) parts.push(`${measurement.timeouts} timeouts`);
  if (measurement.errors - measurement.timeouts > 0) parts.push(`${measurement.errors - measurement.timeouts} connection errors`);
  if (measurement.non2xx > 0) parts.push(`${measurement.non2xx} non-2xx`);
  return `${total} (${parts.join(', ')})`;
}

function loadRow(load: LoadResult): string[] {
  const { webhook, baseline } = load;
  return [
    load.scenario.id,
    load.scenario.state,
    kib(load.payload.bytes),
    load.decision,
    integer(webhook.requestsPerSecond),
    baseline ? integer(baseline.requestsPerSecond) : '',
    load.ratio === undefined ? '' : `${(load.ratio * 100).toFixed(1)}%`,
    ms(webhook.latency.p50),
    ms(webhook.latency.p99),
    ms(webhook.latency.p999),
    baseline ? ms(baseline.latency.p99) : '',
    errors(webhook) + (baseline && errors(baseline) !== '0' ? `; baseline ${errors(baseline)}` : ''),
  ];
}

function outcome(result: TargetResult): string {
  if (result.met === undefined) return 'not run';
  return result.met ? 'met' : `missed: ${result.shortfall}`;
}

function memoryCells(sample: MemorySample): string[] {
  return [mib(sample.rss), mib(sample.heapUsed)];
}

/** Says whether the load average shows other processes competing for the CPU during the run. */
function loadNote(machine: BenchReport['machine']): string {
  const highest = Math.max(machine.loadAverageStart, machine.loadAverageEnd ?? 0);
  return highest > machine.cores
    ? `(above ${machine.cores}, so other processes competed for the CPU).`
    : `(at most ${machine.cores}, so little else competed for the CPU).`;
}

/** Formats the report: machine and command, then load, memory, engine and target tables. */
export function formatReport(report: BenchReport, command: string): string {
  const { machine, options } = report;
  const lines: string[] = [];
  lines.push(`Run on ${machine.date.slice(0, 10)} (${machine.date}) with \`${command}\`.`);
  lines.push('');
  lines.push(
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.kernel}; Node ${machine.node}. ` +
      `One-minute load average ${machine.loadAverageStart.toFixed(2)} at the start and ${machine.loadAverageEnd?.toFixed(2) ?? 'n/a'} at the end ` +
      loadNote(machine),
  );
  lines.push(
    `Settings: ${options.connections} keep-alive connections, ${options.warmupSeconds} s warm-up and ${options.seconds} s measured per scenario ` +
      `(in ${options.rounds} turns alternating with the baseline where there is a ratio), ` +
      `${options.engineSeconds} s per engine measurement. Latencies are in milliseconds, from every response of the measured run.`,
  );
  lines.push('');

  lines.push('### HTTPS load');
  lines.push('');
  lines.push(
    table(
      ['Scenario', 'State', 'Body', 'Decision', 'req/s', 'Baseline req/s', 'Ratio', 'p50', 'p99', 'p99.9', 'Baseline p99', 'Errors'],
      report.loads.map(loadRow),
    ),
  );
  lines.push('');

  lines.push('### Memory of the server process');
  lines.push('');
  const memoryRows = report.states.map((state) => [
    state.id,
    integer(state.counts.namespaces),
    integer(state.counts.networkPolicies),
    integer(state.counts.pods),
    (state.loadMs / 1000).toFixed(2),
    ...memoryCells(state.afterLoad),
    ...memoryCells(state.afterTraffic),
    integer(state.reviewsCounted),
  ]);
  if (report.baselineMemory) {
    memoryRows.unshift(['baseline server', '', '', '', '', ...memoryCells(report.baselineMemory.afterStart), ...memoryCells(report.baselineMemory.afterTraffic), '']);
  }
  lines.push(
    table(
      ['State', 'Namespaces', 'NetworkPolicies', 'Pods', 'Load s', 'RSS MiB after load', 'Heap MiB after load', 'RSS MiB after traffic', 'Heap MiB after traffic', 'Reviews in /metrics'],
      memoryRows,
    ),
  );
  lines.push('');

  lines.push('### Engine alone (Reviewer.review in a loop, no HTTP)');
  lines.push('');
  lines.push(
    table(
      ['State', 'Payload', 'Decision', 'reviews/s', 'µs per review'],
      report.engine.map((entry) => [entry.state, entry.payload, entry.decision, integer(entry.reviewsPerSecond), entry.microsecondsPerReview.toFixed(1)]),
    ),
  );
  lines.push('');

  lines.push('### Targets');
  lines.push('');
  lines.push(
    table(
      ['Target', 'Measured', 'Result'],
      evaluateTargets(report).map((result) => [result.target, result.measured, outcome(result)]),
    ),
  );
  return lines.join('\n');
}

/** Puts `results` between the markers of an existing page, or appends them with the markers when the page has none. */
export function replaceResults(page: string, results: string): string {
  const block = `${RESULTS_START}\n${results}\n${RESULTS_END}`;
  const start = page.indexOf(RESULTS_START);
  const end = page.indexOf(RESULTS_END);
  if (start === -1 || end === -1 || end < start) return `${page.trimEnd()}\n\n${block}\n`;
  return page.slice(0, start) + block + page.slice(end + RESULTS_END.length);
}
