import type { Logger } from 'pino';
import type { BaselineCoordinator } from '../admission/reviewer.js';
import type { Config } from '../config/types.js';
import { missingBaselinePolicies } from '../rules/baseline.js';
import type { StateStore } from '../state/store.js';
import type { StateChanges } from './informers.js';
import type { ReconcileOutcome } from './reconciler.js';

export interface BaselineWaiterOptions {
  store: StateStore;
  config: Config;
  changes: StateChanges;
  logger: Logger;
  /** Applies the namespace's baseline when this replica leads; resolves 'inactive' otherwise. */
  applyNow: (namespace: string) => Promise<ReconcileOutcome>;
}

/**
 * BaselineCoordinator for the cluster: the leader applies the namespace's
 * baseline at once, and every replica waits until its own watch delivers the
 * policies, so a Pod is decided on policies the API server really stores.
 */
export class BaselineWaiter implements BaselineCoordinator {
  private readonly options: BaselineWaiterOptions;

  constructor(options: BaselineWaiterOptions) {
    this.options = options;
  }

  private present(namespace: string): boolean {
    return missingBaselinePolicies(this.options.store, namespace, this.options.config).length === 0;
  }

  ensure(namespace: string, timeoutMs: number): Promise<boolean> {
    if (this.present(namespace)) return Promise.resolve(true);
    const { changes, logger } = this.options;

    return new Promise<boolean>((resolve) => {
      let finished = false;
      const finish = (result: boolean): void => {
        if (finished) return;
        finished = true;
        unsubscribe();
        clearTimeout(timer);
        if (!result) logger.warn({ namespace, timeoutMs }, 'baseline policies did not appear in time');
        resolve(result);
      };
      const unsubscribe = changes.on((change) => {
        if (change.kind === 'NetworkPolicy' && change.namespace === namespace && this.present(namespace)) finish(true);
      });
      const timer = setTimeout(() => finish(this.present(namespace)), timeoutMs);

      this.options.applyNow(namespace).then(
        (outcome) => {
          if (outcome === 'skipped' && !this.present(namespace)) logger.info({ namespace }, 'baseline not applied: the namespace is deleted, terminating or no longer labelled for it');
        },
        (error: unknown) => logger.error({ namespace, err: error }, 'baseline apply failed unexpectedly'),
      );
    });
  }
}
