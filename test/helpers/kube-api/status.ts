/**
 * The `Status` failures the test API server returns, with the messages,
 * reasons and codes that the real apiserver uses for the same cases.
 */
import { qualifiedResource, type ResourceType } from './resources.js';

export interface StatusCause {
  type?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** A failure that the HTTP layer turns into a `Status` response with its code. */
export class StatusError extends Error {
  readonly status: Status;

  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'StatusError';
    this.status = failureStatus(code, reason, message, details);
  }

  get code(): number {
    return this.status.code;
  }
}

/** Builds a Failure `Status` object. */
export function failureStatus(code: number, reason: string, message: string, details?: StatusDetails): Status {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details !== undefined) {
    status.details = details;
  }
  return status;
}

/** Builds the Success `Status` that DELETE returns for types that do not return the deleted object. */
export function successStatus(type: ResourceType, name: string, uid: string | undefined): Status {
  const details: StatusDetails = { name, ...groupOf(type), kind: type.plural };
  if (uid !== undefined) {
    details.uid = uid;
  }
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details, code: 200 };
}

function groupOf(type: ResourceType): { group?: string } {
  return type.group === '' ? {} : { group: type.group };
}

function resourceDetails(type: ResourceType, name: string): StatusDetails {
  return { name, ...groupOf(type), kind: type.plural };
}

export function notFound(type: ResourceType, name: string): StatusError {
  return new StatusError(404, 'NotFound', `${qualifiedResource(type)} "${name}" not found`, resourceDetails(type, name));
}

/** Builds the 404 for a URL that names no served resource. */
export function pathNotFound(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function alreadyExists(type: ResourceType, name: string): StatusError {
  return new StatusError(
    409,
    'AlreadyExists',
    `${qualifiedResource(type)} "${name}" already exists`,
    resourceDetails(type, name),
  );
}

/** Builds the optimistic concurrency failure of an update with a stale resourceVersion or a failed precondition. */
export function conflict(type: ResourceType, name: string, cause: string): StatusError {
  return new StatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": ${cause}`,
    resourceDetails(type, name),
  );
}

export const STALE_OBJECT_MESSAGE =
  'the object has been modified; please apply your changes to the latest version and try again';

/** Builds the server-side apply failure when another field manager owns a field with a different value. */
export function applyConflict(type: ResourceType, name: string, conflicts: readonly FieldConflict[]): StatusError {
  const lines = conflicts.map((entry) => `conflict with "${entry.manager}": ${entry.field}`);
  const noun = conflicts.length === 1 ? 'conflict' : 'conflicts';
  const causes = conflicts.map((entry) => ({
    type: 'FieldManagerConflict',
    message: `conflict with "${entry.manager}"`,
    field: entry.field,
  }));
  return new StatusError(409, 'Conflict', `Apply failed with ${conflicts.length} ${noun}: ${lines.join(', ')}`, {
    ...resourceDetails(type, name),
    causes,
  });
}

export interface FieldConflict {
  manager: string;
  /** Field path in the apiserver's notation, e.g. '.spec.podSelector'. */
  field: string;
}

/** Builds the 410 a watch receives when its resourceVersion is older than the kept event history. */
export function expired(requested: number, oldest: number): StatusError {
  return new StatusError(410, 'Expired', `too old resource version: ${requested} (${oldest})`);
}

/** Builds the RBAC denial, worded like the apiserver's authorizer message. */
export function forbidden(
  type: ResourceType,
  verb: string,
  user: string,
  namespace: string | undefined,
  name: string | undefined,
): StatusError {
  const subject = name === undefined ? qualifiedResource(type) : `${qualifiedResource(type)} "${name}"`;
  const scope = namespace === undefined ? 'at the cluster scope' : `in the namespace "${namespace}"`;
  const message =
    `${subject} is forbidden: User "${user}" cannot ${verb} resource "${type.plural}" ` +
    `in API group "${type.group}" ${scope}`;
  return new StatusError(403, 'Forbidden', message, resourceDetails(type, name ?? ''));
}

/** Builds the 422 for an object that fails validation, with one cause per invalid field. */
export function invalid(type: ResourceType, name: string, causes: StatusCause[]): StatusError {
  const summary = causes.map((cause) => `${cause.field}: ${cause.message}`).join(', ');
  return new StatusError(422, 'Invalid', `${type.kind} "${name}" is invalid: ${summary}`, {
    name,
    ...groupOf(type),
    kind: type.kind,
    causes,
  });
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

export function unauthorized(): StatusError {
  return new StatusError(401, 'Unauthorized', 'Unauthorized');
}

export function methodNotAllowed(method: string, type: ResourceType): StatusError {
  return new StatusError(
    405,
    'MethodNotAllowed',
    `the server does not allow this method on the requested resource: ${method} ${qualifiedResource(type)}`,
  );
}

export function unsupportedMediaType(contentType: string | undefined): StatusError {
  const message = `the body of the request was in an unknown format: ${contentType ?? 'none'}`;
  return new StatusError(415, 'UnsupportedMediaType', message);
}

export function requestEntityTooLarge(limitBytes: number): StatusError {
  return new StatusError(413, 'RequestEntityTooLarge', `the request body is larger than ${limitBytes} bytes`);
}
