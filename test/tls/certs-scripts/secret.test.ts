import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { main } from '../../../certs-scripts/secret.js';
import { createTestPki, recordScriptIo } from '../../helpers/certificates.js';

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

t.test('secret prints a kubernetes.io/tls Secret', async (t) => {
  const dir = t.testdir();
  const pki = createTestPki(dir);
  const io = recordScriptIo();

  t.equal(await main(['--dir', dir], io), 0);

  t.equal(io.stdout.length, 1);
  t.same(parse(io.stdout[0] ?? ''), {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'netpol-guard-tls',
      namespace: 'netpol-guard',
      labels: { 'app.kubernetes.io/name': 'netpol-guard' },
    },
    type: 'kubernetes.io/tls',
    data: {
      'tls.crt': base64(pki.certPem),
      'tls.key': base64(pki.keyPem),
      'ca.crt': base64(pki.caPem),
    },
  });
  t.same(io.stderr, []);
});

t.test('secret --out writes a private file', async (t) => {
  const dir = t.testdir();
  createTestPki(dir);
  const out = join(dir, 'manifests', 'secret.yaml');
  const io = recordScriptIo();

  t.equal(await main(['--dir', dir, '--name', 'guard-tls', '--namespace', 'security', '--out', out], io), 0);

  const manifest = parse(readFileSync(out, 'utf8')) as { metadata: { name: string; namespace: string } };
  t.equal(manifest.metadata.name, 'guard-tls');
  t.equal(manifest.metadata.namespace, 'security');
  t.equal(statSync(out).mode & 0o777, 0o600);
  t.same(io.stdout, [`wrote Secret security/guard-tls to ${out}`]);
});

t.test('secret with a missing directory', async (t) => {
  const dir = join(t.testdir(), 'absent');
  const io = recordScriptIo();

  t.equal(await main(['--dir', dir], io), 1);
  t.same(io.stderr, [`missing ${join(dir, 'tls.crt')}: run the generate script first or pass the right --dir`]);
  t.same(io.stdout, []);
});
