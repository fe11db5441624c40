/**
 * Shared set-up for the cluster tests: the Kubernetes API test server, a
 * configuration with short timings, a log captured in memory, and waits that
 * listen to the state's events instead of polling.
 */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { defaultConfig } from '../../src/config/defaults.js';
import type { Config } from '../../src/config/types.js';
import { startClusterState, type ClusterState, type ClusterStateOptions } from '../../src/cluster/runtime.js';
import { DEFAULT_NAMESPACES, startKubeApiServer, type KubeApiServer, type KubeApiServerOptions, type KubeObject } from '../helpers/kube-api-server.js';

export const WEBHOOK_NAMESPACE = 'netpol-guard';

/** Millisecond-scale retry and lease timing, so faults recover quickly in tests. */
export const FAST_TIMING = {
  backoff: { initialMs: 5, maxMs: 40 },
  lease: { leaseDurationMs: 1000, renewDeadlineMs: 400, retryPeriodMs: 25 },
} as const;

/** Upper bound for any wait; reaching it fails the test with the wait's description. */
const WAIT_LIMIT_MS = 15_000;

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** Creates a pino logger that keeps its JSON lines in `lines`. */
export function memoryLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const text of chunk.toString('utf8').split('\n')) {
        if (text.trim() !== '') lines.push(JSON.parse(text) as LogLine);
      }
      callback();
    },
  });
  return { logger: pino({ level: 'debug' }, destination), lines };
}

export function testConfig(change?: (config: Config) => void): Config {
  const config = defaultConfig();
  config.webhookNamespace = WEBHOOK_NAMESPACE;
  config.state.maxAgeSeconds = 300;
  config.baseline.podWaitMs = 5000;
  change?.(config);
  return config;
}

export function namespace(name: string, labels: Record<string, string> = {}, annotations: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels, annotations },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

export function pod(
  namespaceName: string,
  name: string,
  labels: Record<string, string>,
  ports: Array<{ name?: string; containerPort: number; protocol?: string }> = [],
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: namespaceName, name, labels },
    spec: { containers: [{ name: 'main', image: 'registry.example/app:1', ports }] },
    status: { phase: 'Running', podIP: '10.0.0.10' },
  };
}

export function networkPolicy(namespaceName: string, name: string, spec: Record<string, unknown>, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace: namespaceName, name, labels }, spec };
}

/** CoreDNS as kubeadm deploys it: Service kube-system/kube-dns selecting `k8s-app: kube-dns` on 53. */
export function kubeDnsObjects(options: { selector?: Record<string, string>; targetPort?: number | string; podPort?: number } = {}): KubeObject[] {
  const selector = options.selector ?? { 'k8s-app': 'kube-dns' };
  const podPort = options.podPort ?? 53;
  const targetPort = options.targetPort ?? podPort;
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { namespace: 'kube-system', name: 'kube-dns', labels: { 'k8s-app': 'kube-dns' } },
      spec: {
        selector,
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: typeof targetPort === 'string' ? `${targetPort}-tcp` : targetPort },
        ],
      },
    },
    pod('kube-system', 'coredns-1', selector, [
      { name: 'dns', containerPort: podPort, protocol: 'UDP' },
      { name: 'dns-tcp', containerPort: podPort, protocol: 'TCP' },
    ]),
  ];
}

export interface Harness {
  server: KubeApiServer;
  config: Config;
  lines: LogLine[];
  logger: Logger;
  /** Starts one replica against the server; every replica started is stopped at teardown. */
  start(options?: Partial<ClusterStateOptions>): Promise<ClusterState>;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function startHarness(
  t: Teardown,
  options: { server?: KubeApiServerOptions; config?: (config: Config) => void } = {},
): Promise<Harness> {
  const server = await startKubeApiServer({ namespaces: [...DEFAULT_NAMESPACES, WEBHOOK_NAMESPACE], ...options.server });
  const config = testConfig(options.config);
  const { logger, lines } = memoryLogger();
  const states: ClusterState[] = [];
  t.teardown(async () => {
    await Promise.all(states.map((state) => state.stop()));
    await server.close();
  });
  return {
    server,
    config,
    lines,
    logger,
    async start(extra = {}) {
      const state = await startClusterState({
        kubeconfig: server.kubeconfigPath,
        config,
        logger,
        backoff: FAST_TIMING.backoff,
        lease: FAST_TIMING.lease,
        ...extra,
      });
      states.push(state);
      return state;
    },
  };
}

/**
 * Resolves once `condition` holds, checking it after every state change and
 * reflector status change; rejects with `description` after WAIT_LIMIT_MS.
 */
export function waitFor(state: ClusterState, description: string, condition: () => boolean): Promise<void> {
  if (condition()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (!condition()) return;
      cleanup();
      resolve();
    };
    const unsubscribe = state.subscribe(check);
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out waiting for ${description}`));
    }, WAIT_LIMIT_MS);
    const cleanup = (): void => {
      unsubscribe();
      clearTimeout(timer);
    };
  });
}

export function waitForReady(state: ClusterState): Promise<void> {
  return waitFor(state, 'the cluster state to be ready', () => state.health().ready);
}

/** Waits until every reflector has an open watch, so a fault injected next hits live streams. */
export function waitForWatches(state: ClusterState): Promise<void> {
  return waitFor(state, 'every watch to be open', () => state.statuses().every((status) => status.watching));
}
