// Every directory under manifests/ that `kubectl apply -k` may be pointed at
// builds, and every object it prints validates against its API schema.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import t from 'tap';
import { parse as parseYaml } from 'yaml';
import { resolveConfig } from '../../src/config/load.js';
import { kustomizeBuild, type Manifest } from '../helpers/kustomize.js';
import { findOne, MANIFESTS_DIR, renderVariant, VARIANT_NAMES, type Variant } from './rendered.js';
import { schemaProblems } from './schemas.js';


function objectIds(objects: Manifest[]): string[] {
  return objects.map((object) => `${object.kind} ${object.metadata.namespace ?? '-'}/${object.metadata.name}`).sort();
}

const COMMON_OBJECTS = [
  'ClusterRole -/netpol-guard',
  'ClusterRoleBinding -/netpol-guard',
  'Deployment netpol-guard/netpol-guard',
  'MutatingWebhookConfiguration -/netpol-guard',
  'Namespace -/netpol-guard',
  'NetworkPolicy netpol-guard/allow-apiserver-egress',
  'NetworkPolicy netpol-guard/allow-dns-egress',
  'NetworkPolicy netpol-guard/allow-metrics-ingress',
  'NetworkPolicy netpol-guard/allow-webhook-ingress',
  'NetworkPolicy netpol-guard/default-deny-all',
  'PodDisruptionBudget netpol-guard/netpol-guard',
  'Role netpol-guard/netpol-guard-leader-election',
  'RoleBinding netpol-guard/netpol-guard-leader-election',
  'Service netpol-guard/netpol-guard',
  'ServiceAccount netpol-guard/netpol-guard',
  'ValidatingWebhookConfiguration -/netpol-guard',
];
const CERT_MANAGER_OBJECTS = [
  'Certificate netpol-guard/netpol-guard-ca',
  'Certificate netpol-guard/netpol-guard-serving',
  'Issuer netpol-guard/netpol-guard-ca',
  'Issuer netpol-guard/netpol-guard-selfsigned',
];

const EXPECTED_MODE: Record<Variant, string> = { base: 'enforce', enforce: 'enforce', audit: 'audit', 'cert-manager': 'enforce' };

function withoutConfigMap(objects: Manifest[]): Manifest[] {
  return objects.filter((object) => object.kind !== 'ConfigMap');
}

for (const variant of VARIANT_NAMES) {
  t.test(`${variant} renders the expected objects`, async (t) => {
    const objects = await renderVariant(variant);
    const expected = [...COMMON_OBJECTS, ...(variant === 'cert-manager' ? CERT_MANAGER_OBJECTS : [])].sort();
    t.strictSame(objectIds(withoutConfigMap(objects)), expected);

    const configMap = findOne(objects, 'ConfigMap');
    t.match(configMap.metadata.name, /^netpol-guard-config-[a-z0-9]{10}$/, 'ConfigMap name carries the content hash');
    t.equal(configMap.metadata.namespace, 'netpol-guard');
  });

  t.test(`${variant} objects match their API schemas`, async (t) => {
    for (const object of await renderVariant(variant)) {
      t.strictSame(await schemaProblems(object), [], `${object.kind} ${object.metadata.name}`);
    }
  });

  t.test(`${variant} configuration file is valid`, async (t) => {
    const configMap = findOne(await renderVariant(variant), 'ConfigMap');
    const data = configMap.data as Record<string, string>;
    t.strictSame(Object.keys(data), ['config.yaml']);

    const config = resolveConfig(parseYaml(data['config.yaml']!), `${variant} config.yaml`);
    t.equal(config.mode, EXPECTED_MODE[variant]);
    t.equal(config.webhookNamespace, 'netpol-guard');
  });
}

t.test('schemaProblems reports invalid field types', async (t) => {
  const objects = await renderVariant('base');
  const deployment = findOne(objects, 'Deployment');
  (deployment.spec as Record<string, unknown>).replicas = 'three';
  t.strictSame(await schemaProblems(deployment), ['/spec/replicas must be integer']);
});

t.test('audit overlay with cert-manager component renders', async (t) => {
  // The combination docs/install.md recommends for a first install with cert-manager.
  const dir = mkdtempSync(join(tmpdir(), 'netpol-guard-kustomize-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'kustomization.yaml'),
    [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources:',
      `  - ${relative(dir, join(MANIFESTS_DIR, 'overlays/audit'))}`,
      'components:',
      `  - ${relative(dir, join(MANIFESTS_DIR, 'components/cert-manager'))}`,
      '',
    ].join('\n'),
  );

  const objects = await kustomizeBuild(dir);
  t.strictSame(objectIds(withoutConfigMap(objects)), [...COMMON_OBJECTS, ...CERT_MANAGER_OBJECTS].sort());
  for (const object of objects) {
    t.strictSame(await schemaProblems(object), [], `${object.kind} ${object.metadata.name}`);
  }
  const webhooks = findOne(objects, 'ValidatingWebhookConfiguration').webhooks as Array<{ failurePolicy: string }>;
  t.strictSame(webhooks.map((webhook) => webhook.failurePolicy), ['Ignore', 'Ignore']);
});
