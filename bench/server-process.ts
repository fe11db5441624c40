/**
 * The server side of the benchmark, run in its own process so that its
 * resident memory is the server's alone and the load generator does not share
 * its event loop. Started by the driver with `--expose-gc` and an IPC channel;
 * stdout, where the webhook logs as in production, goes to a file.
 */
import type { FastifyInstance } from 'fastify';
import { readFile } from 'node:fs/promises';
import { Reviewer } from '../src/admission/reviewer.js';
import { defaultConfig } from '../src/config/defaults.js';
import { createLogger } from '../src/server/logger.js';
import { WebhookMetrics } from '../src/server/metrics.js';
import { startServer, type RunningServer } from '../src/server/start.js';
import { loadStateFromFiles } from '../src/state/load-files.js';
import { StateStore } from '../src/state/store.js';
import { MIN_TLS_VERSION } from '../src/tls/tls-source.js';
import { buildBaselineServer } from './baseline-server.js';
import { decisionOf } from './decision.js';
import { generateCluster } from './fixtures/generate-cluster.js';
import { benchPayloads } from './fixtures/reviews.js';
import type { DriverMessage, EngineMeasurement, MemorySample, ServerMessage, StateSource } from './protocol.js';

const logger = createLogger();
const config = defaultConfig();
config.server.host = '127.0.0.1';
config.server.port = 0;
config.server.metricsPort = 0;

let store: StateStore | undefined;
let webhook: RunningServer | undefined;
let baseline: FastifyInstance | undefined;

function send(message: ServerMessage): void {
  process.send!(message);
}

function sampleMemory(): MemorySample {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('global.gc is missing; start this process with --expose-gc');
  // A second pass frees what the first one's finalizers released.
  collect();
  collect();
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
  return { rss, heapUsed, heapTotal, external };
}

async function loadState(source: StateSource): Promise<StateStore> {
  if (source.kind === 'files') return (await loadStateFromFiles(source.paths)).store;
  const loaded = new StateStore();
  for (const object of generateCluster(source.spec)) loaded.apply(object);
  return loaded;
}

async function start(message: Extract<DriverMessage, { type: 'start' }>): Promise<void> {
  if (message.server === 'baseline') {
    const [cert, key] = await Promise.all([readFile(message.tls.certFile, 'utf8'), readFile(message.tls.keyFile, 'utf8')]);
    baseline = buildBaselineServer({ cert, key, minVersion: MIN_TLS_VERSION });
    await baseline.listen({ port: 0, host: '127.0.0.1' });
    const port = (baseline.server.address() as { port: number }).port;
    send({ type: 'ready', port, loadMs: 0, memory: sampleMemory() });
    return;
  }

  if (!message.state) throw new Error('a webhook server needs a state source');
  const loadStarted = performance.now();
  store = await loadState(message.state);
  const loadMs = performance.now() - loadStarted;
  const loaded = store;
  webhook = await startServer({
    config,
    logger,
    state: { store: loaded, health: () => ({ ready: true }) },
    tls: { certFile: message.tls.certFile, keyFile: message.tls.keyFile },
  });
  send({
    type: 'ready',
    port: webhook.port,
    ...(webhook.metricsPort === undefined ? {} : { metricsPort: webhook.metricsPort }),
    loadMs,
    counts: loaded.counts(),
    memory: sampleMemory(),
  });
}

/**
 * Calls Reviewer.review in a loop on parsed bodies, with the server's logger
 * and metrics, to show what the decision costs without HTTP, TLS and JSON.
 */
async function measureEngine(message: Extract<DriverMessage, { type: 'engine' }>): Promise<void> {
  if (!store || !webhook) throw new Error('the engine is measured on a webhook server with a loaded state');
  // Metrics of their own, so the server's /metrics counts only the HTTP reviews.
  const metrics = new WebhookMetrics();
  const reviewer = new Reviewer({ state: store, config, logger, health: () => ({ ready: true }), onReview: (summary) => metrics.observeReview(summary) });
  const payloads = benchPayloads(message.target);
  const results: EngineMeasurement[] = [];
  for (const id of message.payloads) {
    const payload = payloads[id];
    const body: unknown = JSON.parse(payload.body);
    let answer = await reviewer.review(body, payload.endpoint);
    const started = performance.now();
    const deadline = started + message.seconds * 1000;
    let reviews = 0;
    do {
      answer = await reviewer.review(body, payload.endpoint);
      reviews++;
    } while (performance.now() < deadline);
    results.push({ payload: id, reviews, seconds: (performance.now() - started) / 1000, decision: decisionOf(answer.statusCode, answer.body) });
  }
  send({ type: 'engine-result', results });
}

async function stop(): Promise<void> {
  const memory = sampleMemory();
  await webhook?.close();
  await baseline?.close();
  send({ type: 'stopped', memory });
  process.disconnect();
}

async function handle(message: DriverMessage): Promise<void> {
  switch (message.type) {
    case 'start':
      return start(message);
    case 'engine':
      return measureEngine(message);
    case 'stop':
      return stop();
  }
}

process.on('message', (message: DriverMessage) => {
  handle(message).catch((error: unknown) => {
    logger.error({ err: error }, 'benchmark server failed');
    send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  });
});
// The driver's exit closes the channel; without it this process would keep serving.
process.on('disconnect', () => {
  void Promise.allSettled([webhook?.close(), baseline?.close()]).then(() => process.exit(0));
});
