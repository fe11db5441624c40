import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { CoordinationV1Api, V1Lease } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { delay } from './backoff.js';
import { describeError, statusCodeOf } from './kube-errors.js';

export const LEASE_NAME = 'netpol-guard-leader';

/** Lease timing, in milliseconds, with client-go's meaning of each value. */
export interface LeaseTiming {
  /** How long followers wait after the last renewal they saw before taking over. */
  leaseDurationMs: number;
  /** How long the leader keeps trying to renew before it steps down. */
  renewDeadlineMs: number;
  /** Interval between attempts to acquire or renew. */
  retryPeriodMs: number;
}

/** 15 s, 10 s and 2 s, the leader election defaults of kube-controller-manager and kube-scheduler. */
export const DEFAULT_LEASE_TIMING: LeaseTiming = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

/** Returns a holder identity that is unique per process: the pod name (or host name) and a random suffix. */
export function leaderIdentity(env: NodeJS.ProcessEnv = process.env): string {
  return `${env.POD_NAME || hostname()}_${randomBytes(4).toString('hex')}`;
}

/** Formats a time as a Kubernetes MicroTime (RFC 3339 with six fractional digits), which the API server requires. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export interface LeaderElectorOptions {
  api: CoordinationV1Api;
  namespace: string;
  name?: string;
  identity: string;
  timing?: LeaseTiming;
  logger: Logger;
  onChange: (leading: boolean) => void;
  now?: () => number;
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, following client-go. The
 * holder renews every retry period. A follower takes over once it has read the
 * same lease record unchanged for the lease duration, timed on its own clock,
 * so clock skew between nodes does not matter. Updates carry the
 * resourceVersion they read, so two candidates cannot both win.
 */
export class LeaderElector {
  private readonly options: LeaderElectorOptions;
  private readonly timing: LeaseTiming;
  private readonly name: string;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private leading = false;
  private lastRenewal = 0;
  /** The lease record last seen and when it was first seen, for the expiry check. */
  private observed: { record: string; at: number } | undefined;

  constructor(options: LeaderElectorOptions) {
    this.options = options;
    this.timing = options.timing ?? DEFAULT_LEASE_TIMING;
    this.name = options.name ?? LEASE_NAME;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  get identity(): string {
    return this.options.identity;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Stops campaigning; with `release`, a leader clears the lease so a follower takes over at its next attempt. */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    this.abort.abort();
    await this.running;
    const wasLeading = this.leading;
    this.setLeading(false);
    if (wasLeading && options.release !== false) await this.release();
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.options.logger.info({ lease: `${this.options.namespace}/${this.name}`, identity: this.options.identity }, leading ? 'became leader' : 'stopped leading');
    this.options.onChange(leading);
  }

  private async loop(): Promise<void> {
    while (!this.abort.signal.aborted) {
      const renewed = await this.tryAcquireOrRenew();
      if (this.abort.signal.aborted) break;
      if (renewed) {
        this.lastRenewal = this.now();
        this.setLeading(true);
      } else if (this.leading && this.now() - this.lastRenewal > this.timing.renewDeadlineMs) {
        this.options.logger.warn({ renewDeadlineMs: this.timing.renewDeadlineMs }, 'failed to renew the leader lease in time');
        this.setLeading(false);
      }
      await delay(this.timing.retryPeriodMs, this.abort.signal);
    }
  }

  private leaseSpec(existing: V1Lease | undefined, nowMs: number): V1Lease['spec'] {
    const now = microTime(new Date(nowMs));
    const renewing = existing?.spec?.holderIdentity === this.options.identity;
    return {
      holderIdentity: this.options.identity,
      leaseDurationSeconds: Math.max(1, Math.ceil(this.timing.leaseDurationMs / 1000)),
      acquireTime: (renewing ? existing?.spec?.acquireTime : now) as unknown as Date,
      renewTime: now as unknown as Date,
      leaseTransitions: (existing?.spec?.leaseTransitions ?? 0) + (renewing || existing === undefined ? 0 : 1),
    };
  }

  /** True when this candidate holds the lease after the attempt. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { api, namespace, identity, logger } = this.options;
    const name = this.name;
    let lease: V1Lease;
    try {
      lease = await api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (statusCodeOf(error) !== 404) {
        logger.warn({ lease: `${namespace}/${name}`, reason: describeError(error) }, 'failed to read the leader lease');
        return false;
      }
      try {
        await api.createNamespacedLease({
          namespace,
          body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: this.leaseSpec(undefined, this.now()) },
        });
        return true;
      } catch (createError) {
        if (statusCodeOf(createError) !== 409) {
          logger.warn({ lease: `${namespace}/${name}`, reason: describeError(createError) }, 'failed to create the leader lease');
        }
        return false;
      }
    }

    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const record = JSON.stringify([holder, String(spec.renewTime ?? ''), lease.metadata?.resourceVersion ?? '']);
    const nowMs = this.now();
    if (this.observed?.record !== record) this.observed = { record, at: nowMs };
    const durationMs = (spec.leaseDurationSeconds ?? Math.ceil(this.timing.leaseDurationMs / 1000)) * 1000;
    const heldByOther = holder !== '' && holder !== identity;
    if (heldByOther && nowMs - this.observed.at < durationMs) {
      // Another candidate took the lease, so this one must stop writing at once rather than at the renew deadline.
      if (this.leading) this.setLeading(false);
      return false;
    }

    try {
      await api.replaceNamespacedLease({ name, namespace, body: { ...lease, spec: this.leaseSpec(lease, nowMs) } });
      return true;
    } catch (error) {
      if (statusCodeOf(error) !== 409) {
        logger.warn({ lease: `${namespace}/${name}`, reason: describeError(error) }, 'failed to update the leader lease');
      }
      return false;
    }
  }

  /** Clears the holder so followers need not wait out the lease duration. */
  private async release(): Promise<void> {
    const { api, namespace, identity, logger } = this.options;
    try {
      const lease = await api.readNamespacedLease({ name: this.name, namespace });
      if (lease.spec?.holderIdentity !== identity) return;
      const now = microTime(new Date(this.now()));
      await api.replaceNamespacedLease({
        name: this.name,
        namespace,
        body: { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now as unknown as Date, acquireTime: now as unknown as Date } },
      });
      logger.info({ lease: `${namespace}/${this.name}`, identity }, 'released the leader lease');
    } catch (error) {
      logger.warn({ lease: `${namespace}/${this.name}`, reason: describeError(error) }, 'failed to release the leader lease');
    }
  }
}
