/**
 * Runs the benchmark: a baseline server and one webhook server per state,
 * each in its own process, loaded in turn from this process with autocannon.
 */
import { get as httpGet } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { decisionOf } from './decision.js';
import { benchPayloads, type BenchPayload, type PayloadId } from './fixtures/reviews.js';
import { combineLoads, runLoad, type LoadMeasurement, type LoadOptions, type RawLoad } from './load.js';
import { describeMachine, type MachineInfo } from './machine.js';
import type { MemorySample } from './protocol.js';
import { benchStates, DEFAULT_STATE_SIZES, SCENARIOS, type ScenarioDefinition, type StateDefinition, type StateId, type StateSizes } from './scenarios.js';
import { ServerChild } from './server-child.js';
import { createBenchTls, type BenchTls } from './tls.js';
import type { StoreCounts } from '../src/state/store.js';

export interface BenchOptions {
  /** Measured seconds of each load run. */
  seconds: number;
  /** Seconds of load sent and discarded before each measured run, so the JIT and the connections are warm. */
  warmupSeconds: number;
  /**
   * Turns in which a compared scenario alternates with its baseline, each
   * taking `seconds / rounds`: on a shared machine, both then see about the
   * same competing load, which keeps their ratio steadier than two long runs.
   */
  rounds: number;
  connections: number;
  /** Seconds of Reviewer.review calls per payload and state; 0 skips them, as a profile of HTTP traffic alone needs. */
  engineSeconds: number;
  sizes: StateSizes;
  /** Scenario ids to run; the states they need are loaded, the others are skipped. All when unset. */
  only?: readonly string[];
  /** Log file of the servers; a temporary file, removed afterwards, when unset. */
  logFile?: string;
  /** Folder for V8 CPU profiles of the server processes. */
  profileDir?: string;
  progress?: (line: string) => void;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  seconds: 8,
  warmupSeconds: 2,
  rounds: 4,
  connections: 10,
  engineSeconds: 2,
  sizes: DEFAULT_STATE_SIZES,
};

export interface LoadResult {
  scenario: ScenarioDefinition;
  stateLabel: string;
  payload: Omit<BenchPayload, 'body'>;
  /** Decision returned for one request sent before the run, showing which path was measured. */
  decision: string;
  webhook: LoadMeasurement;
  /** The baseline server on the same payload, measured in turns with the webhook. */
  baseline?: LoadMeasurement;
  /** Webhook requests per second divided by the baseline's. */
  ratio?: number;
}

export interface StateResult {
  id: StateId;
  label: string;
  counts: StoreCounts;
  loadMs: number;
  afterLoad: MemorySample;
  afterTraffic: MemorySample;
  /** Sum of netpol_guard_reviews_total scraped from /metrics after the runs, showing metrics were recorded. */
  reviewsCounted: number;
}

export interface EngineResult {
  state: StateId;
  payload: PayloadId;
  reviewsPerSecond: number;
  microsecondsPerReview: number;
  decision: string;
}

export interface BenchReport {
  machine: MachineInfo;
  options: Omit<BenchOptions, 'progress' | 'logFile'>;
  loads: LoadResult[];
  states: StateResult[];
  engine: EngineResult[];
  baselineMemory?: { afterStart: MemorySample; afterTraffic: MemorySample };
}

function sendOnce(port: number, payload: BenchPayload, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      { host: '127.0.0.1', port, method: 'POST', path: payload.path, ca, headers: { 'content-type': 'application/json' } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          resolve(decisionOf(response.statusCode ?? 0, body));
        });
      },
    );
    request.on('error', reject);
    request.end(payload.body);
  });
}

function scrapeReviewCount(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    httpGet({ host: '127.0.0.1', port, path: '/metrics' }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        let total = 0;
        for (const line of text.split('\n')) {
          if (line.startsWith('netpol_guard_reviews_total{')) total += Number(line.slice(line.lastIndexOf(' ') + 1));
        }
        resolve(total);
      });
    }).on('error', reject);
  });
}

function withoutBody(payload: BenchPayload): Omit<BenchPayload, 'body'> {
  const { body: _body, ...rest } = payload;
  return rest;
}

class Run {
  readonly report: BenchReport;
  private readonly children: ServerChild[] = [];

  constructor(
    private readonly options: BenchOptions,
    private readonly tls: BenchTls,
    private readonly logFile: string,
  ) {
    const { progress: _progress, logFile: _logFile, ...recorded } = options;
    this.report = { machine: describeMachine(), options: recorded, loads: [], states: [], engine: [] };
  }

  private log(line: string): void {
    this.options.progress?.(line);
  }

  private spawn(name: string): ServerChild {
    const child = new ServerChild({
      logFile: this.logFile,
      ...(this.options.profileDir ? { profileDir: this.options.profileDir, profileName: name } : {}),
    });
    this.children.push(child);
    return child;
  }

  private loadOptions(port: number, payload: BenchPayload, seconds: number, overallRate?: number): LoadOptions {
    return { port, payload, seconds, connections: this.options.connections, ca: this.tls.caPem, ...(overallRate === undefined ? {} : { overallRate }) };
  }

  private async load(port: number, payload: BenchPayload, overallRate?: number): Promise<LoadMeasurement> {
    if (this.options.warmupSeconds > 0) await runLoad(this.loadOptions(port, payload, this.options.warmupSeconds, overallRate));
    return combineLoads([await runLoad(this.loadOptions(port, payload, this.options.seconds, overallRate))]);
  }

  /** Measures the baseline and the webhook on one payload in alternating rounds. */
  private async comparedLoad(baselinePort: number, webhookPort: number, payload: BenchPayload): Promise<{ baseline: LoadMeasurement; webhook: LoadMeasurement }> {
    const warmup = this.options.warmupSeconds;
    if (warmup > 0) {
      await runLoad(this.loadOptions(baselinePort, payload, warmup));
      await runLoad(this.loadOptions(webhookPort, payload, warmup));
    }
    const rounds = Math.max(1, Math.round(this.options.rounds));
    const seconds = this.options.seconds / rounds;
    const baselineRuns: RawLoad[] = [];
    const webhookRuns: RawLoad[] = [];
    for (let round = 0; round < rounds; round++) {
      baselineRuns.push(await runLoad(this.loadOptions(baselinePort, payload, seconds)));
      webhookRuns.push(await runLoad(this.loadOptions(webhookPort, payload, seconds)));
    }
    return { baseline: combineLoads(baselineRuns), webhook: combineLoads(webhookRuns) };
  }

  async run(states: StateDefinition[], scenarios: ScenarioDefinition[]): Promise<void> {
    const tlsFiles = { certFile: this.tls.certFile, keyFile: this.tls.keyFile };
    const baseline = this.spawn('baseline');
    const baselineReady = await baseline.start({ type: 'start', server: 'baseline', tls: tlsFiles });

    for (const state of states) {
      const stateScenarios = scenarios.filter((scenario) => scenario.state === state.id);
      if (stateScenarios.length === 0) continue;
      this.log(`loading state ${state.id}: ${state.label}`);
      const server = this.spawn(state.id);
      const ready = await server.start({ type: 'start', server: 'webhook', state: state.source, tls: tlsFiles });
      const payloads = benchPayloads(state.target);

      const payloadIds = [...new Set(stateScenarios.map((scenario) => scenario.payload))];
      if (this.options.engineSeconds > 0) {
        this.log(`engine alone on ${state.id}: ${payloadIds.join(', ')}`);
        for (const measurement of await server.engine({ type: 'engine', target: state.target, payloads: payloadIds, seconds: this.options.engineSeconds })) {
          const reviewsPerSecond = measurement.reviews / measurement.seconds;
          this.report.engine.push({ state: state.id, payload: measurement.payload, reviewsPerSecond, microsecondsPerReview: 1e6 / reviewsPerSecond, decision: measurement.decision });
        }
      }

      for (const scenario of stateScenarios) {
        const payload = payloads[scenario.payload];
        const decision = await sendOnce(ready.port, payload, this.tls.caPem);
        this.log(`${scenario.id} on ${state.id}${scenario.compareToBaseline ? ', alternating with the baseline' : ''}`);
        const common = { scenario, stateLabel: state.label, payload: withoutBody(payload), decision };
        let result: LoadResult;
        if (scenario.compareToBaseline) {
          const { baseline: baselineLoad, webhook } = await this.comparedLoad(baselineReady.port, ready.port, payload);
          result = { ...common, webhook, baseline: baselineLoad, ratio: webhook.requestsPerSecond / baselineLoad.requestsPerSecond };
        } else {
          result = { ...common, webhook: await this.load(ready.port, payload, scenario.overallRate) };
        }
        this.report.loads.push(result);
      }

      const reviewsCounted = ready.metricsPort === undefined ? 0 : await scrapeReviewCount(ready.metricsPort);
      const afterTraffic = await server.stop();
      this.report.states.push({
        id: state.id,
        label: state.label,
        counts: ready.counts!,
        loadMs: ready.loadMs,
        afterLoad: ready.memory,
        afterTraffic,
        reviewsCounted,
      });
    }

    this.report.baselineMemory = { afterStart: baselineReady.memory, afterTraffic: await baseline.stop() };
  }

  killAll(): void {
    for (const child of this.children) child.kill();
  }
}

/** Runs the selected scenarios and returns every measurement. When a step fails, the server processes are killed before the error is thrown. */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const scenarios = SCENARIOS.filter((scenario) => !options.only || options.only.includes(scenario.id));
  if (options.only) {
    const unknown = options.only.filter((id) => !SCENARIOS.some((scenario) => scenario.id === id));
    if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}; use one of ${SCENARIOS.map((scenario) => scenario.id).join(', ')}`);
  }

  const temporary = mkdtempSync(join(os.tmpdir(), 'netpol-guard-bench-'));
  const tls = createBenchTls();
  const run = new Run(options, tls, options.logFile ?? join(temporary, 'server.log'));
  try {
    await run.run(benchStates(options.sizes), scenarios);
  } catch (error) {
    run.killAll();
    throw error;
  } finally {
    tls.remove();
    rmSync(temporary, { recursive: true, force: true });
  }
  run.report.machine.loadAverageEnd = os.loadavg()[0]!;
  return run.report;
}
