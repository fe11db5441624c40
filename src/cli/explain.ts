import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import {
  evaluate,
  podKey,
  portNameProblem,
  PROTOCOLS,
  reachabilityMatrix,
  resolvePort,
  type Endpoint,
  type PodEndpoint,
  type Protocol,
} from '../engine/index.js';
import { loadStateFromFiles, type FileState } from '../state/load-files.js';
import { ManifestError } from '../state/read-manifests.js';
import { podEndpointOf, type StateStore } from '../state/store.js';
import { matrixText } from './format/matrix.js';
import { verdictJson, verdictText } from './format/verdict.js';
import { EXIT_ERROR, EXIT_OK, UsageError, writeLine, type CliIo } from './io.js';

export const EXPLAIN_USAGE = `Usage:
  netpol-guard explain -f PATH... --from NS/POD --to NS/POD|IP --port PORT [--protocol TCP|UDP|SCTP] [-o text|json]
  netpol-guard explain -f PATH... --matrix --port PORT [--protocol TCP|UDP|SCTP] [-o text|json]

Tells whether one pod may open a connection to another pod or an IP address
under the NetworkPolicies in the manifests, and which policies and rules
decide it; with --matrix, prints the verdict for every pair of Pods.

Options:
  -f, --filename PATH   manifest file (.yaml, .yml, .json) or folder, read recursively; repeatable
      --from NS/POD     source: a Pod, or a workload whose pod template is used; or an IP address
      --to NS/POD|IP    destination: a Pod, a workload, or an IP address (a Pod with that IP is used)
      --port PORT       destination port: a number from 1 to 65535, or a container port name
                        resolved against the destination pod
      --protocol PROTO  TCP (default), UDP or SCTP
      --matrix          print reachability between every pair of Pods instead of one verdict
  -o, --output FORMAT   text (default) or json
  -h, --help            print this help

Exit codes: 0 when the question was answered, whether the connection is
allowed or denied; 2 for invalid options, unreadable or invalid manifests,
an invalid NetworkPolicy, an unknown pod or a port the pod does not expose.`;

/** Keeps the "pod not found" message to one readable line. */
const MAX_NAMES_IN_HINT = 8;

interface ExplainOptions {
  paths: string[];
  from?: string;
  to?: string;
  port: number | string;
  protocol: Protocol;
  matrix: boolean;
  output: 'text' | 'json';
}

/** Runs `netpol-guard explain`. Throws UsageError for an invalid option, an unreadable manifest or an unknown pod. */
export async function runExplain(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      filename: { type: 'string', short: 'f', multiple: true },
      from: { type: 'string' },
      to: { type: 'string' },
      port: { type: 'string' },
      protocol: { type: 'string' },
      matrix: { type: 'boolean' },
      output: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    writeLine(io.stdout, EXPLAIN_USAGE);
    return EXIT_OK;
  }

  const options = validateOptions(values);
  const state = await loadState(options.paths);
  if (state.invalidPolicies.length > 0) {
    for (const error of state.invalidPolicies) {
      writeLine(io.stderr, `netpol-guard explain: ${error.file}:${error.line}: invalid NetworkPolicy ${error.policy}: ${error.field}: ${error.message}`);
    }
    return EXIT_ERROR;
  }

  if (options.matrix) {
    writeMatrix(state.store, options, io);
  } else {
    writeVerdict(state.store, options, io);
  }
  return EXIT_OK;
}

function validateOptions(values: {
  filename?: string[];
  from?: string;
  to?: string;
  port?: string;
  protocol?: string;
  matrix?: boolean;
  output?: string;
}): ExplainOptions {
  const paths = values.filename ?? [];
  if (paths.length === 0) throw new UsageError('missing -f PATH: name at least one manifest file or folder');

  const matrix = values.matrix === true;
  if (matrix && (values.from !== undefined || values.to !== undefined)) {
    throw new UsageError('--matrix cannot be combined with --from or --to');
  }
  if (!matrix && (values.from === undefined || values.to === undefined)) {
    throw new UsageError('missing --from and --to: name a source and a destination, or use --matrix');
  }
  if (values.port === undefined) throw new UsageError('missing --port: give a port number or a container port name');

  const protocol = (values.protocol ?? 'TCP').toUpperCase() as Protocol;
  if (!PROTOCOLS.includes(protocol)) {
    throw new UsageError(`invalid --protocol ${JSON.stringify(values.protocol)}: use TCP, UDP or SCTP`);
  }
  const output = values.output ?? 'text';
  if (output !== 'text' && output !== 'json') {
    throw new UsageError(`invalid --output ${JSON.stringify(output)}: use text or json`);
  }

  return {
    paths,
    ...(values.from === undefined ? {} : { from: values.from }),
    ...(values.to === undefined ? {} : { to: values.to }),
    port: parsePort(values.port),
    protocol,
    matrix,
    output,
  };
}

function parsePort(text: string): number | string {
  if (/^\d+$/.test(text)) {
    const port = Number(text);
    if (port < 1 || port > 65535) throw new UsageError(`invalid --port ${text}: use 1 to 65535 or a container port name`);
    return port;
  }
  if (portNameProblem(text) !== undefined) {
    throw new UsageError(`invalid --port ${JSON.stringify(text)}: use 1 to 65535 or a container port name such as http`);
  }
  return text;
}

async function loadState(paths: string[]): Promise<FileState> {
  try {
    return await loadStateFromFiles(paths);
  } catch (error) {
    // ManifestError messages are one line that starts with the file and, when known, the line.
    if (error instanceof ManifestError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * Finds an endpoint by `NS/NAME` (a Pod, else a workload's pod template) or
 * by IP address. An IP that belongs to a known Pod is that Pod, so its
 * policies apply to the connection.
 */
function findEndpoint(store: StateStore, text: string, option: string): Endpoint {
  if (isIP(text) !== 0) {
    const owner = allPods(store).find((pod) => pod.ip === text);
    return owner ?? { kind: 'ip', ip: text };
  }

  const slash = text.indexOf('/');
  if (slash <= 0 || slash === text.length - 1 || text.indexOf('/', slash + 1) >= 0) {
    throw new UsageError(`invalid ${option} ${JSON.stringify(text)}: use NAMESPACE/NAME or an IP address`);
  }
  const namespace = text.slice(0, slash);
  const name = text.slice(slash + 1);

  const pod = store.podsIn(namespace).find((candidate) => candidate.name === name);
  if (pod) return pod;
  const workload = store.workloadsIn(namespace).find((candidate) => candidate.name === name);
  if (workload) return podEndpointOf(workload);

  const known = store.workloadsIn(namespace).map((candidate) => candidate.name).sort();
  const listed = known.slice(0, MAX_NAMES_IN_HINT).join(', ');
  const more = known.length > MAX_NAMES_IN_HINT ? ` and ${known.length - MAX_NAMES_IN_HINT} more` : '';
  const hint = known.length > 0 ? `; known in ${namespace}: ${listed}${more}` : `; the manifests define no pod or workload in ${namespace}`;
  throw new UsageError(`${option} ${text}: pod not found${hint}`);
}

function allPods(store: StateStore): PodEndpoint[] {
  return store.namespaceNames().flatMap((namespace) => [...store.podsIn(namespace)]);
}

function endpointLabel(endpoint: Endpoint): string {
  return endpoint.kind === 'ip' ? endpoint.ip : podKey(endpoint);
}

function writeVerdict(store: StateStore, options: ExplainOptions, io: CliIo): void {
  const source = findEndpoint(store, options.from!, '--from');
  const destination = findEndpoint(store, options.to!, '--to');

  if (typeof options.port === 'string' && destination.kind === 'ip') {
    throw new UsageError(`--port ${options.port}: a port name needs a pod destination; give the number for ${destination.ip}`);
  }
  const port = resolvePort(destination.kind === 'pod' ? destination : undefined, options.port, options.protocol);
  if (port === undefined) {
    throw new UsageError(`--port ${options.port}: ${endpointLabel(destination)} has no ${options.protocol} container port named ${options.port}`);
  }

  const verdict = evaluate(store, { source, destination, port, protocol: options.protocol });
  const connection = { from: endpointLabel(source), to: endpointLabel(destination), port, protocol: options.protocol };
  if (options.output === 'json') {
    writeLine(io.stdout, JSON.stringify(verdictJson(verdict, connection), null, 2));
  } else {
    writeLine(io.stdout, verdictText(verdict, connection));
  }
}

function writeMatrix(store: StateStore, options: ExplainOptions, io: CliIo): void {
  const matrix = reachabilityMatrix(store, allPods(store), options.port, options.protocol);
  if (options.output === 'json') {
    writeLine(io.stdout, JSON.stringify(matrix, null, 2));
  } else {
    writeLine(io.stdout, matrixText(matrix, options.port, options.protocol));
  }
}
