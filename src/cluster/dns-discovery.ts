/**
 * Finds the cluster's DNS pods from its DNS Service, so the baseline's
 * allow-DNS policy and the dns-egress rule use the real pod labels and ports.
 * Examples are CoreDNS on 53 (kubeadm, EKS, GKE, AKS, k3s), OpenShift's
 * dns-default on 5353, vcluster's CoreDNS on 1053, and CoreDNS labelled
 * `k8s-app: coredns`. NetworkPolicy matches the pod port after the Service's
 * DNAT, so the Service port 53 is mapped to its targetPort.
 *
 * The mapping functions are pure; DnsDiscovery keeps the latest facts the
 * informers deliver and recomputes the targets when they change.
 */
import type { Logger } from 'pino';
import type { DnsPodTarget, DnsPort, DnsTarget, Labels, PodEndpoint, Protocol } from '../engine/index.js';
import { metadataOf, stringMap } from '../state/objects.js';

const DNS_PORT = 53;

/** DNS Services looked for after the configured one: OpenShift's DNS operator serves `openshift-dns/dns-default`. */
export const WELL_KNOWN_DNS_SERVICES: ReadonlyArray<{ namespace: string; name: string }> = [
  { namespace: 'kube-system', name: 'kube-dns' },
  { namespace: 'openshift-dns', name: 'dns-default' },
];

export interface ServicePortFacts {
  name?: string;
  protocol: Protocol;
  port: number;
  /** A pod port number or a container port name; absent means the same number as `port`. */
  targetPort?: number | string;
}

export interface ServiceFacts {
  namespace: string;
  name: string;
  /** Pod labels the Service selects; undefined for a Service without a selector. */
  selector?: Labels;
  ports: ServicePortFacts[];
}

/** A port of an EndpointSlice: the Service port's name with the resolved pod port number. */
export interface EndpointSlicePortFacts {
  name: string;
  protocol: Protocol;
  port?: number;
}

export type DnsServiceResult = { ok: true; target: DnsPodTarget } | { ok: false; reason: string };

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function protocolOf(value: unknown): Protocol {
  return value === 'UDP' || value === 'SCTP' ? value : 'TCP';
}

/** Reads the facts discovery needs from a Service object. */
export function serviceFacts(object: unknown): ServiceFacts {
  const metadata = metadataOf(object);
  const spec = record(record(object).spec);
  const selector = stringMap(spec.selector);
  const ports: ServicePortFacts[] = [];
  for (const entry of Array.isArray(spec.ports) ? spec.ports.map(record) : []) {
    if (typeof entry.port !== 'number') continue;
    const targetPort = typeof entry.targetPort === 'number' || typeof entry.targetPort === 'string' ? entry.targetPort : undefined;
    ports.push({
      ...(typeof entry.name === 'string' && entry.name !== '' ? { name: entry.name } : {}),
      protocol: protocolOf(entry.protocol),
      port: entry.port,
      ...(targetPort === undefined || targetPort === '' ? {} : { targetPort }),
    });
  }
  return {
    namespace: typeof metadata.namespace === 'string' ? metadata.namespace : '',
    name: typeof metadata.name === 'string' ? metadata.name : '',
    ...(Object.keys(selector).length > 0 ? { selector } : {}),
    ports,
  };
}

/** Reads the ports of an EndpointSlice object. */
export function endpointSlicePorts(object: unknown): EndpointSlicePortFacts[] {
  const ports = record(object).ports;
  return (Array.isArray(ports) ? ports.map(record) : []).map((entry) => ({
    name: typeof entry.name === 'string' ? entry.name : '',
    protocol: protocolOf(entry.protocol),
    ...(typeof entry.port === 'number' ? { port: entry.port } : {}),
  }));
}

function selects(selector: Labels, labels: Labels): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** Resolves one Service port to the pod port it forwards to, or returns why it cannot. */
function resolvePort(
  port: ServicePortFacts,
  slicePorts: readonly EndpointSlicePortFacts[],
  pods: readonly PodEndpoint[],
): DnsPort | string {
  const target = port.targetPort ?? port.port;
  const podPorts = pods.flatMap((pod) => pod.ports ?? []).filter((podPort) => (podPort.protocol ?? 'TCP') === port.protocol);
  if (typeof target === 'number') {
    const named = podPorts.find((podPort) => podPort.containerPort === target && podPort.name !== undefined);
    return { protocol: port.protocol, port: target, ...(named?.name === undefined ? {} : { name: named.name }) };
  }

  // EndpointSlices carry the Service port's name with the number the controller resolved from the pods.
  const fromSlice = slicePorts.find((slicePort) => slicePort.name === (port.name ?? '') && slicePort.protocol === port.protocol && slicePort.port !== undefined);
  if (fromSlice?.port !== undefined) return { protocol: port.protocol, port: fromSlice.port, name: target };
  const fromPod = podPorts.find((podPort) => podPort.name === target);
  if (fromPod) return { protocol: port.protocol, port: fromPod.containerPort, name: target };
  return `${port.protocol} port ${port.port} targets container port ${JSON.stringify(target)}, which no EndpointSlice or DNS pod resolves`;
}

/**
 * Maps a DNS Service to the engine's DNS target: the pods its selector picks,
 * on the pod ports behind its port 53 (UDP and TCP).
 */
export function dnsTargetFromService(
  service: ServiceFacts,
  slicePorts: readonly EndpointSlicePortFacts[],
  podsInNamespace: readonly PodEndpoint[],
): DnsServiceResult {
  const id = `${service.namespace}/${service.name}`;
  if (!service.selector) return { ok: false, reason: `Service ${id} has no selector, so its DNS pods cannot be told by labels` };
  const selector = service.selector;
  const dnsPorts = service.ports.filter((port) => port.port === DNS_PORT && (port.protocol === 'UDP' || port.protocol === 'TCP'));
  if (dnsPorts.length === 0) return { ok: false, reason: `Service ${id} has no UDP or TCP port ${DNS_PORT}` };

  const pods = podsInNamespace.filter((pod) => selects(selector, pod.labels));
  const ports: DnsPort[] = [];
  const problems: string[] = [];
  for (const port of dnsPorts) {
    const resolved = resolvePort(port, slicePorts, pods);
    if (typeof resolved === 'string') problems.push(resolved);
    else if (!ports.some((known) => known.protocol === resolved.protocol && known.port === resolved.port)) ports.push(resolved);
  }
  if (ports.length === 0) return { ok: false, reason: `Service ${id}: ${problems.join('; ')}` };

  const labelText = Object.entries(selector)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  return { ok: true, target: { name: `${service.namespace}/${labelText}`, namespace: service.namespace, podLabels: { ...selector }, ports } };
}

/** The DNS targets in force and where they came from. */
export interface DnsSelection {
  targets: readonly DnsTarget[];
  source: 'discovered' | 'configured';
  /** The Service the targets came from, when discovered. */
  service?: string;
  /** Reasons the Services before the chosen one were not used. */
  skipped: string[];
}

/** Picks the first Service that maps to a target, else the configured targets. */
export function selectDnsTargets(
  results: ReadonlyArray<{ service: string; result: DnsServiceResult | undefined }>,
  configured: readonly DnsTarget[],
): DnsSelection {
  const skipped: string[] = [];
  for (const { service, result } of results) {
    if (result === undefined) {
      skipped.push(`Service ${service} not found`);
      continue;
    }
    if (result.ok) return { targets: [result.target], source: 'discovered', service, skipped };
    skipped.push(result.reason);
  }
  return { targets: configured, source: 'configured', skipped };
}

/** Returns the DNS Services to read: the configured one first, then the well-known ones. */
export function dnsServiceCandidates(configured: { namespace: string; name: string }): Array<{ namespace: string; name: string }> {
  const candidates = [configured];
  for (const known of WELL_KNOWN_DNS_SERVICES) {
    if (!candidates.some((entry) => entry.namespace === known.namespace && entry.name === known.name)) candidates.push(known);
  }
  return candidates;
}

export interface DnsDiscoveryOptions {
  candidates: ReadonlyArray<{ namespace: string; name: string }>;
  configured: readonly DnsTarget[];
  podsIn: (namespace: string) => readonly PodEndpoint[];
  logger: Logger;
  onChange?: (selection: DnsSelection) => void;
}

/** Holds the DNS Services and EndpointSlices seen and the targets derived from them. */
export class DnsDiscovery {
  private readonly options: DnsDiscoveryOptions;
  private readonly services = new Map<string, ServiceFacts>();
  /** EndpointSlice ports by Service (`namespace/name`), then by slice name. */
  private readonly slices = new Map<string, Map<string, EndpointSlicePortFacts[]>>();
  private current: DnsSelection;
  private currentKey: string;

  constructor(options: DnsDiscoveryOptions) {
    this.options = options;
    this.current = { targets: options.configured, source: 'configured', skipped: [] };
    this.currentKey = JSON.stringify(this.current.targets);
  }

  get selection(): DnsSelection {
    return this.current;
  }

  targets(): readonly DnsTarget[] {
    return this.current.targets;
  }

  /** True for namespaces whose pods can change the targets. */
  watchesNamespace(namespace: string): boolean {
    return this.options.candidates.some((candidate) => candidate.namespace === namespace);
  }

  putService(object: unknown): void {
    const facts = serviceFacts(object);
    this.services.set(`${facts.namespace}/${facts.name}`, facts);
  }

  removeService(namespace: string, name: string): void {
    this.services.delete(`${namespace}/${name}`);
  }

  putEndpointSlice(object: unknown): void {
    const metadata = metadataOf(object);
    const service = stringMap(metadata.labels)['kubernetes.io/service-name'];
    if (service === undefined || typeof metadata.namespace !== 'string' || typeof metadata.name !== 'string') return;
    const key = `${metadata.namespace}/${service}`;
    let slices = this.slices.get(key);
    if (!slices) this.slices.set(key, (slices = new Map()));
    slices.set(metadata.name, endpointSlicePorts(object));
  }

  removeEndpointSlice(namespace: string, name: string): void {
    for (const [key, slices] of this.slices) {
      if (key.startsWith(`${namespace}/`)) slices.delete(name);
    }
  }

  /** Recomputes the targets; logs and reports them when they changed. */
  refresh(): DnsSelection {
    const { candidates, configured, podsIn, logger } = this.options;
    const results = candidates.map(({ namespace, name }) => {
      const key = `${namespace}/${name}`;
      const service = this.services.get(key);
      const slicePorts = [...(this.slices.get(key)?.values() ?? [])].flat();
      return { service: key, result: service ? dnsTargetFromService(service, slicePorts, podsIn(namespace)) : undefined };
    });
    const selection = selectDnsTargets(results, configured);
    const key = JSON.stringify(selection.targets);
    if (key === this.currentKey) {
      this.current = selection;
      return selection;
    }
    this.current = selection;
    this.currentKey = key;
    const summary = selection.targets.map((target) => ({ name: target.name, ports: target.ports.map((port) => `${port.protocol}/${port.port}`) }));
    if (selection.source === 'discovered') logger.info({ service: selection.service, targets: summary }, 'using DNS targets discovered from the DNS Service');
    else logger.warn({ targets: summary, skipped: selection.skipped }, 'DNS Service not usable; using the configured DNS targets');
    this.options.onChange?.(selection);
    return selection;
  }
}
