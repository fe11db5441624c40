/**
 * A Kubernetes API server for tests. It serves enough of the real REST API
 * (discovery, list, watch, get, create, update, patch, server-side apply,
 * delete) that @kubernetes/client-node 1.x runs against it unmodified through
 * a kubeconfig file.
 *
 * Tests can inject the faults a real cluster shows: RBAC denials, dropped
 * watches, expired resourceVersions and outages. It listens on 127.0.0.1
 * only, on an ephemeral port.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { handleRequest, type AccessAttributes, type ForbidPredicate, type RequestRecord } from './kube-api/handler.js';
import { renderKubeconfig } from './kube-api/kubeconfig.js';
import type { KubeObject } from './kube-api/objects.js';
import { Registry, type AccessReviewer } from './kube-api/registry.js';
import { DEFAULT_RESOURCE_TYPES, ResourceCatalog, type ResourceType } from './kube-api/resources.js';
import { ObjectStore } from './kube-api/store.js';
import { WatchHub } from './kube-api/watch.js';

export type { AccessAttributes, ForbidPredicate, RequestRecord } from './kube-api/handler.js';
export type { KubeObject, ManagedFieldsEntry, ObjectMetadata } from './kube-api/objects.js';
export type { AccessDecision, AccessReviewer } from './kube-api/registry.js';
export { NAMESPACE_NAME_LABEL } from './kube-api/registry.js';
export { DEFAULT_RESOURCE_TYPES, type ResourceType, type Verb } from './kube-api/resources.js';
export type { Status } from './kube-api/status.js';

/** The namespaces a fresh cluster has. */
export const DEFAULT_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export interface TlsOptions {
  cert: string | Buffer;
  key: string | Buffer;
  /** CA certificate written to the kubeconfig. Defaults to `cert`, which suits a self-signed certificate. */
  ca?: string | Buffer;
}

export interface KubeApiServerOptions {
  /** Key pair for serving HTTPS instead of plain HTTP. The certificate must name IP 127.0.0.1. */
  tls?: TlsOptions;
  /** The bearer token clients must send. Requests without it get 401 Unauthorized. */
  token?: string;
  /** The user named in 403 messages. */
  user?: string;
  /** Namespaces created at start, DEFAULT_NAMESPACES unless given. */
  namespaces?: readonly string[];
  /** Objects stored at start, after the namespaces, as if by `put`. */
  objects?: readonly KubeObject[];
  /** Interval of BOOKMARK events on watches that allow them. The real server sends about one a minute. */
  bookmarkIntervalMs?: number;
  /** Number of changes kept for watches to resume from. Older resourceVersions get 410 Expired. */
  historyLimit?: number;
  /** Decision function for SubjectAccessReviews. The default denies everything. */
  reviewAccess?: AccessReviewer;
  /** The clock for creationTimestamp and managedFields times. */
  now?: () => Date;
  /** The resource types served, DEFAULT_RESOURCE_TYPES unless given. */
  resources?: readonly ResourceType[];
}

const DEFAULT_TOKEN = 'kube-api-test-token';
const DEFAULT_USER = 'system:serviceaccount:default:kube-api-test';
const DEFAULT_BOOKMARK_INTERVAL_MS = 60_000;
const DEFAULT_HISTORY_LIMIT = 1000;

interface RequestWaiter {
  predicate: (entry: RequestRecord) => boolean;
  resolve: (entry: RequestRecord) => void;
}

export class KubeApiServer {
  readonly token: string;
  readonly user: string;
  /** Every request received, oldest first, including discovery and rejected ones. */
  readonly requests: RequestRecord[] = [];
  readonly #tls: TlsOptions | undefined;
  readonly #catalog: ResourceCatalog;
  readonly #store: ObjectStore;
  readonly #registry: Registry;
  readonly #watches: WatchHub;
  readonly #forbidPredicates = new Set<ForbidPredicate>();
  readonly #sockets = new Set<Socket>();
  readonly #waiters = new Set<RequestWaiter>();
  readonly #tempDir: string;
  #server: http.Server | undefined;
  #port = 0;
  #closed = false;

  /** Use startKubeApiServer, which also starts listening. */
  constructor(options: KubeApiServerOptions = {}) {
    this.token = options.token ?? DEFAULT_TOKEN;
    this.user = options.user ?? DEFAULT_USER;
    this.#tls = options.tls;
    this.#catalog = new ResourceCatalog(options.resources ?? DEFAULT_RESOURCE_TYPES);
    this.#store = new ObjectStore(options.historyLimit ?? DEFAULT_HISTORY_LIMIT);
    const now = options.now ?? (() => new Date());
    this.#registry = new Registry(this.#store, this.#catalog, now, options.reviewAccess ?? (() => false));
    this.#watches = new WatchHub(this.#store, options.bookmarkIntervalMs ?? DEFAULT_BOOKMARK_INTERVAL_MS);

    for (const namespace of options.namespaces ?? DEFAULT_NAMESPACES) {
      this.put({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: namespace },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      });
    }
    for (const object of options.objects ?? []) {
      this.put(object);
    }
    // Created last, so that an invalid seed object leaves no directory behind.
    this.#tempDir = mkdtempSync(join(tmpdir(), 'kube-api-server-'));
  }

  get port(): number {
    return this.#port;
  }

  /** The base URL, e.g. http://127.0.0.1:41234. */
  get url(): string {
    return `${this.#tls === undefined ? 'http' : 'https'}://127.0.0.1:${this.#port}`;
  }

  /** Path of a kubeconfig whose current context points at this server with its bearer token. */
  get kubeconfigPath(): string {
    return join(this.#tempDir, 'kubeconfig');
  }

  /** The current resourceVersion of the whole store, as a list would return it. */
  get resourceVersion(): string {
    return String(this.#store.resourceVersion);
  }

  /** The number of watch streams open now. */
  get openWatches(): number {
    return this.#watches.openCount;
  }

  /** Returns a KubeConfig loaded from `kubeconfigPath`. */
  kubeConfig(): KubeConfig {
    const config = new KubeConfig();
    config.loadFromFile(this.kubeconfigPath);
    return config;
  }

  /** Rejects matching resource requests with 403 Forbidden until the returned function is called. */
  forbid(predicate: ForbidPredicate): () => void {
    this.#forbidPredicates.add(predicate);
    return () => {
      this.#forbidPredicates.delete(predicate);
    };
  }

  /** Replaces the SubjectAccessReview decision function. */
  setAccessReviewer(reviewer: AccessReviewer): void {
    this.#registry.reviewer = reviewer;
  }

  /** Ends every open watch stream cleanly, so clients watch again from their last resourceVersion. */
  dropWatches(): void {
    this.#watches.endAll();
  }

  /**
   * Forgets the change history, like an etcd compaction: a watch from any
   * resourceVersion handed out so far gets an ERROR event with 410 Expired.
   */
  expireHistory(): void {
    this.#store.expireHistory();
  }

  /** Resolves with the first request received after this call that matches. */
  nextRequest(predicate: (entry: RequestRecord) => boolean = () => true): Promise<RequestRecord> {
    return new Promise((resolve) => {
      this.#waiters.add({ predicate, resolve });
    });
  }

  /**
   * Creates or replaces an object directly, skipping validation and the
   * namespace check and keeping its status. Emits ADDED or MODIFIED unless the
   * object equals the stored one. Returns the stored copy.
   */
  put(object: KubeObject): KubeObject {
    return this.#registry.put(object);
  }

  /** Returns a copy of a stored object. `kind` is a kind ('Pod') or a resource name ('pods'). */
  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.#store.get(this.#type(kind), namespace, name);
  }

  /** Returns copies of the stored objects of a kind, of one namespace when given, sorted by namespace and name. */
  list(kind: string, namespace?: string): KubeObject[] {
    return this.#store.list(this.#type(kind), namespace);
  }

  /** Deletes an object directly and emits DELETED. A namespace takes its contents with it. Returns whether it existed. */
  remove(kind: string, namespace: string | undefined, name: string): boolean {
    return this.#registry.remove(this.#type(kind), namespace, name);
  }

  /** Starts listening: on an ephemeral port the first time, on the same port after `stop`. */
  async listen(): Promise<void> {
    if (this.#closed) {
      throw new Error('listen failed: the test API server is closed');
    }
    if (this.#server !== undefined) {
      return;
    }
    const server = this.#createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    const address = server.address();
    if (address === null || typeof address === 'string') {
      throw new Error('listen failed: the server has no TCP address');
    }
    const firstListen = this.#port === 0;
    this.#port = address.port;
    if (firstListen) {
      writeFileSync(this.kubeconfigPath, this.#kubeconfig());
    }
  }

  /**
   * Closes the listener and every connection, open watches included, so
   * clients see their streams fail and new connections refused. State is kept.
   */
  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) {
      return;
    }
    this.#server = undefined;
    this.#watches.destroyAll();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    for (const socket of this.#sockets) {
      socket.destroy();
    }
    await closed;
  }

  /** Listens again on the same port with the same state after `stop`. */
  async restart(): Promise<void> {
    await this.stop();
    await this.listen();
  }

  /** Stops the server for good and deletes the kubeconfig directory. */
  async close(): Promise<void> {
    await this.stop();
    this.#closed = true;
    this.#waiters.clear();
    rmSync(this.#tempDir, { recursive: true, force: true });
  }

  #type(kind: string): ResourceType {
    const type = this.#catalog.byName(kind);
    if (type === undefined) {
      throw new Error(`unknown kind or resource "${kind}": the test API server does not serve it`);
    }
    return type;
  }

  #record(entry: RequestRecord): void {
    this.requests.push(entry);
    for (const waiter of [...this.#waiters]) {
      if (waiter.predicate(entry)) {
        this.#waiters.delete(waiter);
        waiter.resolve(entry);
      }
    }
  }

  #createServer(): http.Server {
    const context = {
      registry: this.#registry,
      catalog: this.#catalog,
      watches: this.#watches,
      token: this.token,
      user: this.user,
      serverAddress: () => `127.0.0.1:${this.#port}`,
      isForbidden: (attributes: AccessAttributes) => [...this.#forbidPredicates].some((predicate) => predicate(attributes)),
      record: (entry: RequestRecord) => this.#record(entry),
    };
    const listener = (request: http.IncomingMessage, response: http.ServerResponse): void => {
      void handleRequest(context, request, response);
    };
    const server =
      this.#tls === undefined
        ? http.createServer(listener)
        : https.createServer({ cert: this.#tls.cert, key: this.#tls.key }, listener);
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    return server;
  }

  #kubeconfig(): string {
    const ca = this.#tls === undefined ? undefined : String(this.#tls.ca ?? this.#tls.cert);
    return renderKubeconfig({ url: this.url, token: this.token, namespace: 'default', caPem: ca });
  }
}

/** Creates a test API server and starts it listening on 127.0.0.1 on an ephemeral port. */
export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const server = new KubeApiServer(options);
  try {
    await server.listen();
  } catch (error) {
    await server.close();
    throw error;
  }
  return server;
}
