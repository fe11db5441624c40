import { compilePolicy } from '../engine/index.js';
import { metadataOf, networkPolicyOf, objectName } from '../state/objects.js';
import type { Operation, ReviewRequest } from '../rules/types.js';
import type { AdmissionReviewEnvelope } from './envelope.js';
import { quoteValue } from '../engine/quote.js';

export type RequestCheck = { ok: true; request: ReviewRequest } | { ok: false; message: string };

function objectKindProblem(object: Record<string, unknown> | null | undefined, field: string, kind: string): string | undefined {
  if (object === null || object === undefined) return undefined;
  if (object.kind !== undefined && object.kind !== kind) {
    return `${field}.kind ${quoteValue(object.kind)} disagrees with request.kind.kind ${quoteValue(kind)}`;
  }
  const metadata = object.metadata;
  if (metadata !== undefined && (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata))) {
    return `${field}.metadata must be an object`;
  }
  return undefined;
}

/**
 * Reads the facts rules need from a valid envelope. It rejects requests no
 * API server would send: an object of another kind than the request names, a
 * CREATE or UPDATE without an object, or an UPDATE without the old object.
 * It also rejects a NetworkPolicy the API server itself would reject.
 */
export function readRequest(envelope: AdmissionReviewEnvelope): RequestCheck {
  const raw = envelope.request;
  const kind = raw.kind.kind;
  const operation = raw.operation as Operation;
  const object = raw.object ?? null;
  const oldObject = raw.oldObject ?? null;

  const problem = objectKindProblem(object, 'request.object', kind) ?? objectKindProblem(oldObject, 'request.oldObject', kind);
  if (problem) return { ok: false, message: problem };
  if ((operation === 'CREATE' || operation === 'UPDATE') && object === null) {
    return { ok: false, message: `request.object is missing; ${operation} requests carry the object` };
  }
  if (operation === 'UPDATE' && oldObject === null) {
    return { ok: false, message: 'request.oldObject is missing; UPDATE requests carry the stored object' };
  }

  const current = object ?? oldObject;
  const name = raw.name && raw.name !== '' ? raw.name : objectName(current);
  // A Namespace is cluster-scoped: rules treat its own name as the namespace.
  const namespace = kind === 'Namespace' ? name : (raw.namespace ?? (metadataOf(current).namespace as string | undefined) ?? '');
  if (kind !== 'Namespace' && namespace === '' && raw.resource.resource !== 'namespaces') {
    const clusterScoped = !['Pod', 'NetworkPolicy', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicationController'].includes(kind);
    if (!clusterScoped) return { ok: false, message: `request.namespace is missing; ${kind} objects are namespaced` };
  }

  if (kind === 'NetworkPolicy' && object !== null) {
    const result = compilePolicy(networkPolicyOf(object, namespace));
    if (!result.ok) {
      const details = result.errors.map((error) => `${error.field}: ${error.message}`);
      return { ok: false, message: `invalid NetworkPolicy ${namespace}/${name}: ${details.join('; ')}` };
    }
  }

  return {
    ok: true,
    request: {
      uid: raw.uid,
      kind,
      group: raw.kind.group ?? '',
      version: raw.kind.version,
      resource: raw.resource.resource,
      ...(raw.subResource ? { subResource: raw.subResource } : {}),
      operation,
      namespace,
      name,
      object,
      oldObject,
      userInfo: {
        username: raw.userInfo.username ?? '',
        groups: raw.userInfo.groups ?? [],
        ...(raw.userInfo.uid ? { uid: raw.userInfo.uid } : {}),
      },
      dryRun: raw.dryRun === true,
    },
  };
}
