import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { main } from '../../../certs-scripts/generate.js';
import { describeCertificate } from '../../../src/tls/certificates.js';
import { connectTls, recordScriptIo, startTlsServer } from '../../helpers/certificates.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const CLOCK_SKEW_MS = 5 * 60 * 1000;

function validityMs(pem: string): number {
  const certificate = new X509Certificate(pem);
  return new Date(certificate.validTo).getTime() - new Date(certificate.validFrom).getTime();
}

t.test('generate writes a CA and serving certificate', async (t) => {
  const dir = join(t.testdir(), 'certs');
  const io = recordScriptIo();

  t.equal(await main(['--out', dir], io), 0);

  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  const mode = (name: string) => statSync(join(dir, name)).mode & 0o777;
  t.equal(mode('ca.key'), 0o600);
  t.equal(mode('tls.key'), 0o600);
  t.equal(mode('ca.crt'), 0o644);
  t.equal(mode('tls.crt'), 0o644);
  t.equal(mode('ca-bundle.crt'), 0o644);
  t.equal(read('ca-bundle.crt'), read('ca.crt'));

  const serving = describeCertificate(read('tls.crt'));
  t.same(serving.dnsNames, [
    'netpol-guard',
    'netpol-guard.netpol-guard',
    'netpol-guard.netpol-guard.svc',
    'netpol-guard.netpol-guard.svc.cluster.local',
  ]);
  t.same(serving.ipAddresses, []);
  t.equal(serving.issuer, 'CN=netpol-guard-ca');
  t.equal(validityMs(read('tls.crt')), 365 * DAY_MS + CLOCK_SKEW_MS);
  t.equal(validityMs(read('ca.crt')), 3650 * DAY_MS + CLOCK_SKEW_MS);

  t.same(io.stdout, [
    `wrote ${['ca.crt', 'ca.key', 'ca-bundle.crt', 'tls.crt', 'tls.key'].map((name) => join(dir, name)).join(', ')}`,
    'serving certificate for netpol-guard, netpol-guard.netpol-guard, netpol-guard.netpol-guard.svc, ' +
      'netpol-guard.netpol-guard.svc.cluster.local, valid for 365 days',
    `CA valid for 3650 days. Put ${join(dir, 'ca-bundle.crt')} into the webhook caBundle with certs:ca-bundle`,
  ]);
  t.same(io.stderr, []);

  const server = await startTlsServer({ cert: read('tls.crt'), key: read('tls.key') });
  t.teardown(server.close);
  const handshake = await connectTls({ port: server.port, ca: read('ca-bundle.crt'), servername: 'netpol-guard.netpol-guard.svc' });
  t.equal(handshake.fingerprint256, serving.fingerprintSha256);
});

t.test('generate takes service, namespace, names and validity', async (t) => {
  const dir = t.testdir();
  const argv = [
    '--out', dir,
    '--service', 'guard',
    '--namespace', 'security',
    '--dns-name', 'guard.example.test',
    '--ip', '127.0.0.1',
    '--validity-days', '30',
    '--ca-validity-days', '60',
  ];

  t.equal(await main(argv, recordScriptIo()), 0);

  const servingPem = readFileSync(join(dir, 'tls.crt'), 'utf8');
  const serving = describeCertificate(servingPem);
  t.same(serving.dnsNames, ['guard', 'guard.security', 'guard.security.svc', 'guard.security.svc.cluster.local', 'guard.example.test']);
  t.same(serving.ipAddresses, ['127.0.0.1']);
  t.equal(serving.issuer, 'CN=guard-ca');
  t.equal(validityMs(servingPem), 30 * DAY_MS + CLOCK_SKEW_MS);
  t.equal(validityMs(readFileSync(join(dir, 'ca.crt'), 'utf8')), 60 * DAY_MS + CLOCK_SKEW_MS);
});

t.test('generate rejects overwrite without --force', async (t) => {
  const dir = t.testdir();
  t.equal(await main(['--out', dir], recordScriptIo()), 0);
  const before = readFileSync(join(dir, 'tls.key'), 'utf8');

  const rejected = recordScriptIo();
  t.equal(await main(['--out', dir], rejected), 1);
  t.same(rejected.stderr, [
    `not overwriting ${['ca.crt', 'ca.key', 'tls.crt', 'tls.key', 'ca-bundle.crt'].map((name) => join(dir, name)).join(', ')}: ` +
      'pass --force to replace them',
  ]);
  t.same(rejected.stdout, []);
  t.equal(readFileSync(join(dir, 'tls.key'), 'utf8'), before, 'key unchanged');

  t.equal(await main(['--out', dir, '--force'], recordScriptIo()), 0);
  t.not(readFileSync(join(dir, 'tls.key'), 'utf8'), before, 'key replaced with --force');
});

t.test('generate usage errors', async (t) => {
  const cases = [
    { argv: ['--validity-days', '0'], message: 'invalid --validity-days "0": expected a whole number of days, 1 or more' },
    { argv: ['--ca-validity-days', 'ten'], message: 'invalid --ca-validity-days "ten": expected a whole number of days, 1 or more' },
    { argv: ['--bogus'], message: /^Unknown option '--bogus'[^]*\n\nUsage: npm run certs:generate/ },
    { argv: ['extra'], message: /^Unexpected argument 'extra'/ },
  ];

  const dir = t.testdir();
  for (const testCase of cases) {
    const io = recordScriptIo();
    t.equal(await main(['--out', dir, ...testCase.argv], io), 2, testCase.argv.join(' '));
    if (typeof testCase.message === 'string') {
      t.same(io.stderr, [testCase.message], testCase.argv.join(' '));
    } else {
      t.match(io.stderr.join('\n'), testCase.message, testCase.argv.join(' '));
    }
  }
});

t.test('generate --help', async (t) => {
  const io = recordScriptIo();

  t.equal(await main(['--help'], io), 0);
  t.match(io.stdout[0], /^Usage: npm run certs:generate -- \[options\]/);
  t.match(io.stdout[0], /serving certificate validity in days \(default: 365\)/);
  t.match(io.stdout[0], /CA validity in days \(default: 3650\)/);
});
