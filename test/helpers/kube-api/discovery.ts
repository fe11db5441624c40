/**
 * The discovery documents under /api and /apis, in the legacy (unaggregated)
 * JSON form that @kubernetes/client-node's KubernetesObjectApi reads to find
 * a kind's resource name and whether it is namespaced.
 */
import type { ResourceCatalog, ResourceType } from './resources.js';

function groupVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/** Builds the body of GET /api. */
export function coreVersions(catalog: ResourceCatalog, serverAddress: string): object {
  return {
    kind: 'APIVersions',
    versions: catalog.coreVersions(),
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(name: string, versions: readonly string[]): object {
  const entries = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: entries, preferredVersion: entries[0] };
}

/** Builds the body of GET /apis. */
export function groupList(catalog: ResourceCatalog): object {
  const groups = [...catalog.groups()].map(([name, versions]) => apiGroup(name, versions));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** Builds the body of GET /apis/GROUP, or returns undefined for an unknown group. */
export function groupDocument(catalog: ResourceCatalog, group: string): object | undefined {
  const versions = catalog.groups().get(group);
  return versions === undefined ? undefined : { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, versions) };
}

function resourceEntries(type: ResourceType): object[] {
  const entry = {
    name: type.plural,
    singularName: type.singular,
    namespaced: type.namespaced,
    kind: type.kind,
    verbs: type.verbs,
    ...(type.shortNames === undefined ? {} : { shortNames: type.shortNames }),
  };
  if (!type.statusSubresource) {
    return [entry];
  }
  const status = {
    name: `${type.plural}/status`,
    singularName: '',
    namespaced: type.namespaced,
    kind: type.kind,
    verbs: ['get', 'patch', 'update'],
  };
  return [entry, status];
}

/** Builds the body of GET /api/VERSION or /apis/GROUP/VERSION, or returns undefined when nothing is served there. */
export function resourceList(catalog: ResourceCatalog, group: string, version: string): object | undefined {
  const types = catalog.inGroupVersion(group, version);
  if (types.length === 0) {
    return undefined;
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupVersionOf(group, version),
    resources: types.flatMap(resourceEntries),
  };
}
