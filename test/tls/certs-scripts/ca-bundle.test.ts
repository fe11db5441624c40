import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { main, setCaBundle } from '../../../certs-scripts/ca-bundle.js';
import { createCertificateAuthority } from '../../../src/tls/certificates.js';
import { createTestPki, recordScriptIo } from '../../helpers/certificates.js';

const WEBHOOKS_YAML = `# netpol-guard webhooks
apiVersion: v1
kind: Namespace
metadata:
  name: netpol-guard
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: netpol-guard
webhooks:
  - name: validate.netpol-guard.io # policy checks
    clientConfig:
      service:
        name: netpol-guard
        namespace: netpol-guard
        path: /validate
      caBundle: ""
    sideEffects: None
  - name: exemptions.netpol-guard.io
    clientConfig:
      service:
        name: netpol-guard
        namespace: netpol-guard
        path: /validate
    sideEffects: None
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: netpol-guard
webhooks:
  - name: mutate.netpol-guard.io
    clientConfig:
      service:
        name: netpol-guard
        namespace: netpol-guard
        path: /mutate
`;

function expectedYaml(caBundle: string): string {
  return WEBHOOKS_YAML.replace('      caBundle: ""\n', `      caBundle: "${caBundle}"\n`)
    .replace('        path: /validate\n    sideEffects: None\n---', `        path: /validate\n      caBundle: ${caBundle}\n    sideEffects: None\n---`)
    .replace('        path: /mutate\n', `        path: /mutate\n      caBundle: ${caBundle}\n`);
}

const pki = createTestPki();
const secondCa = createCertificateAuthority({ commonName: 'netpol-guard-ca-next', validityDays: 1 });

t.test('ca-bundle sets caBundle on every webhook', async (t) => {
  const dir = t.testdir();
  const manifest = join(dir, 'webhooks.yaml');
  const bundleFile = join(dir, 'ca-bundle.crt');
  const secondFile = join(dir, 'second.crt');
  writeFileSync(manifest, WEBHOOKS_YAML);
  writeFileSync(bundleFile, pki.caPem + secondCa.certPem);
  writeFileSync(secondFile, secondCa.certPem);
  const io = recordScriptIo();

  t.equal(await main(['--ca', bundleFile, '--ca', secondFile, manifest], io), 0);

  const caBundle = Buffer.from(pki.caPem + secondCa.certPem, 'utf8').toString('base64');
  t.equal(readFileSync(manifest, 'utf8'), expectedYaml(caBundle), 'other documents and comments kept, duplicate CA dropped');
  t.same(io.stdout, [`set caBundle (2 CA certificates) on 3 webhooks in ${manifest}`]);
  t.same(io.stderr, []);
});

t.test('ca-bundle setCaBundle on a file without webhooks', async (t) => {
  const result = setCaBundle('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n', 'QUJD');

  t.same(result, { text: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n', webhooks: 0 });
});

t.test('ca-bundle rejections leave files unchanged', async (t) => {
  const dir = t.testdir();
  const manifest = join(dir, 'webhooks.yaml');
  const namespaceOnly = join(dir, 'namespace.yaml');
  const invalidYaml = join(dir, 'invalid.yaml');
  const caFile = join(dir, 'ca.crt');
  const leafFile = join(dir, 'tls.crt');
  const emptyFile = join(dir, 'empty.crt');
  writeFileSync(manifest, WEBHOOKS_YAML);
  writeFileSync(namespaceOnly, 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n');
  writeFileSync(invalidYaml, 'kind: [unclosed\n');
  writeFileSync(caFile, pki.caPem);
  writeFileSync(leafFile, pki.certPem);
  writeFileSync(emptyFile, '');

  const cases = [
    {
      name: 'serving certificate as CA',
      argv: ['--ca', leafFile, manifest],
      code: 1,
      message: `invalid CA file ${leafFile}: CN=localhost is not a CA certificate. Pass the CA certificate, not the serving certificate`,
    },
    {
      name: 'CA file without certificates',
      argv: ['--ca', emptyFile, manifest],
      code: 1,
      message: `invalid CA file ${emptyFile}: no PEM certificate found`,
    },
    {
      name: 'manifest without webhooks',
      argv: ['--ca', caFile, manifest, namespaceOnly],
      code: 1,
      message: `no webhooks found in ${namespaceOnly}: expected a ValidatingWebhookConfiguration or MutatingWebhookConfiguration`,
    },
    {
      name: 'invalid YAML',
      argv: ['--ca', caFile, invalidYaml],
      code: 1,
      message: new RegExp(`^invalid YAML in ${invalidYaml}: `),
    },
    {
      name: 'no CA',
      argv: [manifest],
      code: 2,
      message: /^give at least one --ca FILE and one manifest\n\nUsage: npm run certs:ca-bundle/,
    },
  ];

  for (const testCase of cases) {
    const io = recordScriptIo();
    t.equal(await main(testCase.argv, io), testCase.code, testCase.name);
    if (typeof testCase.message === 'string') {
      t.same(io.stderr, [testCase.message], testCase.name);
    } else {
      t.match(io.stderr.join('\n'), testCase.message, testCase.name);
    }
    t.equal(readFileSync(manifest, 'utf8'), WEBHOOKS_YAML, `${testCase.name}: manifest unchanged`);
  }
});
