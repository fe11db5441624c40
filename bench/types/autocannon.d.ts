// The part of autocannon 9's API the benchmark uses. autocannon ships no
// types, and @types/autocannon describes version 7.
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';
  import type { SecureContextOptions } from 'node:tls';

  export interface Options {
    /** Includes the request path; autocannon ignores a separate path option. */
    url: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    connections?: number;
    pipelining?: number;
    /** Seconds. */
    duration?: number;
    /** Requests per second across all connections. */
    overallRate?: number;
    /** Seconds before a request counts as timed out. */
    timeout?: number;
    tlsOptions?: SecureContextOptions;
  }

  export interface Histogram {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    p50: number;
    p99: number;
    p99_9: number;
    total: number;
  }

  export interface Result {
    requests: Histogram;
    latency: Histogram;
    throughput: Histogram;
    errors: number;
    timeouts: number;
    non2xx: number;
    duration: number;
    start: Date;
    finish: Date;
  }

  export interface Instance extends EventEmitter {
    stop(): void;
  }

  type Callback = (error: Error | null, result: Result) => void;

  function autocannon(options: Options, callback: Callback): Instance;
  export default autocannon;
}
