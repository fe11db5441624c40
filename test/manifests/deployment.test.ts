// The webhook's Deployment, Service, PodDisruptionBudget, Namespace and
// NetworkPolicies: security settings, probes, the files the server reads,
// and ports that agree with the configuration file.
import t from 'tap';
import { parse as parseYaml } from 'yaml';
import { resolveConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import { selectorMatches, type LabelSelector } from '../../src/engine/index.js';
import type { Manifest } from '../helpers/kustomize.js';
import { findAll, findOne, renderVariant, VARIANT_NAMES } from './rendered.js';


interface Probe {
  httpGet: { path: string; port: string; scheme: string };
}
interface Container {
  name: string;
  image: string;
  args: string[];
  env: Array<{ name: string; value?: string; valueFrom?: unknown }>;
  ports: Array<{ name: string; containerPort: number; protocol: string }>;
  readinessProbe: Probe;
  livenessProbe: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: {
    runAsNonRoot?: boolean;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
    seccompProfile?: { type: string };
    privileged?: boolean;
  };
  volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean; subPath?: string }>;
}
interface PodSpec {
  serviceAccountName: string;
  terminationGracePeriodSeconds: number;
  securityContext: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
  affinity: {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: Array<{ weight: number; podAffinityTerm: { topologyKey: string; labelSelector: LabelSelector } }>;
    };
  };
  containers: Container[];
  volumes: Array<{ name: string; secret?: { secretName: string; defaultMode?: number }; configMap?: { name: string }; emptyDir?: unknown }>;
  hostNetwork?: boolean;
}
interface DeploymentSpec {
  replicas: number;
  selector: LabelSelector;
  template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
}

function deploymentOf(objects: Manifest[]): { deployment: Manifest; spec: DeploymentSpec; pod: PodSpec; container: Container } {
  const deployment = findOne(objects, 'Deployment', 'netpol-guard');
  const spec = deployment.spec as DeploymentSpec;
  if (spec.template.spec.containers.length !== 1) throw new Error(`expected one container, found ${spec.template.spec.containers.length}`);
  return { deployment, spec, pod: spec.template.spec, container: spec.template.spec.containers[0]! };
}

function configOf(objects: Manifest[]): Config {
  const data = findOne(objects, 'ConfigMap').data as Record<string, string>;
  return resolveConfig(parseYaml(data['config.yaml']!));
}

/** Returns the value of `--name=value` in an argument list. */
function argument(args: string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  return args.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}

function mountPathOf(container: Container, volume: string): string | undefined {
  return container.volumeMounts.find((mount) => mount.name === volume)?.mountPath;
}

for (const variant of VARIANT_NAMES) {
  t.test(`${variant} container security settings`, async (t) => {
    const { pod, container } = deploymentOf(await renderVariant(variant));
    t.equal(pod.securityContext.runAsNonRoot, true, 'pod runAsNonRoot');
    t.equal(pod.securityContext.runAsUser, 65532, 'pod runAsUser');
    t.equal(pod.securityContext.seccompProfile?.type, 'RuntimeDefault', 'pod seccomp');
    t.equal(pod.hostNetwork, undefined, 'hostNetwork');

    t.equal(container.securityContext.runAsNonRoot, true, 'runAsNonRoot');
    t.equal(container.securityContext.allowPrivilegeEscalation, false, 'allowPrivilegeEscalation');
    t.equal(container.securityContext.readOnlyRootFilesystem, true, 'readOnlyRootFilesystem');
    t.strictSame(container.securityContext.capabilities, { drop: ['ALL'] }, 'capabilities');
    t.equal(container.securityContext.seccompProfile?.type, 'RuntimeDefault', 'container seccomp');
    t.equal(container.securityContext.privileged, undefined, 'privileged');
  });

  t.test(`${variant} resources requests and limits`, async (t) => {
    const { container } = deploymentOf(await renderVariant(variant));
    t.strictSame(Object.keys(container.resources.requests).sort(), ['cpu', 'memory']);
    t.strictSame(Object.keys(container.resources.limits).sort(), ['cpu', 'memory']);
  });

  t.test(`${variant} replicas spread and disruption budget`, async (t) => {
    const objects = await renderVariant(variant);
    const { spec, pod } = deploymentOf(objects);
    const podLabels = spec.template.metadata.labels;
    t.equal(spec.replicas, 3);
    t.ok(selectorMatches(spec.selector, podLabels), 'Deployment selector matches its pods');

    const [term] = pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution;
    t.equal(term?.podAffinityTerm.topologyKey, 'kubernetes.io/hostname');
    t.ok(selectorMatches(term!.podAffinityTerm.labelSelector, podLabels), 'anti-affinity selects the webhook pods');

    const budget = findOne(objects, 'PodDisruptionBudget', 'netpol-guard').spec as { maxUnavailable: number; selector: LabelSelector };
    t.equal(budget.maxUnavailable, 1);
    t.ok(selectorMatches(budget.selector, podLabels), 'PodDisruptionBudget selects the webhook pods');
  });

  t.test(`${variant} probes use the HTTPS port`, async (t) => {
    const { container } = deploymentOf(await renderVariant(variant));
    t.strictSame(container.readinessProbe.httpGet, { path: '/readyz', port: 'https', scheme: 'HTTPS' });
    t.strictSame(container.livenessProbe.httpGet, { path: '/healthz', port: 'https', scheme: 'HTTPS' });
  });

  t.test(`${variant} arguments match the configuration`, async (t) => {
    const objects = await renderVariant(variant);
    const { container } = deploymentOf(objects);
    const config = configOf(objects);

    t.strictSame(container.ports, [
      { name: 'https', containerPort: config.server.port, protocol: 'TCP' },
      { name: 'metrics', containerPort: config.server.metricsPort, protocol: 'TCP' },
    ]);
    t.equal(argument(container.args, 'port'), String(config.server.port));
    t.equal(argument(container.args, 'metrics-port'), String(config.server.metricsPort));
    t.ok(container.args.includes('--in-cluster'), '--in-cluster');
    t.equal(container.image, 'netpol-guard:0.1.0');
  });

  t.test(`${variant} mounts configuration and TLS files`, async (t) => {
    const objects = await renderVariant(variant);
    const { pod, container } = deploymentOf(objects);

    const configVolume = pod.volumes.find((volume) => volume.name === 'config');
    t.equal(configVolume?.configMap?.name, findOne(objects, 'ConfigMap').metadata.name, 'the generated ConfigMap');
    t.equal(argument(container.args, 'config'), `${mountPathOf(container, 'config')}/config.yaml`);

    const tlsVolume = pod.volumes.find((volume) => volume.name === 'tls');
    t.equal(tlsVolume?.secret?.secretName, 'netpol-guard-tls');
    t.equal(tlsVolume?.secret?.defaultMode, 0o440, 'key readable by owner and group only');
    const tlsMount = mountPathOf(container, 'tls');
    t.equal(argument(container.args, 'tls-cert'), `${tlsMount}/tls.crt`);
    t.equal(argument(container.args, 'tls-key'), `${tlsMount}/tls.key`);

    for (const mount of container.volumeMounts) {
      // The kubelet never updates files mounted with subPath, so a renewed certificate would not reach the server.
      t.equal(mount.subPath, undefined, `${mount.name} has no subPath`);
      if (mount.name !== 'tmp') t.equal(mount.readOnly, true, `${mount.name} is read-only`);
    }
  });

  t.test(`${variant} grace period outlasts shutdown`, async (t) => {
    const objects = await renderVariant(variant);
    const { pod, container } = deploymentOf(objects);
    const command = container.lifecycle?.preStop?.exec?.command;
    t.strictSame(command, ['/bin/sleep', '5']);

    const preStopMs = Number(command?.[1]) * 1000;
    const shutdownMs = configOf(objects).server.shutdownTimeoutMs;
    t.equal(shutdownMs, 20_000);
    t.ok(pod.terminationGracePeriodSeconds * 1000 > preStopMs + shutdownMs, `${pod.terminationGracePeriodSeconds} s > ${preStopMs + shutdownMs} ms`);
  });

  t.test(`${variant} Service targets the webhook pods`, async (t) => {
    const objects = await renderVariant(variant);
    const { spec } = deploymentOf(objects);
    const service = findOne(objects, 'Service', 'netpol-guard').spec as { selector: Record<string, string>; ports: unknown[] };
    t.ok(selectorMatches({ matchLabels: service.selector }, spec.template.metadata.labels), 'selector matches the pods');
    t.strictSame(service.ports, [
      { name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' },
      { name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP' },
    ]);
  });

  t.test(`${variant} Namespace labels`, async (t) => {
    const namespace = findOne(await renderVariant(variant), 'Namespace', 'netpol-guard');
    t.strictSame(namespace.metadata.labels, {
      'app.kubernetes.io/part-of': 'netpol-guard',
      'kubernetes.io/metadata.name': 'netpol-guard',
      'netpol-guard.io/mode': 'audit',
      'pod-security.kubernetes.io/enforce': 'restricted',
    });
  });

  t.test(`${variant} NetworkPolicies isolate the namespace`, async (t) => {
    const objects = await renderVariant(variant);
    const podLabels = deploymentOf(objects).spec.template.metadata.labels;
    const policies = findAll(objects, 'NetworkPolicy').map((policy) => ({
      name: policy.metadata.name,
      namespace: policy.metadata.namespace,
      spec: policy.spec as {
        podSelector: LabelSelector;
        policyTypes: string[];
        ingress?: Array<{ from?: unknown[]; ports: unknown[] }>;
        egress?: Array<{ to?: unknown[]; ports: unknown[] }>;
      },
    }));
    for (const policy of policies) {
      t.equal(policy.namespace, 'netpol-guard', `${policy.name} namespace`);
      t.ok(selectorMatches(policy.spec.podSelector, podLabels), `${policy.name} selects the webhook pods`);
    }

    const byName = new Map(policies.map((policy) => [policy.name, policy.spec]));
    t.strictSame(byName.get('default-deny-all'), { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    t.strictSame(byName.get('allow-webhook-ingress')?.ingress, [{ ports: [{ protocol: 'TCP', port: 8443 }] }]);
    t.strictSame(byName.get('allow-metrics-ingress')?.ingress, [{ ports: [{ protocol: 'TCP', port: 9090 }] }]);
    t.strictSame(byName.get('allow-dns-egress')?.egress, [
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ]);
    t.strictSame(byName.get('allow-apiserver-egress')?.egress, [
      {
        ports: [
          { protocol: 'TCP', port: 443 },
          { protocol: 'TCP', port: 6443 },
        ],
      },
    ]);
  });
}
