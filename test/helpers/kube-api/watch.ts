/**
 * Watch streams: newline-delimited JSON events over a chunked response, as
 * the real apiserver sends them for `?watch=true`.
 */
import type { ServerResponse } from 'node:http';
import type { KubeObject } from './objects.js';
import { objectNamespace } from './objects.js';
import { apiVersionOf, type ResourceType } from './resources.js';
import { matchesFilter, type ObjectFilter } from './selectors.js';
import { expired, type Status } from './status.js';
import type { ChangeEvent, ObjectStore } from './store.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject | Status;
}

export interface WatchRequest {
  type: ResourceType;
  /** The namespace whose objects are watched, or undefined for all namespaces. */
  namespace: string | undefined;
  filter: ObjectFilter;
  /** The resourceVersion to resume after. Undefined starts with ADDED events for the current objects. */
  resumeFrom: number | undefined;
  allowBookmarks: boolean;
  timeoutSeconds: number | undefined;
}

interface OpenWatch {
  response: ServerResponse;
  close(): void;
}

/**
 * Translates a change into the event one watch receives. An object that starts
 * or stops matching the watch's selectors arrives as ADDED or DELETED, as the
 * real watch cache filters it.
 */
export function eventFor(change: ChangeEvent, request: WatchRequest): WatchEvent | undefined {
  const visible = (object: KubeObject | undefined): boolean =>
    object !== undefined &&
    (request.namespace === undefined || objectNamespace(object) === request.namespace) &&
    matchesFilter(request.filter, object);
  const matchedBefore = visible(change.previous);
  const matchesNow = change.type !== 'DELETED' && visible(change.object);

  if (change.type === 'DELETED') {
    return matchedBefore ? { type: 'DELETED', object: change.object } : undefined;
  }
  if (matchesNow) {
    return { type: matchedBefore ? 'MODIFIED' : 'ADDED', object: change.object };
  }
  return matchedBefore ? { type: 'DELETED', object: change.object } : undefined;
}

export class WatchHub {
  readonly #store: ObjectStore;
  readonly #bookmarkIntervalMs: number;
  readonly #open = new Set<OpenWatch>();

  constructor(store: ObjectStore, bookmarkIntervalMs: number) {
    this.#store = store;
    this.#bookmarkIntervalMs = bookmarkIntervalMs;
  }

  get openCount(): number {
    return this.#open.size;
  }

  /** Streams events for one watch request until the client leaves, the timeout passes or the hub ends it. */
  serve(response: ServerResponse, request: WatchRequest): void {
    response.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    response.flushHeaders();
    const send = (event: WatchEvent): void => {
      response.write(`${JSON.stringify(event)}\n`);
    };

    if (request.resumeFrom !== undefined) {
      const changes = this.#store.changesSince(request.resumeFrom);
      if ('expired' in changes) {
        // The real server also responds with 200 and puts the 410 in an ERROR event, after which informers relist.
        send({ type: 'ERROR', object: expired(request.resumeFrom, changes.oldestResourceVersion).status });
        response.end();
        return;
      }
      for (const change of changes) {
        this.#sendChange(change, request, send);
      }
    } else {
      for (const object of this.#store.list(request.type, request.namespace)) {
        if (matchesFilter(request.filter, object)) {
          send({ type: 'ADDED', object });
        }
      }
    }

    const unsubscribe = this.#store.subscribe((change) => this.#sendChange(change, request, send));
    const timers: NodeJS.Timeout[] = [];
    if (request.allowBookmarks) {
      const bookmark = (): void => send({ type: 'BOOKMARK', object: this.#bookmarkObject(request.type) });
      timers.push(setInterval(bookmark, this.#bookmarkIntervalMs));
    }
    if (request.timeoutSeconds !== undefined) {
      timers.push(setTimeout(() => response.end(), request.timeoutSeconds * 1000));
    }

    const open: OpenWatch = {
      response,
      close: () => {
        unsubscribe();
        timers.forEach((timer) => clearTimeout(timer));
        this.#open.delete(open);
      },
    };
    this.#open.add(open);
    response.once('close', open.close);
  }

  /** Ends every open watch cleanly, so clients see the stream finish and watch again. */
  endAll(): void {
    for (const open of [...this.#open]) {
      open.close();
      open.response.end();
    }
  }

  /** Aborts every open watch without ending the chunked body, as a vanished server would. */
  destroyAll(): void {
    for (const open of [...this.#open]) {
      open.close();
      open.response.destroy();
    }
  }

  #sendChange(change: ChangeEvent, request: WatchRequest, send: (event: WatchEvent) => void): void {
    if (change.resource !== request.type) {
      return;
    }
    const event = eventFor(change, request);
    if (event !== undefined) {
      send(event);
    }
  }

  /** A bookmark carries only the kind and the resourceVersion up to which the watch has seen every change. */
  #bookmarkObject(type: ResourceType): KubeObject {
    return {
      kind: type.kind,
      apiVersion: apiVersionOf(type),
      metadata: { resourceVersion: String(this.#store.resourceVersion) },
    };
  }
}
