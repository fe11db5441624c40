import type { Logger } from 'pino';
import { LABEL_BASELINE } from '../config/defaults.js';
import type { Config } from '../config/types.js';
import type { DnsTarget } from '../engine/index.js';
import { baselineEnabled, baselinePolicies, baselinePolicyNames, type BaselinePolicyObject } from '../rules/baseline.js';
import { exemptionCovers, readExemption } from '../rules/exemptions.js';
import type { WebhookMetrics } from '../server/metrics.js';
import type { NamespaceFacts } from '../state/objects.js';
import type { StateStore } from '../state/store.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import type { StateChange } from './informers.js';
import { describeError, isNamespaceGone } from './kube-errors.js';

/**
 * Decides whether a namespace gets the baseline policies: every namespace
 * labelled `netpol-guard.io/baseline: enabled`, and with
 * `baseline.applyToExisting` every other namespace unless it is statically
 * exempt, carries the baseline label with another value (an opt-out), or has
 * a valid exemption from default-deny. A terminating namespace gets nothing.
 */
export function needsBaseline(namespace: NamespaceFacts, config: Config, now: Date): boolean {
  if (namespace.terminating) return false;
  if (baselineEnabled(namespace.labels)) return true;
  if (!config.baseline.applyToExisting) return false;
  if (namespace.labels[LABEL_BASELINE] !== undefined) return false;
  if (config.exemptions.namespaces.includes(namespace.name) || namespace.name === config.webhookNamespace) return false;
  // NOTE: an exemption that expires changes no object, so the baseline follows at the namespace's next change or the next leader start.
  const { exemption } = readExemption(namespace.annotations, `namespace ${namespace.name}`, now);
  return !(exemption && exemptionCovers(exemption, 'default-deny'));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * True when every field of `desired` is in `observed` with the same value.
 * Lists must match element by element. Fields only in `observed` are
 * ignored, because the API server adds defaults.
 */
export function containsFields(observed: unknown, desired: unknown): boolean {
  if (Array.isArray(desired)) {
    return Array.isArray(observed) && observed.length === desired.length && desired.every((entry, index) => containsFields(observed[index], entry));
  }
  if (isRecord(desired)) {
    return isRecord(observed) && Object.entries(desired).every(([key, value]) => containsFields(observed[key], value));
  }
  return observed === desired;
}

/** True when an observed NetworkPolicy carries the labels and spec the baseline applies. */
export function policyMatches(observed: unknown, desired: BaselinePolicyObject): boolean {
  if (!isRecord(observed)) return false;
  const metadata = isRecord(observed.metadata) ? observed.metadata : {};
  return containsFields(metadata.labels, desired.metadata.labels) && containsFields(observed.spec, desired.spec);
}

export type ReconcileOutcome = 'applied' | 'skipped' | 'failed' | 'inactive';

/** Server-side apply of one policy. */
export type ApplyPolicy = (policy: BaselinePolicyObject) => Promise<void>;

export interface BaselineReconcilerOptions {
  store: StateStore;
  config: Config;
  logger: Logger;
  apply: ApplyPolicy;
  dnsTargets: () => readonly DnsTarget[];
  backoff?: BackoffPolicy;
  /** Namespaces applied at once; each apply is one request per baseline policy. */
  concurrency?: number;
  metrics?: WebhookMetrics;
  now?: () => Date;
}

/**
 * Keeps the baseline NetworkPolicies in place in every namespace that should
 * have them. It acts only while active (this replica leads and the state is
 * synced). Applies use server-side apply with force, so repeating one changes
 * nothing, and a deleted or edited baseline policy seen on the watch is
 * applied again. Failures retry per namespace with backoff.
 */
export class BaselineReconciler {
  private readonly options: BaselineReconcilerOptions;
  private readonly names: Set<string>;
  private readonly queue = new Set<string>();
  private readonly running = new Map<string, Promise<ReconcileOutcome>>();
  private readonly again = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly retries = new Map<string, NodeJS.Timeout>();
  private active = false;

  constructor(options: BaselineReconcilerOptions) {
    this.options = options;
    this.names = new Set(baselinePolicyNames(options.config));
  }

  get isActive(): boolean {
    return this.active;
  }

  /** Starts or stops applying; on start every namespace is checked once. */
  setActive(active: boolean): void {
    if (active === this.active) return;
    this.active = active;
    if (active) {
      this.options.logger.info('baseline reconciler active');
      this.enqueueAll();
      return;
    }
    this.options.logger.info('baseline reconciler inactive');
    this.queue.clear();
    this.again.clear();
    for (const timer of this.retries.values()) clearTimeout(timer);
    this.retries.clear();
  }

  /** Waits for the applies under way; called on stop after setActive(false). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }

  private needsBaselineNow(namespace: string): boolean {
    const facts = this.options.store.namespace(namespace);
    return facts !== undefined && needsBaseline(facts, this.options.config, this.options.now?.() ?? new Date());
  }

  private desired(namespace: string): BaselinePolicyObject[] {
    return baselinePolicies(namespace, this.options.config, this.options.dnsTargets());
  }

  private missingAny(namespace: string): boolean {
    return [...this.names].some((name) => this.options.store.policy(namespace, name) === undefined);
  }

  /** Queues every namespace that should have the baseline, such as after the DNS targets changed. */
  enqueueAll(): void {
    for (const namespace of this.options.store.namespaceNames()) {
      if (this.needsBaselineNow(namespace)) this.enqueue(namespace);
    }
  }

  enqueue(namespace: string): void {
    if (!this.active) return;
    if (this.running.has(namespace)) {
      this.again.add(namespace);
      return;
    }
    this.queue.add(namespace);
    this.pump();
  }

  /** Reacts to a state change: a new or relabelled namespace, or a baseline policy deleted or edited. */
  onChange(change: StateChange): void {
    if (!this.active) return;
    if (change.kind === 'Namespace') {
      if (change.type === 'upsert' && this.needsBaselineNow(change.namespace) && this.missingAny(change.namespace)) this.enqueue(change.namespace);
      return;
    }
    if (change.kind !== 'NetworkPolicy' || !this.names.has(change.name) || !this.needsBaselineNow(change.namespace)) return;
    if (change.type === 'remove') {
      this.options.logger.info({ namespace: change.namespace, policy: change.name }, 'baseline policy deleted; restoring it');
      this.enqueue(change.namespace);
      return;
    }
    const desired = this.desired(change.namespace).find((policy) => policy.metadata.name === change.name);
    if (desired && !policyMatches(change.object, desired)) {
      this.options.logger.info({ namespace: change.namespace, policy: change.name }, 'baseline policy changed; restoring it');
      this.enqueue(change.namespace);
    }
  }

  /** Applies one namespace's baseline now, joining an apply already under way. */
  applyNow(namespace: string): Promise<ReconcileOutcome> {
    if (!this.active) return Promise.resolve('inactive');
    this.queue.delete(namespace);
    const timer = this.retries.get(namespace);
    if (timer) {
      clearTimeout(timer);
      this.retries.delete(namespace);
    }
    return this.run(namespace);
  }

  private pump(): void {
    const limit = this.options.concurrency ?? 4;
    for (const namespace of this.queue) {
      if (!this.active || this.running.size >= limit) return;
      this.queue.delete(namespace);
      void this.run(namespace);
    }
  }

  private run(namespace: string): Promise<ReconcileOutcome> {
    const existing = this.running.get(namespace);
    if (existing) return existing;
    const outcome = this.reconcile(namespace).finally(() => {
      this.running.delete(namespace);
      if (this.again.delete(namespace)) this.enqueue(namespace);
      this.pump();
    });
    this.running.set(namespace, outcome);
    return outcome;
  }

  private gone(namespace: string): boolean {
    const facts = this.options.store.namespace(namespace);
    return facts === undefined || facts.terminating;
  }

  private async reconcile(namespace: string): Promise<ReconcileOutcome> {
    const { logger, metrics } = this.options;
    if (!this.needsBaselineNow(namespace)) return 'skipped';
    const policies = this.desired(namespace);
    try {
      for (const policy of policies) {
        await this.options.apply(policy);
      }
    } catch (error) {
      if (isNamespaceGone(error) || this.gone(namespace)) {
        logger.debug({ namespace, reason: describeError(error) }, 'namespace deleted or terminating; baseline skipped');
        this.failures.delete(namespace);
        return 'skipped';
      }
      const attempt = (this.failures.get(namespace) ?? 0) + 1;
      this.failures.set(namespace, attempt);
      const delayMs = Math.round(backoffDelay(this.options.backoff ?? DEFAULT_BACKOFF, attempt));
      metrics?.baselineApplies.inc({ result: 'failure' });
      logger.warn({ namespace, reason: describeError(error), attempt, delayMs }, 'baseline apply failed; retrying');
      this.scheduleRetry(namespace, delayMs);
      return 'failed';
    }
    this.failures.delete(namespace);
    metrics?.baselineApplies.inc({ result: 'success' });
    logger.info({ namespace, policies: policies.map((policy) => policy.metadata.name) }, 'baseline policies applied');
    return 'applied';
  }

  private scheduleRetry(namespace: string, delayMs: number): void {
    if (!this.active) return;
    clearTimeout(this.retries.get(namespace));
    const timer = setTimeout(() => {
      this.retries.delete(namespace);
      this.enqueue(namespace);
    }, delayMs);
    timer.unref();
    this.retries.set(namespace, timer);
  }
}

/** Field manager of every baseline write; `kubectl get -o yaml --show-managed-fields` shows it. */
export const FIELD_MANAGER = 'netpol-guard';
