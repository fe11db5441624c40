/** Messages between the benchmark driver and the server process it forks. */
import type { StoreCounts } from '../src/state/store.js';
import type { ClusterSpec } from './fixtures/generate-cluster.js';
import type { PayloadId, ReviewTarget } from './fixtures/reviews.js';

/** Manifests read as `netpol-guard serve --state` reads them, or a generated cluster applied object by object as informers deliver it. */
export type StateSource = { kind: 'files'; paths: string[] } | { kind: 'generated'; spec: ClusterSpec };

export interface MemorySample {
  /** Bytes, from process.memoryUsage() after two full garbage collections. */
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

export type DriverMessage =
  | {
      type: 'start';
      server: 'baseline' | 'webhook';
      state?: StateSource;
      tls: { certFile: string; keyFile: string };
    }
  | { type: 'engine'; target: ReviewTarget; payloads: PayloadId[]; seconds: number }
  | { type: 'stop' };

export interface EngineMeasurement {
  payload: PayloadId;
  reviews: number;
  seconds: number;
  /** The decision of the last review: allowed, denied, patched or an HTTP status for errors. */
  decision: string;
}

export type ServerMessage =
  | {
      type: 'ready';
      port: number;
      metricsPort?: number;
      loadMs: number;
      counts?: StoreCounts;
      memory: MemorySample;
    }
  | { type: 'engine-result'; results: EngineMeasurement[] }
  | { type: 'stopped'; memory: MemorySample }
  | { type: 'failed'; message: string };
