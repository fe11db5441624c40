/**
 * The HTTP layer: authentication, the RBAC-style fault hook, the request
 * log, body reading and JSON responses around the registry and watch hub.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { coreVersions, groupDocument, groupList, resourceList } from './discovery.js';
import { isPlainObject } from './objects.js';
import { patchTypeOf, type DeleteOptions, type Registry } from './registry.js';
import type { ResourceCatalog, Verb } from './resources.js';
import { parseRoute, verbOf, type ResourceRoute, type Route } from './router.js';
import { parseFilter } from './selectors.js';
import {
  StatusError,
  badRequest,
  failureStatus,
  forbidden,
  methodNotAllowed,
  pathNotFound,
  requestEntityTooLarge,
  unauthorized,
  unsupportedMediaType,
} from './status.js';
import type { WatchHub } from './watch.js';

/** The attributes of a resource request that a forbid predicate receives, named as in a SubjectAccessReview's resourceAttributes. */
export interface AccessAttributes {
  verb: Verb;
  group: string;
  version: string;
  resource: string;
  subresource: string | undefined;
  namespace: string | undefined;
  name: string | undefined;
}

export type ForbidPredicate = (attributes: AccessAttributes) => boolean;

/** One request as the server received it. `status` is set once the response head is sent. */
export interface RequestRecord {
  method: string;
  /** The URL path without the query string. */
  path: string;
  query: Record<string, string>;
  contentType: string | undefined;
  /** The API verb for resource requests, e.g. 'list' or 'watch'. */
  verb: Verb | undefined;
  resource: string | undefined;
  namespace: string | undefined;
  name: string | undefined;
  status: number | undefined;
}

export interface HandlerContext {
  registry: Registry;
  catalog: ResourceCatalog;
  watches: WatchHub;
  token: string;
  user: string;
  /** host:port, reported in the /api discovery document. */
  serverAddress(): string;
  isForbidden(attributes: AccessAttributes): boolean;
  record(entry: RequestRecord): void;
}

/** The apiserver's default request body limit (3 MiB), which also bounds what tests can send. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** A fixed body for GET /version, which clients may log. Nothing in the server depends on it. */
const VERSION_INFO = {
  major: '1',
  minor: '31',
  gitVersion: 'v1.31.0',
  platform: 'linux/amd64',
};

function sendJson(response: ServerResponse, entry: RequestRecord, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  entry.status = code;
  response.writeHead(code, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(requestEntityTooLarge(MAX_BODY_BYTES));
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function mediaTypeOf(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase();
}

/** Decodes a create or update body, which the real server accepts as JSON or YAML. */
function decodeObjectBody(text: string, contentType: string | undefined): unknown {
  const mediaType = mediaTypeOf(contentType);
  try {
    if (mediaType === undefined || mediaType === 'application/json') {
      return JSON.parse(text) as unknown;
    }
    if (mediaType === 'application/yaml') {
      return parseYaml(text) as unknown;
    }
  } catch {
    throw badRequest(`the request body is not valid ${mediaType === 'application/yaml' ? 'YAML' : 'JSON'}`);
  }
  throw unsupportedMediaType(contentType);
}

function parseDryRun(query: URLSearchParams): boolean {
  const value = query.get('dryRun');
  if (value === null || value === '') {
    return false;
  }
  if (value !== 'All') {
    throw badRequest(`Invalid dry run value: ${value}; the only supported value is All`);
  }
  return true;
}

/** Derives the field manager the apiserver records when a write names none: the User-Agent up to its first '/'. */
function managerFromUserAgent(userAgent: string | undefined): string {
  const prefix = userAgent?.split('/')[0]?.trim();
  return prefix === undefined || prefix === '' ? 'unknown' : prefix;
}

function parseResourceVersion(value: string | null): number | undefined {
  if (value === null || value === '' || value === '0') {
    return undefined;
  }
  if (!/^\d+$/.test(value)) {
    throw badRequest(`invalid resource version: ${value}`);
  }
  return Number(value);
}

function parseTimeoutSeconds(value: string | null): number | undefined {
  if (value === null || value === '') {
    return undefined;
  }
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 0) {
    throw badRequest(`invalid timeoutSeconds: ${value}`);
  }
  return seconds === 0 ? undefined : seconds;
}

function isWatchParameter(value: string | null): boolean {
  return value === 'true' || value === '1';
}

function serveDiscovery(context: HandlerContext, route: Route & { kind: 'discovery' }): unknown {
  if (route.group === undefined) {
    return route.core ? coreVersions(context.catalog, context.serverAddress()) : groupList(context.catalog);
  }
  if (route.version === undefined) {
    return groupDocument(context.catalog, route.group);
  }
  return resourceList(context.catalog, route.group, route.version);
}

export async function handleRequest(
  context: HandlerContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const route = parseRoute(url.pathname, context.catalog);
  const entry: RequestRecord = {
    method: request.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    contentType: request.headers['content-type'],
    verb: undefined,
    resource: undefined,
    namespace: undefined,
    name: undefined,
    status: undefined,
  };
  if (route.kind === 'resource') {
    entry.verb = verbOf(entry.method, route, isWatchParameter(url.searchParams.get('watch')));
    entry.resource = route.type.plural;
    entry.namespace = route.namespace;
    entry.name = route.name;
  }
  context.record(entry);

  try {
    if (route.kind === 'health') {
      entry.status = 200;
      response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('ok');
      return;
    }
    if (request.headers.authorization !== `Bearer ${context.token}`) {
      throw unauthorized();
    }
    if (route.kind === 'unknown') {
      throw pathNotFound();
    }
    if (route.kind === 'version') {
      sendJson(response, entry, 200, VERSION_INFO);
      return;
    }
    if (route.kind === 'discovery') {
      const document = entry.method === 'GET' ? serveDiscovery(context, route) : undefined;
      if (document === undefined) {
        throw pathNotFound();
      }
      sendJson(response, entry, 200, document);
      return;
    }
    await serveResource(context, route, entry, url.searchParams, request, response);
  } catch (error) {
    if (response.headersSent) {
      response.destroy();
      return;
    }
    if (error instanceof StatusError) {
      sendJson(response, entry, error.code, error.status);
      return;
    }
    // Anything but a StatusError is a bug in the test server itself, so it is reported beside the 500.
    const message = error instanceof Error ? error.message : String(error);
    console.error(`kube-api test server: internal error on ${entry.method} ${entry.path}: ${message}`);
    sendJson(response, entry, 500, failureStatus(500, 'InternalError', `Internal error occurred: ${message}`));
  }
}

async function serveResource(
  context: HandlerContext,
  route: ResourceRoute,
  entry: RequestRecord,
  query: URLSearchParams,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const { type, namespace, name, subresource } = route;
  const verb = entry.verb;
  if (verb === undefined || !type.verbs.includes(verb)) {
    throw methodNotAllowed(entry.method, type);
  }
  // A namespaced type's path without a namespace only serves list and watch across all namespaces.
  if (type.namespaced && namespace === undefined && verb !== 'list' && verb !== 'watch') {
    throw methodNotAllowed(entry.method, type);
  }
  const attributes: AccessAttributes = {
    verb,
    group: type.group,
    version: type.version,
    resource: type.plural,
    subresource,
    namespace,
    name,
  };
  if (context.isForbidden(attributes)) {
    throw forbidden(type, verb, context.user, namespace, name);
  }

  const registry = context.registry;
  const body = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(entry.method) ? await readBody(request) : '';
  const writeOptions = () => ({
    dryRun: parseDryRun(query),
    manager: query.get('fieldManager') ?? managerFromUserAgent(request.headers['user-agent']),
  });
  const filter = () =>
    parseFilter(query.get('labelSelector') ?? undefined, query.get('fieldSelector') ?? undefined, type);

  switch (verb) {
    case 'get':
      sendJson(response, entry, 200, registry.get(type, namespace, name ?? ''));
      return;
    case 'list':
      // NOTE: limit and continue are ignored, so every list is returned whole,
      // as when the real server serves a list from its watch cache.
      sendJson(response, entry, 200, registry.list(type, namespace, filter()));
      return;
    case 'watch': {
      const watchRequest = {
        type,
        namespace,
        filter: filter(),
        resumeFrom: parseResourceVersion(query.get('resourceVersion')),
        allowBookmarks: query.get('allowWatchBookmarks') === 'true',
        timeoutSeconds: parseTimeoutSeconds(query.get('timeoutSeconds')),
      };
      entry.status = 200;
      context.watches.serve(response, watchRequest);
      return;
    }
    case 'create': {
      if (!type.stored) {
        sendJson(response, entry, 201, registry.reviewAccess(type, decodeObjectBody(body, entry.contentType)));
        return;
      }
      const created = registry.create(type, namespace, decodeObjectBody(body, entry.contentType), writeOptions());
      sendJson(response, entry, 201, created);
      return;
    }
    case 'update': {
      const updated = registry.update(
        type,
        namespace,
        name ?? '',
        decodeObjectBody(body, entry.contentType),
        writeOptions(),
        subresource,
      );
      sendJson(response, entry, 200, updated);
      return;
    }
    case 'patch': {
      const force = query.get('force');
      const options = {
        ...writeOptions(),
        fieldManager: query.get('fieldManager') ?? undefined,
        force: force === null ? undefined : force === 'true',
      };
      const patchType = patchTypeOf(entry.contentType);
      const result = registry.patch(type, namespace, name ?? '', patchType, body, options, subresource);
      sendJson(response, entry, result.created ? 201 : 200, result.object);
      return;
    }
    case 'delete': {
      const deleteOptions = body.trim() === '' ? undefined : decodeObjectBody(body, entry.contentType);
      const options = isPlainObject(deleteOptions) ? (deleteOptions as DeleteOptions) : undefined;
      sendJson(response, entry, 200, registry.delete(type, namespace, name ?? '', options, parseDryRun(query)));
      return;
    }
    case 'deletecollection':
      sendJson(response, entry, 200, registry.deleteCollection(type, namespace, filter(), parseDryRun(query)));
      return;
  }
}
