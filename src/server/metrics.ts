import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ReviewSummary } from '../admission/reviewer.js';

/**
 * Prometheus metrics of one webhook process, in a registry of its own so that
 * several apps in one test process do not collide.
 */
export class WebhookMetrics {
  readonly registry = new Registry();

  readonly reviews = new Counter({
    name: 'netpol_guard_reviews_total',
    help: 'Admission reviews by endpoint, operation, kind, decision and mode',
    labelNames: ['endpoint', 'operation', 'kind', 'decision', 'mode'] as const,
    registers: [this.registry],
  });

  readonly violations = new Counter({
    name: 'netpol_guard_violations_total',
    help: 'Rule violations found, by rule and mode (counted in every mode, also when not denied)',
    labelNames: ['rule', 'mode'] as const,
    registers: [this.registry],
  });

  readonly exemptionsApplied = new Counter({
    name: 'netpol_guard_exemptions_applied_total',
    help: 'Reviews in which an exemption covered a violation or skipped the rules',
    registers: [this.registry],
  });

  readonly duration = new Histogram({
    name: 'netpol_guard_review_duration_seconds',
    help: 'Time to decide one admission review, from parsed body to response',
    labelNames: ['endpoint'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });

  readonly stateSynced = new Gauge({
    name: 'netpol_guard_state_synced',
    help: '1 when every informer has completed its first list and the state is fresh',
    registers: [this.registry],
  });

  readonly stateAge = new Gauge({
    name: 'netpol_guard_state_age_seconds',
    help: 'Seconds since the cluster state was last confirmed current',
    registers: [this.registry],
  });

  readonly baselineApplies = new Counter({
    name: 'netpol_guard_baseline_applies_total',
    help: 'Baseline policy applies by result',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly leader = new Gauge({
    name: 'netpol_guard_leader',
    help: '1 when this replica is the leader and writes baseline policies',
    registers: [this.registry],
  });

  readonly exemptionsActive = new Gauge({
    name: 'netpol_guard_exemptions_active',
    help: 'Valid, unexpired exemption annotations in the cluster state, by where they are set (namespace or workload)',
    labelNames: ['scope'] as const,
    registers: [this.registry],
  });

  readonly tlsReloads = new Counter({
    name: 'netpol_guard_tls_reloads_total',
    help: 'Serving certificate reloads by result',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Label-bound children, because prom-client hashes the label object on every call otherwise. */
  private readonly reviewChildren = new Map<string, { inc(): void }>();
  private readonly durationChildren = new Map<string, { observe(value: number): void }>();
  private static readonly MAX_CHILDREN = 10_000;

  observeReview(summary: ReviewSummary): void {
    const labels = {
      endpoint: summary.endpoint,
      operation: summary.operation ?? 'unknown',
      kind: summary.kind ?? 'unknown',
      decision: summary.decision,
      mode: summary.mode ?? 'none',
    };
    const key = `${labels.endpoint}\n${labels.operation}\n${labels.kind}\n${labels.decision}\n${labels.mode}`;
    let reviews = this.reviewChildren.get(key);
    if (reviews === undefined) {
      reviews = this.reviews.labels(labels);
      // Kinds come from requests, so the cache is capped like any map keyed by input.
      if (this.reviewChildren.size < WebhookMetrics.MAX_CHILDREN) this.reviewChildren.set(key, reviews);
    }
    reviews.inc();

    for (const rule of summary.violations) this.violations.inc({ rule, mode: labels.mode });
    if (summary.exemption !== undefined) this.exemptionsApplied.inc();

    let duration = this.durationChildren.get(summary.endpoint);
    if (duration === undefined) {
      duration = this.duration.labels({ endpoint: summary.endpoint });
      this.durationChildren.set(summary.endpoint, duration);
    }
    duration.observe(summary.durationMs / 1000);
  }
}
