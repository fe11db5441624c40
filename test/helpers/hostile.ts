// Shared by the robustness and property tests: an HTTPS webhook on
// 127.0.0.1 built by startServer, raw HTTPS clients that can send any bytes
// (streamed, slow, malformed), a heap probe, and fast-check generators of
// label maps, selectors, NetworkPolicies and Namespaces.
import { once } from 'node:events';
import type http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';
import { pino, type Logger } from 'pino';
import type { Test } from 'tap';
import { defaultConfig } from '../../src/config/defaults.js';
import type { Config } from '../../src/config/types.js';
import type { LabelSelector, NetworkPolicySpec } from '../../src/engine/index.js';
import { startServer, type RunningServer, type StateProvider } from '../../src/server/start.js';
import { createTestPki, type TestPki } from './certificates.js';

/** The host name the API server dials and the test certificate names. */
export const SERVICE_NAME = 'netpol-guard.netpol-guard.svc';

/** Runs for each fast-check property: FUZZ_RUNS from the environment (`npm run fuzz`), else a short CI default. */
export function fuzzRuns(ciDefault: number): number {
  const runs = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(runs) && runs > 0 ? runs : ciDefault;
}

export interface HostileServerOptions {
  /** Replaces parts of the file-backed StateProvider, such as `health` or `baseline`. */
  state: Omit<StateProvider, 'health'> & { health?: StateProvider['health'] };
  configure?: (config: Config) => void;
  logger?: Logger;
  pki?: TestPki;
  tlsPollIntervalMs?: number;
}

/** Starts the webhook with startServer on 127.0.0.1 and an ephemeral port, without the metrics listener. */
export async function startHostileServer(t: Test, options: HostileServerOptions): Promise<RunningServer> {
  const pki = options.pki ?? createTestPki();
  const config = defaultConfig();
  config.server.port = 0;
  config.server.host = '127.0.0.1';
  options.configure?.(config);
  const server = await startServer({
    config,
    logger: options.logger ?? pino({ level: 'silent' }),
    state: { health: () => ({ ready: true }), ...options.state },
    tls: {
      certFile: pki.certFile,
      keyFile: pki.keyFile,
      ...(options.tlsPollIntervalMs === undefined ? {} : { pollIntervalMs: options.tlsPollIntervalMs }),
    },
    metricsListener: false,
  });
  t.teardown(() => server.close());
  return server;
}

export interface HttpsReply {
  statusCode: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Parses a reply body as JSON, or returns the text when it is not JSON. */
export function jsonOf(reply: HttpsReply): unknown {
  try {
    return JSON.parse(reply.body) as unknown;
  } catch {
    return reply.body;
  }
}

export interface PostOptions {
  /** Extra or replacement headers; `content-length` is set from the payload unless given here. */
  headers?: Record<string, string | number>;
  ca?: string;
}

/**
 * POSTs `payload` over HTTPS to 127.0.0.1 on a fresh connection (no agent, no
 * keep-alive), verifying the certificate for the Service name as the API server does.
 */
export async function httpsPost(port: number, path: string, payload: string | Buffer, options: PostOptions = {}): Promise<HttpsReply> {
  const request = https.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path,
    ca: options.ca ?? createTestPki().caPem,
    servername: SERVICE_NAME,
    agent: false,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...options.headers },
  });
  request.end(payload);
  return readReply(request);
}

/** GETs `path` over HTTPS on a fresh connection. */
export async function httpsGet(port: number, path: string): Promise<HttpsReply> {
  const request = https.request({ host: '127.0.0.1', port, method: 'GET', path, ca: createTestPki().caPem, servername: SERVICE_NAME, agent: false });
  request.end();
  return readReply(request);
}

export async function readReply(request: http.ClientRequest): Promise<HttpsReply> {
  const [response] = (await once(request, 'response')) as [http.IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return { statusCode: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') };
}

/** Opens a verified TLS connection to the webhook, for tests that write raw HTTP/1.1 bytes. */
export async function connectRaw(port: number, ca: string = createTestPki().caPem): Promise<tls.TLSSocket> {
  const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: SERVICE_NAME });
  await once(socket, 'secureConnect');
  return socket;
}

/** Reads a socket until the server closes it; resolves with everything received. */
export async function readUntilClosed(socket: tls.TLSSocket): Promise<string> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await new Promise<void>((resolve) => {
    socket.once('close', () => resolve());
    // A reset from the server is an expected way to stop a hostile client.
    socket.on('error', () => {});
  });
  return Buffer.concat(chunks).toString('latin1');
}

let collect: (() => void) | undefined;

/**
 * Returns V8's garbage collector. tap 21 passes node flags only through the
 * global `node-arg` setting, so this turns on --expose-gc at run time and
 * takes `gc` from a new context, where V8 installs it.
 */
export function garbageCollector(): () => void {
  if (collect) return collect;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') {
    collect = exposed;
  } else {
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  }
  return collect;
}

/** Returns heapUsed after full collections, so leftovers of finished requests are not counted. */
export async function settledHeapUsed(): Promise<number> {
  const gc = garbageCollector();
  for (let round = 0; round < 3; round++) {
    // Let closed sockets and timers run their callbacks before collecting.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  return process.memoryUsage().heapUsed;
}

/** Returns the JSON text of `depth` nested objects: `{"a":{"a":...}}`. */
export function nestedObjectJson(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** Returns the JSON text of `depth` nested arrays: `[[[...]]]`. */
export function nestedArrayJson(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

// ---------------------------------------------------------------------------
// fast-check generators

const NAME_CHARACTERS = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('');

/** Short lowercase names, valid as namespace names; a small alphabet makes repeats common. */
export const nameArbitrary: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...NAME_CHARACTERS.slice(0, 4), ...NAME_CHARACTERS.slice(26, 28)), { minLength: 1, maxLength: 3 })
  .map((characters) => characters.join(''));

/** Valid label keys, with and without a DNS prefix. */
export const labelKeyArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('app', 'tier', 'team', 'role'),
  fc.constantFrom('app.kubernetes.io/name', 'example.com/zone'),
);

/** Valid label values, including the empty one. */
export const labelValueArbitrary: fc.Arbitrary<string> = fc.constantFrom('', 'a', 'b', 'web', 'db', 'x.y-z_1');

export const labelsArbitrary: fc.Arbitrary<Record<string, string>> = fc.dictionary(labelKeyArbitrary, labelValueArbitrary, { maxKeys: 3 });

/** Label values the API server rejects, one of each shape (IsValidLabelValue). */
export const INVALID_LABEL_VALUES: ReadonlyArray<{ name: string; value: unknown }> = [
  { name: 'too long', value: 'a'.repeat(64) },
  { name: 'leading dash', value: '-web' },
  { name: 'trailing dot', value: 'web.' },
  { name: 'space', value: 'web app' },
  { name: 'slash', value: 'a/b' },
  { name: 'non-ascii', value: 'wéb' },
  { name: 'control character', value: 'web\u0000' },
  { name: 'newline', value: 'web\nfrontend' },
  { name: 'number', value: 42 },
  { name: 'boolean', value: true },
  { name: 'null', value: null },
  { name: 'object', value: { nested: 'web' } },
  { name: 'array', value: ['web'] },
];

const requirementArbitrary = fc.oneof(
  fc.record({ key: labelKeyArbitrary, operator: fc.constantFrom('In', 'NotIn'), values: fc.array(labelValueArbitrary, { minLength: 1, maxLength: 2 }) }),
  fc.record({ key: labelKeyArbitrary, operator: fc.constantFrom('Exists', 'DoesNotExist') }),
);

/** Valid label selectors, `{}` included. */
export const selectorArbitrary: fc.Arbitrary<LabelSelector> = fc.record(
  { matchLabels: fc.dictionary(labelKeyArbitrary, labelValueArbitrary, { maxKeys: 2 }), matchExpressions: fc.array(requirementArbitrary, { maxLength: 2 }) },
  { requiredKeys: [] },
);

/** Namespaces of the generated clusters; few, so peers in other namespaces are common. */
export const NAMESPACES = ['alpha', 'beta', 'gamma'] as const;

const peerArbitrary = fc.oneof(
  fc.record({ podSelector: selectorArbitrary }),
  fc.record({ namespaceSelector: selectorArbitrary }),
  fc.record({ namespaceSelector: selectorArbitrary, podSelector: selectorArbitrary }),
  fc.record({ ipBlock: fc.constantFrom({ cidr: '10.0.0.0/8' }, { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }, { cidr: '0.0.0.0/0' }) }),
);

const portArbitrary = fc.oneof(
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP'), port: fc.constantFrom(53, 80, 443) }),
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP'), port: fc.constant(50), endPort: fc.constant(60) }),
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP'), port: fc.constantFrom('dns', 'http') }),
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP') }),
);

/** Returns rules of `ingress` (`from`) or `egress` (`to`); a missing peer or port list means all. */
export function ruleArbitrary(peerKey: 'from' | 'to'): fc.Arbitrary<Record<string, unknown>> {
  return fc.record({ [peerKey]: fc.array(peerArbitrary, { maxLength: 2 }), ports: fc.array(portArbitrary, { maxLength: 2 }) }, { requiredKeys: [] });
}

/** Valid NetworkPolicy specs: any podSelector, policyTypes explicit or defaulted, up to two rules a direction. */
export const policySpecArbitrary: fc.Arbitrary<NetworkPolicySpec> = fc.record(
  {
    podSelector: selectorArbitrary,
    policyTypes: fc.constantFrom(['Ingress'], ['Egress'], ['Ingress', 'Egress']),
    ingress: fc.array(ruleArbitrary('from'), { maxLength: 2 }),
    egress: fc.array(ruleArbitrary('to'), { maxLength: 2 }),
  },
  { requiredKeys: ['podSelector'] },
) as fc.Arbitrary<NetworkPolicySpec>;

/** Any JSON value, with the keys a prototype-pollution attempt uses mixed in. */
export const hostileJsonArbitrary: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, false, 0, -1, 1e308, '', 'AdmissionReview', 'admission.k8s.io/v1'),
    fc.string({ maxLength: 8 }),
    fc.integer(),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'kind', 'apiVersion', 'request', 'metadata'), fc.string({ maxLength: 4 })), tie('value'), { maxKeys: 4 }),
  ),
})).value;
