import type { Logger } from 'pino';
import type { BaselineCoordinator } from '../admission/reviewer.js';
import type { Config } from '../config/types.js';
import type { DnsTarget } from '../engine/index.js';
import type { UserInfo } from '../rules/types.js';
import type { WebhookMetrics } from '../server/metrics.js';
import type { StateProvider } from '../server/start.js';
import { StateStore } from '../state/store.js';
import { serverSideApply } from './apply.js';
import type { BackoffPolicy } from './backoff.js';
import { BaselineWaiter } from './baseline-waiter.js';
import { DnsDiscovery, dnsServiceCandidates } from './dns-discovery.js';
import { clusterHealth, type ClusterHealth } from './health.js';
import { StateChanges, stateReflectors } from './informers.js';
import { loadKubeConfig, makeClients, type KubeClients } from './kube-client.js';
import { LeaderElector, leaderIdentity, type LeaseTiming } from './leader.js';
import { rbacApprover } from './rbac-approver.js';
import { BaselineReconciler } from './reconciler.js';
import type { Reflector, ReflectorStatus } from './reflector.js';

export interface ClusterStateOptions {
  /** Path of a kubeconfig file; without it the in-cluster service account is used. */
  kubeconfig?: string;
  config: Config;
  logger: Logger;
  metrics?: WebhookMetrics;
  /** Lease holder identity; a pod name or host name with a random suffix unless set. */
  identity?: string;
  /** Retry delays of watches and baseline applies; tests shorten them. */
  backoff?: BackoffPolicy;
  /** Leader lease timing; tests shorten it. */
  lease?: LeaseTiming;
  /** Objects per list page. */
  pageSize?: number;
}

/**
 * The cluster state of one replica: informers filling the store, DNS
 * discovery, and leader election for the baseline reconciler. Every replica
 * serves reviews; only the leader writes baseline policies.
 */
export class ClusterState implements StateProvider {
  readonly store = new StateStore();
  /** Informers list every namespace, so one the store lacks was created since the last event. */
  readonly knowsEveryNamespace = true;
  /** Every object stored or removed, for the reconciler, baseline waiters and tests. */
  readonly changes = new StateChanges();
  readonly baseline: BaselineCoordinator;
  readonly rbacApprover: (user: UserInfo) => Promise<boolean>;
  readonly reconciler: BaselineReconciler;
  readonly leader: LeaderElector;
  readonly dns: DnsDiscovery | undefined;
  private readonly options: ClusterStateOptions;
  private readonly reflectors: Reflector[];
  private readonly statusListeners = new Set<() => void>();
  private synced = false;
  private stopped = false;
  private stopping: Promise<void> | undefined;

  constructor(options: ClusterStateOptions, clients: KubeClients) {
    this.options = options;
    const { config, logger, metrics } = options;

    const candidates = dnsServiceCandidates(config.dns.service);
    this.dns = config.dns.discover
      ? new DnsDiscovery({
          candidates,
          configured: config.dns.targets,
          podsIn: (namespace) => this.store.podsIn(namespace),
          logger,
          onChange: () => this.reconciler.enqueueAll(),
        })
      : undefined;

    this.reconciler = new BaselineReconciler({
      store: this.store,
      config,
      logger,
      apply: serverSideApply(clients.networking),
      dnsTargets: () => this.dnsTargets(),
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(metrics ? { metrics } : {}),
    });
    this.changes.on((change) => this.reconciler.onChange(change));

    this.leader = new LeaderElector({
      api: clients.coordination,
      namespace: config.webhookNamespace,
      identity: options.identity ?? leaderIdentity(),
      ...(options.lease ? { timing: options.lease } : {}),
      logger,
      onChange: (leading) => {
        metrics?.leader.set(leading ? 1 : 0);
        this.updateReconciler();
        this.notify();
      },
    });

    this.baseline = new BaselineWaiter({
      store: this.store,
      config,
      changes: this.changes,
      logger,
      applyNow: (namespace) => this.reconciler.applyNow(namespace),
    });
    this.rbacApprover = rbacApprover(clients.authorization, logger);

    this.reflectors = stateReflectors({
      store: this.store,
      clients,
      changes: this.changes,
      logger,
      ...(this.dns ? { dns: { discovery: this.dns, services: candidates } } : {}),
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(options.pageSize ? { pageSize: options.pageSize } : {}),
      onStatus: () => this.handleStatus(),
    });
  }

  start(): void {
    for (const reflector of this.reflectors) reflector.start();
    this.leader.start();
  }

  /** Reflector states, for health and tests. */
  statuses(): ReflectorStatus[] {
    return this.reflectors.map((reflector) => reflector.status);
  }

  /**
   * Calls `listener` after every stored change, reflector status change and
   * leadership change, until the returned function is called.
   */
  subscribe(listener: () => void): () => void {
    const offChanges = this.changes.on(() => listener());
    this.statusListeners.add(listener);
    return () => {
      offChanges();
      this.statusListeners.delete(listener);
    };
  }

  private handleStatus(): void {
    if (!this.synced && this.reflectors.every((reflector) => reflector.status.synced)) {
      this.synced = true;
      this.options.logger.info(this.store.counts(), 'cluster state synced');
      if (this.dns) {
        const selection = this.dns.refresh();
        this.options.logger.info(
          { source: selection.source, service: selection.service, targets: selection.targets.map((target) => target.name), skipped: selection.skipped },
          'DNS targets in use',
        );
      }
      this.updateReconciler();
    }
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.statusListeners]) listener();
  }

  private updateReconciler(): void {
    this.reconciler.setActive(this.synced && this.leader.isLeader && !this.stopped);
  }

  health(): ClusterHealth {
    const health = clusterHealth(this.statuses(), Date.now(), this.options.config.state.maxAgeSeconds);
    this.options.metrics?.stateAge.set(health.ageSeconds);
    this.options.metrics?.stateSynced.set(health.ready ? 1 : 0);
    return health;
  }

  /** Seconds since the state was last known current. */
  ageSeconds(): number {
    return this.health().ageSeconds;
  }

  dnsTargets(): readonly DnsTarget[] {
    return this.dns?.targets() ?? this.options.config.dns.targets;
  }

  /** Stops applying, releases the lease if held, and closes every watch. */
  stop(): Promise<void> {
    this.stopped = true;
    this.stopping ??= (async () => {
      this.updateReconciler();
      await this.reconciler.drain();
      await this.leader.stop({ release: true });
      await Promise.all(this.reflectors.map((reflector) => reflector.stop()));
      this.options.logger.info('cluster state stopped');
    })();
    return this.stopping;
  }
}

/**
 * Starts mirroring the cluster and returns at once: health() stays not ready
 * until every informer has listed, so an unreachable API server at start
 * fails reviews instead of failing the process.
 */
export async function startClusterState(options: ClusterStateOptions): Promise<ClusterState> {
  const kubeConfig = loadKubeConfig(options.kubeconfig);
  const cluster = kubeConfig.getCurrentCluster();
  options.logger.info({ server: cluster?.server, kubeconfig: options.kubeconfig ?? '(in-cluster)' }, 'reading the cluster state from the API server');
  const state = new ClusterState(options, makeClients(kubeConfig));
  state.start();
  return state;
}
