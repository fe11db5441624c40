import { MODES } from './types.js';

const stringList = { type: 'array', items: { type: 'string', minLength: 1 } } as const;
const labelMap = { type: 'object', additionalProperties: { type: 'string' } } as const;
const portNumber = { type: 'integer', minimum: 1, maximum: 65535 } as const;
const protocol = { enum: ['TCP', 'UDP', 'SCTP'] } as const;

const dnsPort = {
  type: 'object',
  additionalProperties: false,
  required: ['protocol', 'port'],
  properties: { protocol, port: portNumber, name: { type: 'string', minLength: 1, maxLength: 15 } },
} as const;

const dnsTarget = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'ports'],
  properties: {
    name: { type: 'string', minLength: 1 },
    namespace: { type: 'string', minLength: 1 },
    podLabels: labelMap,
    ip: { type: 'string', minLength: 1 },
    ports: { type: 'array', minItems: 1, items: dnsPort },
  },
  oneOf: [{ required: ['namespace', 'podLabels'] }, { required: ['ip'] }],
} as const;

/** A NetworkPolicy name: a lowercase RFC 1123 DNS subdomain, as the API server requires. */
const policyName = {
  type: 'string',
  minLength: 1,
  maxLength: 253,
  pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
} as const;

const ruleSwitch = {
  type: 'object',
  additionalProperties: false,
  properties: { enabled: { type: 'boolean' } },
} as const;

/** JSON Schema of the configuration file; every key is optional and defaults apply. */
export const CONFIG_SCHEMA = {
  $id: 'https://netpol-guard.io/schemas/config.json',
  type: 'object',
  additionalProperties: false,
  properties: {
    mode: { enum: [...MODES] },
    rules: {
      type: 'object',
      additionalProperties: false,
      properties: {
        'default-deny': {
          type: 'object',
          additionalProperties: false,
          properties: {
            enabled: { type: 'boolean' },
            directions: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['Ingress', 'Egress'] } },
          },
        },
        'dns-egress': {
          type: 'object',
          additionalProperties: false,
          properties: { enabled: { type: 'boolean' }, requireTcp: { type: 'boolean' } },
        },
        'baseline-protection': ruleSwitch,
        'exemption-approval': ruleSwitch,
        'namespace-mode': ruleSwitch,
      },
    },
    dns: {
      type: 'object',
      additionalProperties: false,
      properties: {
        discover: { type: 'boolean' },
        service: {
          type: 'object',
          additionalProperties: false,
          required: ['namespace', 'name'],
          properties: { namespace: { type: 'string', minLength: 1 }, name: { type: 'string', minLength: 1 } },
        },
        targets: { type: 'array', minItems: 1, items: dnsTarget },
      },
    },
    webhookNamespace: { type: 'string', minLength: 1 },
    exemptions: {
      type: 'object',
      additionalProperties: false,
      properties: { namespaces: stringList, usernames: stringList, groups: stringList },
    },
    approvers: {
      type: 'object',
      additionalProperties: false,
      properties: { usernames: stringList, groups: stringList, rbac: { type: 'boolean' } },
    },
    baseline: {
      type: 'object',
      additionalProperties: false,
      properties: {
        applyToExisting: { type: 'boolean' },
        denyAllName: policyName,
        allowDnsName: policyName,
        podWaitMs: { type: 'integer', minimum: 0, maximum: 10_000 },
        extraPolicies: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'spec'],
            properties: { name: policyName, spec: { type: 'object' } },
          },
        },
      },
    },
    server: {
      type: 'object',
      additionalProperties: false,
      properties: {
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        host: { type: 'string', minLength: 1 },
        metricsPort: { type: 'integer', minimum: 0, maximum: 65535 },
        bodyLimit: { type: 'integer', minimum: 1024 },
        requestTimeoutMs: { type: 'integer', minimum: 100 },
        shutdownTimeoutMs: { type: 'integer', minimum: 0 },
      },
    },
    state: {
      type: 'object',
      additionalProperties: false,
      properties: { maxAgeSeconds: { type: 'integer', minimum: 1 } },
    },
  },
} as const;
