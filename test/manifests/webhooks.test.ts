// The webhook configurations route exactly the requests the rules decide on,
// never reach the webhook's own namespace or kube-system, and fail closed
// only for namespaces in enforce mode.
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parse as parseYaml } from 'yaml';
import { setCaBundle } from '../../certs-scripts/ca-bundle.js';
import { resolveConfig } from '../../src/config/load.js';
import { LABEL_MODE } from '../../src/config/defaults.js';
import type { Mode } from '../../src/config/types.js';
import { selectorMatches, type LabelSelector } from '../../src/engine/index.js';
import { MUTATING_SCOPES, validatingScopes } from '../../src/rules/registry.js';
import { isMode } from '../../src/rules/namespace-mode.js';
import type { RuleScope } from '../../src/rules/types.js';
import { serviceDnsNames } from '../../src/tls/certificates.js';
import type { Manifest } from '../helpers/kustomize.js';
import { findOne, MANIFESTS_DIR, renderVariant, VARIANT_NAMES, type Variant } from './rendered.js';

const NAME_LABEL = 'kubernetes.io/metadata.name';

interface WebhookRule {
  apiGroups: string[];
  apiVersions: string[];
  operations: string[];
  resources: string[];
  scope?: string;
}

interface Webhook {
  name: string;
  admissionReviewVersions: string[];
  clientConfig: { service?: { name: string; namespace: string; path: string; port: number }; url?: string; caBundle?: string };
  failurePolicy: string;
  matchPolicy: string;
  sideEffects: string;
  timeoutSeconds: number;
  reinvocationPolicy?: string;
  namespaceSelector: LabelSelector;
  objectSelector?: LabelSelector;
  rules: WebhookRule[];
}

function webhooksOf(objects: Manifest[], kind: 'ValidatingWebhookConfiguration' | 'MutatingWebhookConfiguration'): Webhook[] {
  return findOne(objects, kind, 'netpol-guard').webhooks as Webhook[];
}

function allWebhooks(objects: Manifest[]): Webhook[] {
  return [...webhooksOf(objects, 'ValidatingWebhookConfiguration'), ...webhooksOf(objects, 'MutatingWebhookConfiguration')];
}

/** Lists every (group, version, resource, operation) a webhook's rules match, as sorted strings. */
function ruleTuples(rules: WebhookRule[]): string[] {
  const tuples = new Set<string>();
  for (const rule of rules) {
    for (const group of rule.apiGroups)
      for (const version of rule.apiVersions)
        for (const resource of rule.resources)
          for (const operation of rule.operations) tuples.add(`${group}/${version}/${resource}/${operation}`);
  }
  return [...tuples].sort();
}

function scopeTuples(scopes: readonly RuleScope[]): string[] {
  return ruleTuples(
    scopes.map((scope) => ({
      apiGroups: [scope.group],
      apiVersions: [scope.version],
      resources: [...scope.resources],
      operations: [...scope.operations],
    })),
  );
}

function configuredMode(objects: Manifest[]): Mode {
  const data = findOne(objects, 'ConfigMap').data as Record<string, string>;
  return resolveConfig(parseYaml(data['config.yaml']!)).mode;
}

/** Returns the labels the API server matches a namespace by, its name label included. */
function namespaceLabels(name: string, mode?: string): Record<string, string> {
  return { [NAME_LABEL]: name, ...(mode === undefined ? {} : { [LABEL_MODE]: mode }) };
}

const MODE_LABELS = [undefined, 'enforce', 'warn', 'audit', 'Enforce', ''];

for (const variant of VARIANT_NAMES) {
  t.test(`${variant} validating rules match validatingScopes`, async (t) => {
    for (const webhook of webhooksOf(await renderVariant(variant), 'ValidatingWebhookConfiguration')) {
      t.strictSame(ruleTuples(webhook.rules), scopeTuples(validatingScopes()), webhook.name);
    }
  });

  t.test(`${variant} mutating rules match MUTATING_SCOPES`, async (t) => {
    for (const webhook of webhooksOf(await renderVariant(variant), 'MutatingWebhookConfiguration')) {
      t.strictSame(ruleTuples(webhook.rules), scopeTuples(MUTATING_SCOPES), webhook.name);
    }
  });

  t.test(`${variant} rule scopes match resource scopes`, async (t) => {
    for (const webhook of allWebhooks(await renderVariant(variant))) {
      for (const rule of webhook.rules) {
        const expected = rule.resources.every((resource) => resource === 'namespaces') ? 'Cluster' : 'Namespaced';
        t.equal(rule.scope, expected, `${webhook.name} ${rule.resources.join(',')}`);
      }
    }
  });

  t.test(`${variant} webhook settings`, async (t) => {
    const objects = await renderVariant(variant);
    for (const webhook of webhooksOf(objects, 'ValidatingWebhookConfiguration')) {
      t.equal(webhook.sideEffects, 'NoneOnDryRun', `${webhook.name} sideEffects`);
      t.equal(webhook.clientConfig.service?.path, '/validate', `${webhook.name} path`);
      t.equal(webhook.reinvocationPolicy, undefined, `${webhook.name} reinvocationPolicy`);
    }
    for (const webhook of webhooksOf(objects, 'MutatingWebhookConfiguration')) {
      t.equal(webhook.sideEffects, 'None', `${webhook.name} sideEffects`);
      t.equal(webhook.clientConfig.service?.path, '/mutate', `${webhook.name} path`);
      t.equal(webhook.reinvocationPolicy, 'Never', `${webhook.name} reinvocationPolicy`);
    }
    for (const webhook of allWebhooks(objects)) {
      t.strictSame(webhook.admissionReviewVersions, ['v1'], `${webhook.name} admissionReviewVersions`);
      t.equal(webhook.timeoutSeconds, 3, `${webhook.name} timeoutSeconds`);
      t.equal(webhook.matchPolicy, 'Equivalent', `${webhook.name} matchPolicy`);
      t.equal(webhook.clientConfig.url, undefined, `${webhook.name} url`);
      t.equal(webhook.clientConfig.service?.name, 'netpol-guard', `${webhook.name} service name`);
      t.equal(webhook.clientConfig.service?.namespace, 'netpol-guard', `${webhook.name} service namespace`);
      t.equal(webhook.clientConfig.service?.port, 443, `${webhook.name} service port`);
      t.equal(webhook.objectSelector, undefined, `${webhook.name} objectSelector`);
    }

    const service = findOne(objects, 'Service', 'netpol-guard');
    const ports = (service.spec as { ports: Array<{ port: number; targetPort: string }> }).ports;
    t.strictSame(ports.find((port) => port.port === 443)?.targetPort, 'https');
  });

  t.test(`${variant} webhooks skip own namespace and kube-system`, async (t) => {
    const objects = await renderVariant(variant);
    const ownNamespace = findOne(objects, 'Namespace', 'netpol-guard');
    for (const webhook of allWebhooks(objects)) {
      for (const namespace of ['netpol-guard', 'kube-system']) {
        for (const mode of MODE_LABELS) {
          t.equal(selectorMatches(webhook.namespaceSelector, namespaceLabels(namespace, mode)), false, `${webhook.name} ${namespace} mode=${mode}`);
        }
      }
      // The Namespace object as applied, whose own labels the selector reads on CREATE and UPDATE.
      t.equal(selectorMatches(webhook.namespaceSelector, ownNamespace.metadata.labels ?? {}), false, `${webhook.name} own Namespace object`);
    }
  });

  t.test(`${variant} routes each namespace to one webhook by mode`, async (t) => {
    const objects = await renderVariant(variant);
    const clusterMode = configuredMode(objects);
    const audit = variant === 'audit';

    for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'] as const) {
      for (const mode of MODE_LABELS) {
        const matching = webhooksOf(objects, kind).filter((webhook) => selectorMatches(webhook.namespaceSelector, namespaceLabels('shop', mode)));
        const label = `${kind} mode label ${JSON.stringify(mode)}`;
        t.equal(matching.length, 1, `${label}: one webhook`);

        // The server's own resolution: a valid label wins, anything else falls back to the cluster mode.
        const effective = isMode(mode) ? mode : clusterMode;
        const [webhook] = matching;
        t.equal(webhook?.name.startsWith('enforce.'), effective === 'enforce', `${label}: ${webhook?.name}`);
        t.equal(webhook?.failurePolicy, effective === 'enforce' && !audit ? 'Fail' : 'Ignore', `${label}: failurePolicy`);
      }
    }
  });
}

t.test('audit overlay fails open everywhere', async (t) => {
  const objects = await renderVariant('audit');
  t.equal(configuredMode(objects), 'audit');
  for (const webhook of allWebhooks(objects)) t.equal(webhook.failurePolicy, 'Ignore', webhook.name);
});

t.test('enforce overlay fails closed for enforce only', async (t) => {
  const webhooks = allWebhooks(await renderVariant('enforce'));
  t.strictSame(
    webhooks.map((webhook) => `${webhook.name} ${webhook.failurePolicy}`),
    [
      'enforce.validate.netpol-guard.io Fail',
      'warn-audit.validate.netpol-guard.io Ignore',
      'enforce.mutate.netpol-guard.io Fail',
      'warn-audit.mutate.netpol-guard.io Ignore',
    ],
  );
});

t.test('cert-manager overlay injects the CA', async (t) => {
  const objects = await renderVariant('cert-manager');
  for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
    const configuration = findOne(objects, kind, 'netpol-guard');
    t.equal(configuration.metadata.annotations?.['cert-manager.io/inject-ca-from'], 'netpol-guard/netpol-guard-serving', kind);
  }

  const certificate = findOne(objects, 'Certificate', 'netpol-guard-serving');
  const spec = certificate.spec as { secretName: string; dnsNames: string[]; issuerRef: { name: string; kind: string } };
  t.equal(certificate.metadata.namespace, 'netpol-guard');
  t.equal(spec.secretName, 'netpol-guard-tls');
  t.strictSame(spec.dnsNames, serviceDnsNames('netpol-guard', 'netpol-guard'));
  t.equal(findOne(objects, spec.issuerRef.kind, spec.issuerRef.name).metadata.namespace, 'netpol-guard');

  const deployment = findOne(objects, 'Deployment', 'netpol-guard');
  const volumes = (deployment.spec as { template: { spec: { volumes: Array<{ secret?: { secretName: string } }> } } }).template.spec.volumes;
  t.ok(volumes.some((volume) => volume.secret?.secretName === spec.secretName), 'Deployment mounts the issued Secret');

  for (const webhook of allWebhooks(objects)) {
    t.equal(selectorMatches(webhook.namespaceSelector, namespaceLabels('cert-manager')), false, `${webhook.name} skips cert-manager`);
  }
});

t.test('ca-bundle script sets every webhook caBundle', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netpol-guard-manifests-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(MANIFESTS_DIR, dir, { recursive: true });

  // What `ca-bundle.js --ca FILE manifests/base/ca-bundle/*.yaml` does to each file.
  const caBundle = Buffer.from('-----BEGIN CERTIFICATE-----\ntest\n-----END CERTIFICATE-----\n').toString('base64');
  const patchDir = join(dir, 'base', 'ca-bundle');
  for (const file of readdirSync(patchDir)) {
    const path = join(patchDir, file);
    writeFileSync(path, setCaBundle(readFileSync(path, 'utf8'), caBundle, path).text);
  }

  const expectedByVariant: Record<Variant, string | undefined> = {
    base: caBundle,
    enforce: caBundle,
    audit: caBundle,
    // The CA injector owns the field there.
    'cert-manager': undefined,
  };
  for (const variant of VARIANT_NAMES) {
    for (const webhook of allWebhooks(await renderVariant(variant, dir))) {
      t.equal(webhook.clientConfig.caBundle, expectedByVariant[variant], `${variant} ${webhook.name}`);
    }
  }
});

t.test('checked-in manifests carry no caBundle', async (t) => {
  for (const variant of VARIANT_NAMES) {
    for (const webhook of allWebhooks(await renderVariant(variant))) {
      t.equal(webhook.clientConfig.caBundle, undefined, `${variant} ${webhook.name}`);
    }
  }
});
