/**
 * Maps request paths and methods to resources and API verbs, following the
 * apiserver's URL layout:
 *   /api/v1/PLURAL[/NAME[/SUBRESOURCE]]
 *   /api/v1/namespaces/NS/PLURAL[/NAME[/SUBRESOURCE]]
 *   /apis/GROUP/VERSION/... (the same shapes)
 */
import type { ResourceCatalog, ResourceType, Verb } from './resources.js';

export interface ResourceRoute {
  kind: 'resource';
  type: ResourceType;
  namespace: string | undefined;
  name: string | undefined;
  subresource: 'status' | undefined;
}

/** A discovery document: GET /api, /apis, /apis/GROUP, /api/VERSION or /apis/GROUP/VERSION. */
export interface DiscoveryRoute {
  kind: 'discovery';
  /** undefined for /api and /apis. */
  group: string | undefined;
  /** undefined for /api, /apis and /apis/GROUP. */
  version: string | undefined;
  core: boolean;
}

export type Route = ResourceRoute | DiscoveryRoute | { kind: 'version' } | { kind: 'health' } | { kind: 'unknown' };

const HEALTH_PATHS = new Set(['/healthz', '/livez', '/readyz']);

function decodeSegments(pathname: string): string[] | undefined {
  try {
    return pathname
      .split('/')
      .filter((segment) => segment !== '')
      .map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
}

export function parseRoute(pathname: string, catalog: ResourceCatalog): Route {
  if (HEALTH_PATHS.has(pathname)) {
    return { kind: 'health' };
  }
  if (pathname === '/version') {
    return { kind: 'version' };
  }
  const segments = decodeSegments(pathname);
  if (segments === undefined) {
    return { kind: 'unknown' };
  }

  let group: string;
  let version: string | undefined;
  let rest: string[];
  if (segments[0] === 'api') {
    group = '';
    version = segments[1];
    rest = segments.slice(2);
    if (version === undefined) {
      return { kind: 'discovery', group: undefined, version: undefined, core: true };
    }
  } else if (segments[0] === 'apis') {
    const name = segments[1];
    version = segments[2];
    rest = segments.slice(3);
    if (name === undefined) {
      return { kind: 'discovery', group: undefined, version: undefined, core: false };
    }
    group = name;
    if (version === undefined) {
      return { kind: 'discovery', group, version: undefined, core: false };
    }
  } else {
    return { kind: 'unknown' };
  }
  if (rest.length === 0) {
    return { kind: 'discovery', group, version, core: group === '' };
  }
  return resourceRoute(catalog, group, version, rest) ?? { kind: 'unknown' };
}

function resourceRoute(catalog: ResourceCatalog, group: string, version: string, rest: string[]): ResourceRoute | undefined {
  const namespacedPlural = rest[0] === 'namespaces' ? rest[2] : undefined;
  const namespacedType = namespacedPlural === undefined ? undefined : catalog.byPath(group, version, namespacedPlural);
  if (namespacedType?.namespaced === true && rest.length <= 5) {
    return withSubresource(namespacedType, rest[1], rest[3], rest[4]);
  }

  // The path names a cluster-scoped object, or a collection across all namespaces.
  const type = rest[0] === undefined ? undefined : catalog.byPath(group, version, rest[0]);
  if (type === undefined || rest.length > 3 || (type.namespaced && rest.length > 1)) {
    return undefined;
  }
  return withSubresource(type, undefined, rest[1], rest[2]);
}

function withSubresource(
  type: ResourceType,
  namespace: string | undefined,
  name: string | undefined,
  subresource: string | undefined,
): ResourceRoute | undefined {
  if (subresource !== undefined && !(subresource === 'status' && type.statusSubresource)) {
    return undefined;
  }
  return { kind: 'resource', type, namespace, name, subresource };
}

/** Returns the API verb of a request, or undefined when the method does not apply to that path. */
export function verbOf(method: string, route: ResourceRoute, watch: boolean): Verb | undefined {
  const collection = route.name === undefined;
  switch (method) {
    case 'GET':
      if (collection) {
        return watch ? 'watch' : 'list';
      }
      return 'get';
    case 'POST':
      return collection && route.subresource === undefined ? 'create' : undefined;
    case 'PUT':
      return collection ? undefined : 'update';
    case 'PATCH':
      return collection ? undefined : 'patch';
    case 'DELETE':
      if (route.subresource !== undefined) {
        return undefined;
      }
      return collection ? 'deletecollection' : 'delete';
    default:
      return undefined;
  }
}
