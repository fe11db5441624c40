/**
 * Drives HTTPS load at one server with autocannon and keeps every response
 * time, because autocannon's own histogram rounds latencies to whole
 * milliseconds and most reviews take less than one.
 */
import autocannon, { type Result } from 'autocannon';
import type { BenchPayload } from './fixtures/reviews.js';

export interface LoadOptions {
  port: number;
  payload: BenchPayload;
  connections: number;
  seconds: number;
  /** Requests per second across all connections; unset sends as fast as responses return. */
  overallRate?: number;
  /** PEM CA bundle the client trusts. autocannon itself never verifies the certificate. */
  ca: string;
}

export interface LatencySummary {
  /** Milliseconds. */
  p50: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** One autocannon run with every 2xx response time, in milliseconds. */
export interface RawLoad {
  seconds: number;
  latencies: number[];
  errors: number;
  timeouts: number;
  non2xx: number;
}

export interface LoadMeasurement {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  latency: LatencySummary;
  /** Connection errors and timeouts. */
  errors: number;
  timeouts: number;
  /** Responses with a status outside 2xx. */
  non2xx: number;
}

/** Returns the value below which `fraction` of the sorted samples lie (nearest rank). */
export function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(fraction * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarizeLatencies(samples: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  const total = samples.reduce((sum, value) => sum + value, 0);
  return {
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    p999: percentile(sorted, 0.999),
    max: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1]!,
    mean: sorted.length === 0 ? Number.NaN : total / sorted.length,
  };
}

/** Merges runs of the same load into one measurement: requests over the summed duration, latencies pooled. */
export function combineLoads(runs: readonly RawLoad[]): LoadMeasurement {
  const latencies = runs.flatMap((run) => run.latencies);
  const seconds = runs.reduce((sum, run) => sum + run.seconds, 0);
  const total = (key: 'errors' | 'timeouts' | 'non2xx') => runs.reduce((sum, run) => sum + run[key], 0);
  return {
    requests: latencies.length,
    seconds,
    requestsPerSecond: seconds === 0 ? 0 : latencies.length / seconds,
    latency: summarizeLatencies(latencies),
    errors: total('errors'),
    timeouts: total('timeouts'),
    non2xx: total('non2xx'),
  };
}

/** Runs one bounded load and resolves with its duration, response times and error counts. */
export function runLoad(options: LoadOptions): Promise<RawLoad> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        // autocannon takes the path from the URL only.
        url: `https://127.0.0.1:${options.port}${options.payload.path}`,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, */*' },
        body: options.payload.body,
        connections: options.connections,
        pipelining: 1,
        duration: options.seconds,
        timeout: 10,
        tlsOptions: { ca: options.ca },
        ...(options.overallRate === undefined ? {} : { overallRate: options.overallRate }),
      },
      (error: Error | null, result: Result) => {
        if (error) {
          reject(error);
          return;
        }
        resolve({
          seconds: (result.finish.getTime() - result.start.getTime()) / 1000,
          latencies,
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
        });
      },
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
}
