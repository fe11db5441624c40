import type { ContainerPort, NetworkPolicyPort, Protocol } from './types.js';
import { PROTOCOLS } from './types.js';
import { quoteValue } from './quote.js';

/** One entry of a rule's `ports`, validated and with its protocol defaulted. */
export interface CompiledPort {
  protocol: Protocol;
  /** Undefined when the entry names no port: every port of the protocol matches. */
  port?: number;
  endPort?: number;
  /** A named port, resolved against the destination pod's container ports. */
  name?: string;
}

export interface PortProblem {
  field: string;
  message: string;
}

const IANA_SERVICE_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** Returns why `name` is not a valid port name (IANA_SVC_NAME), or undefined. */
export function portNameProblem(name: string): string | undefined {
  if (name.length > 15 || !IANA_SERVICE_NAME.test(name) || !/[a-z]/.test(name) || name.includes('--')) {
    return `port name ${JSON.stringify(name)} is invalid: use 1 to 15 lowercase letters, digits and single "-", with at least one letter`;
  }
  return undefined;
}

function isPortNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

/** Validates one `NetworkPolicyPort` and defaults its protocol to TCP. */
export function compilePort(entry: NetworkPolicyPort, field: string, problems: PortProblem[]): CompiledPort | undefined {
  const before = problems.length;
  const protocol = (entry.protocol ?? 'TCP') as Protocol;
  if (!PROTOCOLS.includes(protocol)) {
    problems.push({ field: `${field}.protocol`, message: `unsupported protocol ${quoteValue(entry.protocol)}; use TCP, UDP or SCTP` });
  }

  const compiled: CompiledPort = { protocol };
  const { port, endPort } = entry;
  if (typeof port === 'string') {
    const problem = portNameProblem(port);
    if (problem) problems.push({ field: `${field}.port`, message: problem });
    compiled.name = port;
  } else if (port !== undefined && port !== null) {
    if (!isPortNumber(port)) {
      problems.push({ field: `${field}.port`, message: `port ${quoteValue(port)} is invalid: use 1 to 65535 or a port name` });
    }
    compiled.port = port;
  }

  if (endPort !== undefined && endPort !== null) {
    if (compiled.port === undefined) {
      problems.push({ field: `${field}.endPort`, message: 'endPort requires a numeric port' });
    } else if (!isPortNumber(endPort) || endPort < compiled.port) {
      problems.push({ field: `${field}.endPort`, message: `endPort ${quoteValue(endPort)} is invalid: use ${compiled.port} to 65535 (at least port)` });
    }
    compiled.endPort = endPort;
  }
  return problems.length === before ? compiled : undefined;
}

/**
 * Tests whether traffic to `port`/`protocol` matches one rule port entry.
 * A named port matches when the destination pod exposes a container port of
 * that name and protocol whose number is `port`.
 */
export function portMatches(
  entry: CompiledPort,
  port: number,
  protocol: Protocol,
  destinationPorts: readonly ContainerPort[] | undefined,
): boolean {
  if (entry.protocol !== protocol) return false;
  if (entry.name !== undefined) {
    return (destinationPorts ?? []).some(
      (containerPort) =>
        containerPort.name === entry.name &&
        (containerPort.protocol ?? 'TCP') === protocol &&
        containerPort.containerPort === port,
    );
  }
  if (entry.port === undefined) return true;
  const last = entry.endPort ?? entry.port;
  return port >= entry.port && port <= last;
}
