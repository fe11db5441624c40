import type { Logger } from 'pino';
import type { DnsTarget } from '../engine/index.js';
import type { Config } from '../config/types.js';
import { baselinePending, effectivePolicySource } from '../rules/baseline.js';
import { runRules, type ChainResult } from '../rules/chain.js';
import { rulesFor } from '../rules/registry.js';
import { isConfiguredApprover } from '../rules/approval.js';
import { namespaceBaselinePatch } from '../rules/namespace-baseline.js';
import type { ReviewRequest, RuleContext, UserInfo } from '../rules/types.js';
import type { StateStore } from '../state/store.js';
import { allowed, denied, errored, badRequest, patched, type Decision } from './decision.js';
import { checkEnvelope, readIdentity } from './envelope.js';
import { readRequest } from './request.js';
import { completeResponse, errorBody, type Endpoint, type HttpAnswer } from './response.js';
import { decide } from './verdict.js';

/** Readiness of the state for decisions, with the reason when it is not ready. */
export interface StateHealth {
  ready: boolean;
  reason?: string;
}

/** Applies a namespace's pending baseline and waits until the state shows it. */
export interface BaselineCoordinator {
  /** Resolves true once the baseline policies are in the state, false when `timeoutMs` ran out. */
  ensure(namespace: string, timeoutMs: number): Promise<boolean>;
}

export interface ReviewerOptions {
  state: StateStore;
  config: Config;
  logger: Logger;
  /** The DNS targets in force: discovered from the cluster, or the configured ones. */
  dnsTargets?: () => readonly DnsTarget[];
  health?: () => StateHealth;
  /** Asks Kubernetes RBAC whether the user may grant exemptions; used only when `approvers.rbac` is on. */
  rbacApprover?: (user: UserInfo) => Promise<boolean>;
  baseline?: BaselineCoordinator;
  /**
   * Treat a namespace the state does not know as new and pending its baseline.
   * True for informer-filled state, where an unknown namespace was just created.
   */
  assumeBaselineForUnknownNamespaces?: boolean;
  now?: () => Date;
  onReview?: (summary: ReviewSummary) => void;
}

/** The outcome of one review, for the log line and the metrics. */
export interface ReviewSummary {
  endpoint: Endpoint;
  uid?: string;
  operation?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  user?: string;
  dryRun?: boolean;
  decision: 'allowed' | 'denied' | 'patched' | 'bad-request' | 'invalid' | 'errored';
  mode?: string;
  rules: string[];
  violations: string[];
  exemption?: string;
  durationMs: number;
}

/**
 * Reviews AdmissionReview bodies for the server and the `review` command, so
 * both decide through the same code. It never throws: a fault becomes an HTTP
 * 500, and no path turns an error into an allow.
 */
export class Reviewer {
  private readonly options: ReviewerOptions;

  constructor(options: ReviewerOptions) {
    this.options = options;
  }

  private dnsTargets(): readonly DnsTarget[] {
    return this.options.dnsTargets?.() ?? this.options.config.dns.targets;
  }

  async review(body: unknown, endpoint: Endpoint): Promise<HttpAnswer> {
    const summary: ReviewSummary = { endpoint, decision: 'errored', rules: [], violations: [], durationMs: 0 };
    const answer = await this.reviewAndLog(body, endpoint, summary);
    try {
      this.options.onReview?.(summary);
    } catch (error) {
      // The hook records metrics; a bug there must still fail closed, never pass the response on unrecorded.
      this.options.logger.error({ err: error, uid: summary.uid }, 'review hook failed');
      return { statusCode: 500, body: errorBody(500, `internal error while reviewing request ${summary.uid ?? '(no uid)'}; see the webhook log`) };
    }
    return answer;
  }

  private async reviewAndLog(body: unknown, endpoint: Endpoint, summary: ReviewSummary): Promise<HttpAnswer> {
    const started = performance.now();
    // The request's fields go on every line about it. Most reviews write only the
    // final line, which takes them directly, so the child logger is made on first use.
    let bindings: { uid: string; operation: string; kind: string; namespace: string; name: string; user: string } | undefined;
    let requestLogger: Logger | undefined;
    const log = (): Logger => (bindings ? (requestLogger ??= this.options.logger.child(bindings)) : this.options.logger);
    try {
      const checked = checkEnvelope(body);
      if (!checked.ok) {
        const identity = readIdentity(body);
        if (identity.uid !== undefined) summary.uid = identity.uid;
        summary.decision = 'invalid';
        log().info({ uid: identity.uid, reason: checked.message }, 'rejected invalid admission review');
        return { statusCode: 400, body: errorBody(400, `invalid AdmissionReview: ${checked.message}`) };
      }

      const { envelope } = checked;
      const identity = { uid: envelope.request.uid, apiVersion: envelope.apiVersion };
      Object.assign(summary, { uid: identity.uid, operation: envelope.request.operation, kind: envelope.request.kind.kind });
      const read = readRequest(envelope);
      if (!read.ok) {
        summary.decision = 'bad-request';
        log().info({ uid: identity.uid, reason: read.message }, 'rejected admission request');
        return completeResponse(identity, endpoint, badRequest(read.message));
      }

      const request = read.request;
      Object.assign(summary, {
        namespace: request.namespace,
        name: request.name,
        user: request.userInfo.username,
        dryRun: request.dryRun,
      });
      bindings = {
        uid: request.uid,
        operation: request.operation,
        kind: request.kind,
        namespace: request.namespace,
        name: request.name,
        user: request.userInfo.username,
      };
      const decision = endpoint === 'mutate' ? this.mutate(request) : await this.validate(request, summary, log);
      summary.decision = decision.type === 'allowed' && decision.patch ? 'patched' : (decision.type as ReviewSummary['decision']);
      return completeResponse(identity, endpoint, decision);
    } catch (error) {
      summary.decision = 'errored';
      log().error({ err: error, uid: summary.uid }, 'review failed with an internal error');
      return { statusCode: 500, body: errorBody(500, `internal error while reviewing request ${summary.uid ?? '(no uid)'}; see the webhook log`) };
    } finally {
      summary.durationMs = performance.now() - started;
      if (summary.decision !== 'invalid' && summary.decision !== 'errored') {
        const fields = {
          decision: summary.decision,
          mode: summary.mode,
          rules: summary.rules,
          violations: summary.violations,
          exemption: summary.exemption ?? 'none',
          dryRun: summary.dryRun,
          durationMs: Math.round(summary.durationMs * 1000) / 1000,
        };
        // pino writes a child's bindings before the line's own fields, so both forms give the same line.
        // The second is one object literal, not a spread, because this line is written for every review.
        if (requestLogger || !bindings) {
          log().info(fields, 'reviewed');
        } else {
          this.options.logger.info(
            {
              uid: bindings.uid,
              operation: bindings.operation,
              kind: bindings.kind,
              namespace: bindings.namespace,
              name: bindings.name,
              user: bindings.user,
              decision: fields.decision,
              mode: fields.mode,
              rules: fields.rules,
              violations: fields.violations,
              exemption: fields.exemption,
              dryRun: fields.dryRun,
              durationMs: fields.durationMs,
            },
            'reviewed',
          );
        }
      }
    }
  }

  private mutate(request: ReviewRequest): Decision {
    const now = this.options.now?.() ?? new Date();
    const patch = namespaceBaselinePatch(request, this.options.config, now);
    return patch ? patched(patch) : allowed();
  }

  private async validate(request: ReviewRequest, summary: ReviewSummary, log: () => Logger): Promise<Decision> {
    if (request.subResource) return allowed();
    // A kind no rule reads is allowed whatever the state holds, so it needs neither the state nor its health.
    if (rulesFor(request.group, request.kind, request.operation).length === 0) return allowed();
    const health = this.options.health?.() ?? { ready: true };
    if (!health.ready) {
      log().warn({ reason: health.reason }, 'cluster state not ready; failing the review');
      return errored(`netpol-guard cannot decide: ${health.reason ?? 'the cluster state is not synced'}; the webhook's failurePolicy applies`);
    }

    const pending = await this.awaitPendingBaseline(request, log);
    if (pending) return pending;

    const context = this.context(request);
    const chain: ChainResult = await runRules(context);
    summary.mode = chain.mode;
    summary.rules = chain.ruleIds;
    summary.violations = chain.violations.map((violation) => violation.rule);
    if (chain.staticExemption) summary.exemption = `static: ${chain.staticExemption}`;
    else if (chain.exempted.length > 0) summary.exemption = chain.exempted.map((entry) => entry.exemption.source).join(', ');
    return decide(chain);
  }

  /**
   * A Pod must not start before its namespace's baseline exists, so a Pod
   * CREATE in a namespace whose baseline is enabled but not yet in the state
   * requests it and waits, bounded. A dry run applies nothing and is decided
   * as if the baseline were present.
   */
  private async awaitPendingBaseline(request: ReviewRequest, log: () => Logger): Promise<Decision | undefined> {
    const { state, config, baseline } = this.options;
    if (request.kind !== 'Pod' || request.operation !== 'CREATE' || request.dryRun || !baseline) return undefined;
    if (!baselinePending(state, request.namespace, config, this.options.assumeBaselineForUnknownNamespaces)) return undefined;

    log().info('baseline pending; applying it before admitting the pod');
    if (await baseline.ensure(request.namespace, config.baseline.podWaitMs)) return undefined;
    return denied(
      `default-deny: the baseline NetworkPolicies of namespace ${JSON.stringify(request.namespace)} are still being applied; ` +
        'the pod is not admitted before them, retry in a few seconds (controllers retry on their own)',
    );
  }

  private context(request: ReviewRequest): RuleContext {
    const { state, config, rbacApprover } = this.options;
    const dnsTargets = this.dnsTargets();
    let approver: Promise<boolean> | undefined;
    return {
      request,
      state,
      config,
      dnsTargets,
      policies: effectivePolicySource(state, request.namespace, config, dnsTargets, this.options.assumeBaselineForUnknownNamespaces),
      now: this.options.now?.() ?? new Date(),
      isApprover: () => {
        approver ??= (async () => {
          if (isConfiguredApprover(config, request.userInfo)) return true;
          return config.approvers.rbac && rbacApprover ? rbacApprover(request.userInfo) : false;
        })();
        return approver;
      },
    };
  }
}
