import { Ajv, type ErrorObject } from 'ajv';

export const ADMISSION_API_VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const;
export type AdmissionApiVersion = (typeof ADMISSION_API_VERSIONS)[number];

const groupVersionKind = {
  type: 'object',
  required: ['version', 'kind'],
  properties: { group: { type: 'string' }, version: { type: 'string' }, kind: { type: 'string', minLength: 1 } },
} as const;

const groupVersionResource = {
  type: 'object',
  required: ['version', 'resource'],
  properties: { group: { type: 'string' }, version: { type: 'string' }, resource: { type: 'string', minLength: 1 } },
} as const;

const objectOrNull = { type: ['object', 'null'] } as const;

/**
 * JSON Schema of the AdmissionReview envelope: the fields the webhook reads,
 * with the types the API server sends. The objects inside are checked by the
 * rules that read them.
 */
export const ADMISSION_REVIEW_SCHEMA = {
  type: 'object',
  required: ['apiVersion', 'kind', 'request'],
  properties: {
    apiVersion: { enum: [...ADMISSION_API_VERSIONS] },
    kind: { const: 'AdmissionReview' },
    request: {
      type: 'object',
      required: ['uid', 'kind', 'resource', 'operation', 'userInfo'],
      properties: {
        uid: { type: 'string', minLength: 1, maxLength: 256 },
        kind: groupVersionKind,
        resource: groupVersionResource,
        subResource: { type: 'string' },
        requestKind: groupVersionKind,
        requestResource: groupVersionResource,
        requestSubResource: { type: 'string' },
        name: { type: 'string' },
        namespace: { type: 'string' },
        operation: { enum: ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] },
        userInfo: {
          type: 'object',
          properties: {
            username: { type: 'string' },
            uid: { type: 'string' },
            groups: { type: ['array', 'null'], items: { type: 'string' } },
            extra: { type: ['object', 'null'] },
          },
        },
        object: objectOrNull,
        oldObject: objectOrNull,
        dryRun: { type: ['boolean', 'null'] },
        options: objectOrNull,
      },
    },
  },
} as const;

export interface AdmissionReviewEnvelope {
  apiVersion: AdmissionApiVersion;
  kind: 'AdmissionReview';
  request: {
    uid: string;
    kind: { group?: string; version: string; kind: string };
    resource: { group?: string; version: string; resource: string };
    subResource?: string;
    name?: string;
    namespace?: string;
    operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
    userInfo: { username?: string; uid?: string; groups?: string[] | null; extra?: Record<string, string[]> | null };
    object?: Record<string, unknown> | null;
    oldObject?: Record<string, unknown> | null;
    dryRun?: boolean | null;
  };
}

const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
const validateEnvelope = ajv.compile<AdmissionReviewEnvelope>(ADMISSION_REVIEW_SCHEMA);

function fieldOf(error: ErrorObject): string {
  const path = error.instancePath.split('/').slice(1).join('.');
  if (error.keyword === 'required') {
    const missing = String(error.params.missingProperty);
    return path === '' ? missing : `${path}.${missing}`;
  }
  return path === '' ? 'body' : path;
}

function describe(error: ErrorObject): string {
  switch (error.keyword) {
    case 'required':
      return 'is missing';
    case 'enum':
      return `must be one of ${(error.params.allowedValues as unknown[]).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(error.params.allowedValue)}`;
    case 'type':
      return `must be of type ${String(error.params.type).replace(',', ' or ')}`;
    default:
      return error.message ?? 'is invalid';
  }
}

export type EnvelopeCheck = { ok: true; envelope: AdmissionReviewEnvelope } | { ok: false; message: string };

/** Checks the envelope and returns a one-line reason naming the first invalid field. */
export function checkEnvelope(body: unknown): EnvelopeCheck {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, message: 'body must be a JSON object of kind AdmissionReview' };
  }
  const kind = (body as { kind?: unknown }).kind;
  if (typeof kind === 'string' && kind !== 'AdmissionReview') {
    return {
      ok: false,
      message: `body is a ${kind.slice(0, 63)}, not an AdmissionReview; send the object inside an AdmissionReview request, as the files in examples/reviews/ show`,
    };
  }
  if (validateEnvelope(body)) return { ok: true, envelope: body };
  const error = validateEnvelope.errors![0]!;
  return { ok: false, message: `${fieldOf(error)} ${describe(error)}` };
}

/** Returns the request uid and apiVersion when they can be read, so even a rejected review gets a response with them. */
export function readIdentity(body: unknown): { uid?: string; apiVersion?: AdmissionApiVersion } {
  const envelope = body as { apiVersion?: unknown; request?: { uid?: unknown } } | null;
  const apiVersion = (ADMISSION_API_VERSIONS as readonly unknown[]).includes(envelope?.apiVersion)
    ? (envelope!.apiVersion as AdmissionApiVersion)
    : undefined;
  const uid = typeof envelope?.request?.uid === 'string' ? envelope.request.uid : undefined;
  return { ...(uid === undefined ? {} : { uid }), ...(apiVersion === undefined ? {} : { apiVersion }) };
}
