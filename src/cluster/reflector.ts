import type { Watch } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { backoffDelay, delay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { describeError, isGone, statusError } from './kube-errors.js';
import type { RawObjectApi } from './kube-client.js';

/** One API resource to mirror, optionally narrowed to a namespace and selectors. */
export interface ResourceRef {
  group: string;
  version: string;
  /** Plural resource name used in URLs, such as `networkpolicies`. */
  resource: string;
  kind: string;
  namespace?: string;
  fieldSelector?: string;
  labelSelector?: string;
}

export type RawObject = Record<string, unknown> & { metadata?: { name?: string; namespace?: string; resourceVersion?: string } };

/** Receives the objects of one resource; it must not keep the objects it is given. */
export interface ReflectorHandler {
  upsert(object: RawObject): void;
  remove(namespace: string, name: string, object: RawObject | undefined): void;
}

/** The state of one reflector, as health checks and logs read it. */
export interface ReflectorStatus {
  name: string;
  /** True once the first list has been stored. */
  synced: boolean;
  /** True while a watch stream is open. */
  watching: boolean;
  /** Epoch milliseconds since which no watch has been open; undefined while one is, or right after a list. */
  staleSince?: number;
  /** Consecutive failed lists or watches; 0 after a success. */
  failures: number;
  relists: number;
  watchRestarts: number;
}

export interface ReflectorOptions {
  /** Name in logs and health reasons, such as `pods`. */
  name: string;
  resource: ResourceRef;
  objects: RawObjectApi;
  watch: Watch;
  handler: ReflectorHandler;
  logger: Logger;
  backoff?: BackoffPolicy;
  /** Objects per list page; the API server caps pages so a relist of a large cluster does not arrive at once. */
  pageSize?: number;
  now?: () => number;
  /** Called after every change of `status`. */
  onStatus?: (status: ReflectorStatus) => void;
}

type WatchEnd = { expired: true } | { expired: false; events: number };

/** Returns the URL path that lists and watches a resource. */
export function resourcePath(resource: ResourceRef): string {
  const base = resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
  const namespace = resource.namespace === undefined ? '' : `/namespaces/${encodeURIComponent(resource.namespace)}`;
  return `${base}${namespace}/${resource.resource}`;
}

/**
 * Mirrors one resource into a handler: list, then watch from the list's
 * resourceVersion, like client-go's reflector. A watch that ends is resumed
 * from the last resourceVersion seen; 410 Gone (history compacted) lists
 * again; other failures retry with capped, jittered backoff.
 *
 * It is built on the library's Watch and a raw list instead of ListWatch
 * (makeInformer). ListWatch keeps every whole object in its cache, for Pods the
 * full spec and status. It also stops for good on any error other than 410,
 * and it does not tell a relist from a watch restart. This class keeps only
 * names.
 */
export class Reflector {
  private readonly options: ReflectorOptions;
  private readonly path: string;
  private readonly abort = new AbortController();
  /** Names seen per namespace, to find objects deleted while no watch was open. */
  private known = new Map<string, Set<string>>();
  private resourceVersion = '';
  private watchRequest: AbortController | undefined;
  private running: Promise<void> | undefined;
  private readonly state: ReflectorStatus;

  constructor(options: ReflectorOptions) {
    this.options = options;
    this.path = resourcePath(options.resource);
    this.state = { name: options.name, synced: false, watching: false, staleSince: this.now(), failures: 0, relists: 0, watchRestarts: 0 };
  }

  get status(): ReflectorStatus {
    return { ...this.state };
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.watchRequest?.abort();
    await this.running;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private get stopping(): boolean {
    return this.abort.signal.aborted;
  }

  private update(change: Partial<ReflectorStatus>): void {
    Object.assign(this.state, change);
    this.options.onStatus?.(this.status);
  }

  private markStale(): void {
    this.update({ watching: false, staleSince: this.state.staleSince ?? this.now() });
  }

  private async run(): Promise<void> {
    const { logger, name } = this.options;
    const backoff = this.options.backoff ?? DEFAULT_BACKOFF;
    let failures = 0;
    // Watches the server ends before any event arrives; a server that keeps doing so is backed off too.
    let emptyWatches = 0;
    while (!this.stopping) {
      const phase = this.resourceVersion === '' ? 'list' : 'watch';
      try {
        if (phase === 'list') await this.relist();
        const end = await this.watchOnce();
        if (this.stopping) break;
        failures = 0;
        this.update({ failures });
        if (end.expired) {
          logger.info({ informer: name, reason: 'resourceVersion expired (410 Gone)' }, 'watch history expired; relisting');
          this.resourceVersion = '';
          continue;
        }
        emptyWatches = end.events === 0 ? emptyWatches + 1 : 0;
        this.update({ watchRestarts: this.state.watchRestarts + 1 });
        logger.info({ informer: name, reason: 'watch closed by the server', resourceVersion: this.resourceVersion }, 'watch restarted');
        if (emptyWatches > 1) await delay(backoffDelay(backoff, emptyWatches - 1), this.abort.signal);
      } catch (error) {
        if (this.stopping) break;
        this.markStale();
        if (isGone(error)) {
          logger.info({ informer: name, reason: describeError(error) }, 'resourceVersion expired; relisting');
          this.resourceVersion = '';
          continue;
        }
        failures++;
        const delayMs = Math.round(backoffDelay(backoff, failures));
        this.update({ failures, ...(phase === 'watch' ? { watchRestarts: this.state.watchRestarts + 1 } : {}) });
        logger.warn(
          { informer: name, reason: describeError(error), attempt: failures, delayMs },
          phase === 'list' ? 'list failed; retrying' : 'watch failed; restarting',
        );
        await delay(delayMs, this.abort.signal);
      }
    }
  }

  private async relist(): Promise<void> {
    const { objects, resource, handler, logger, name } = this.options;
    const apiVersion = resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
    const seen = new Map<string, Set<string>>();
    let continueToken: string | undefined;
    let resourceVersion = '';
    let count = 0;
    do {
      const page = await objects.list<RawObject>(
        apiVersion,
        resource.kind,
        resource.namespace,
        undefined,
        undefined,
        undefined,
        resource.fieldSelector,
        resource.labelSelector,
        this.options.pageSize ?? 500,
        continueToken,
      );
      for (const item of page.items ?? []) {
        const key = objectKey(item);
        if (!key) continue;
        let names = seen.get(key.namespace);
        if (!names) seen.set(key.namespace, (names = new Set()));
        names.add(key.name);
        this.deliver(() => handler.upsert(item));
        count++;
      }
      continueToken = page.metadata?._continue || (page.metadata as { continue?: string } | undefined)?.continue || undefined;
      resourceVersion = page.metadata?.resourceVersion ?? '';
    } while (continueToken);

    let removed = 0;
    for (const [namespace, names] of this.known) {
      for (const objectName of names) {
        if (seen.get(namespace)?.has(objectName)) continue;
        this.deliver(() => handler.remove(namespace, objectName, undefined));
        removed++;
      }
    }
    this.known = seen;
    this.resourceVersion = resourceVersion;
    const first = !this.state.synced;
    this.update({ synced: true, staleSince: undefined, relists: first ? 0 : this.state.relists + 1 });
    if (first) logger.info({ informer: name, objects: count }, 'informer synced');
    else logger.info({ informer: name, objects: count, removed }, 'informer relisted');
  }

  /** Runs a handler call so one bad object cannot stop the stream; the library's Watch would drop the error silently. */
  private deliver(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.options.logger.error({ informer: this.options.name, err: error }, 'failed to store an object from the API server');
    }
  }

  private remember(object: RawObject, present: boolean): void {
    const key = objectKey(object);
    if (!key) return;
    let names = this.known.get(key.namespace);
    if (present) {
      if (!names) this.known.set(key.namespace, (names = new Set()));
      names.add(key.name);
    } else if (names) {
      names.delete(key.name);
      if (names.size === 0) this.known.delete(key.namespace);
    }
  }

  private watchOnce(): Promise<WatchEnd> {
    const { resource, handler, watch } = this.options;
    return new Promise<WatchEnd>((resolve, reject) => {
      let events = 0;
      let expired = false;
      let failure: Error | undefined;
      let ended = false;

      const onEvent = (type: string, object: RawObject): void => {
        events++;
        switch (type) {
          case 'ADDED':
          case 'MODIFIED':
            this.remember(object, true);
            this.deliver(() => handler.upsert(object));
            break;
          case 'DELETED': {
            this.remember(object, false);
            const key = objectKey(object);
            if (key) this.deliver(() => handler.remove(key.namespace, key.name, object));
            break;
          }
          case 'BOOKMARK':
            break;
          case 'ERROR':
            if ((object as { code?: unknown }).code === 410) expired = true;
            else failure = statusError(object);
            return;
          default:
            return;
        }
        const version = object.metadata?.resourceVersion;
        if (typeof version === 'string' && version !== '') this.resourceVersion = version;
      };

      const onDone = (error: unknown): void => {
        ended = true;
        this.watchRequest = undefined;
        this.markStale();
        if (error) reject(error);
        else if (expired) resolve({ expired: true });
        else if (failure) reject(failure);
        else resolve({ expired: false, events });
      };

      const query: Record<string, string | number | boolean | undefined> = {
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        // Like client-go, ask for a random 5 to 10 minute timeout so replicas do not reconnect in step.
        timeoutSeconds: Math.floor(300 + Math.random() * 300),
        fieldSelector: resource.fieldSelector,
        labelSelector: resource.labelSelector,
      };
      watch.watch(this.path, query, onEvent, onDone).then(
        (request) => {
          if (ended) return;
          this.watchRequest = request;
          if (this.stopping) request.abort();
          else this.update({ watching: true, staleSince: undefined, failures: 0 });
        },
        (error: unknown) => {
          if (!ended) onDone(error ?? new Error('watch failed'));
        },
      );
    });
  }
}

function objectKey(object: RawObject): { namespace: string; name: string } | undefined {
  const name = object.metadata?.name;
  if (typeof name !== 'string' || name === '') return undefined;
  const namespace = object.metadata?.namespace;
  return { namespace: typeof namespace === 'string' ? namespace : '', name };
}
