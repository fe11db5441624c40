import { cpSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { DEV_DNS_NAMES, DEV_IP_ADDRESSES, findReuseProblem, main } from '../../../certs-scripts/dev-certs.js';
import { describeCertificate } from '../../../src/tls/certificates.js';
import { connectTls, createTestPki, recordScriptIo, startTlsServer } from '../../helpers/certificates.js';

const DAY_MS = 24 * 60 * 60 * 1000;

function readFile(dir: string, name: string): string {
  return readFileSync(join(dir, name), 'utf8');
}

function curlLine(dir: string): string {
  return (
    `  curl --cacert ${join(dir, 'ca.crt')} -H 'Content-Type: application/json' ` +
    '--data @examples/reviews/pod-create-shop.json https://localhost:8443/validate'
  );
}

t.test('dev-certs creates, then reuses, the certificates', async (t) => {
  const dir = join(t.testdir(), 'certs', 'dev');
  const created = recordScriptIo();

  t.equal(await main(['--dir', dir], created), 0);

  const servingPem = readFile(dir, 'tls.crt');
  const serving = describeCertificate(servingPem);
  t.same(serving.dnsNames, [
    'localhost',
    'netpol-guard',
    'netpol-guard.netpol-guard',
    'netpol-guard.netpol-guard.svc',
    'netpol-guard.netpol-guard.svc.cluster.local',
  ]);
  t.same(serving.ipAddresses, ['127.0.0.1', '::1']);
  t.same(DEV_DNS_NAMES, serving.dnsNames);
  t.same(DEV_IP_ADDRESSES, serving.ipAddresses);
  t.equal(statSync(join(dir, 'tls.key')).mode & 0o777, 0o600);
  t.equal(statSync(join(dir, 'ca.key')).mode & 0o777, 0o600);

  const validUntil = serving.notAfter.toISOString().slice(0, 10);
  t.same(created.stdout, [
    `created dev certificates in ${dir} (missing ca.crt, tls.crt, tls.key)`,
    `serving certificate valid until ${validUntil}, CA certificate in ${join(dir, 'ca.crt')}`,
    'once the server listens, send it a review with:',
    curlLine(dir),
  ]);

  const reused = recordScriptIo();
  t.equal(await main(['--dir', dir], reused), 0);
  t.equal(reused.stdout[0], `using the dev certificates in ${dir}`);
  t.equal(readFile(dir, 'tls.crt'), servingPem, 'certificate kept');

  const server = await startTlsServer({ cert: servingPem, key: readFile(dir, 'tls.key') });
  t.teardown(server.close);
  for (const servername of ['localhost', 'netpol-guard.netpol-guard.svc']) {
    const handshake = await connectTls({ port: server.port, ca: readFile(dir, 'ca.crt'), servername });
    t.equal(handshake.fingerprint256, serving.fingerprintSha256, servername);
  }

  const forced = recordScriptIo();
  t.equal(await main(['--dir', dir, '--force'], forced), 0);
  t.equal(forced.stdout[0], `created dev certificates in ${dir} (replaced because of --force)`);
  t.not(readFile(dir, 'tls.crt'), servingPem, 'certificate replaced with --force');
});

t.test('dev-certs findReuseProblem', async (t) => {
  const base = join(t.testdir(), 'base');
  t.equal(await main(['--dir', base], recordScriptIo()), 0);
  const notAfter = describeCertificate(readFile(base, 'tls.crt')).notAfter;
  const pki = createTestPki(join(t.testdirName, 'pki'));

  const cases: { name: string; change: (dir: string) => void; now?: Date; problem: string | undefined }[] = [
    { name: 'valid files', change: () => {}, problem: undefined },
    {
      name: 'missing key',
      change: (dir) => rmSync(join(dir, 'tls.key')),
      problem: 'missing tls.key',
    },
    {
      name: 'key of another certificate',
      change: (dir) => writeFileSync(join(dir, 'tls.key'), pki.keyPem),
      problem: 'tls.key does not match tls.crt',
    },
    {
      name: 'certificate of another CA',
      change: (dir) => {
        writeFileSync(join(dir, 'tls.crt'), pki.certPem);
        writeFileSync(join(dir, 'tls.key'), pki.keyPem);
      },
      problem: 'tls.crt is not signed by ca.crt',
    },
    {
      name: 'certificate without the dev names',
      change: (dir) => {
        writeFileSync(join(dir, 'ca.crt'), pki.caPem);
        writeFileSync(join(dir, 'tls.crt'), pki.certPem);
        writeFileSync(join(dir, 'tls.key'), pki.keyPem);
      },
      problem: 'tls.crt lacks netpol-guard, netpol-guard.netpol-guard, netpol-guard.netpol-guard.svc.cluster.local, ::1',
    },
    {
      name: 'certificate expiring within 7 days',
      change: () => {},
      now: new Date(notAfter.getTime() - 6 * DAY_MS),
      problem: `tls.crt expires on ${notAfter.toISOString().slice(0, 10)}, in less than 7 days`,
    },
    {
      name: 'certificate valid for 8 more days',
      change: () => {},
      now: new Date(notAfter.getTime() - 8 * DAY_MS),
      problem: undefined,
    },
    {
      name: 'invalid certificate file',
      change: (dir) => writeFileSync(join(dir, 'tls.crt'), 'garbage'),
      problem: 'invalid files: error:0480006C:PEM routines::no start line',
    },
  ];

  for (const [index, testCase] of cases.entries()) {
    const dir = join(t.testdirName, `case-${index}`);
    cpSync(base, dir, { recursive: true });
    testCase.change(dir);
    t.equal(findReuseProblem(dir, testCase.now ?? new Date()), testCase.problem, testCase.name);
  }
});

t.test('dev-certs --help', async (t) => {
  const io = recordScriptIo();

  t.equal(await main(['--help'], io), 0);
  t.match(io.stdout[0], /^Usage: node dist\/certs-scripts\/dev-certs.js \[options\]/);
  t.match(io.stdout[0], /--dir DIR {4}certificate directory \(default: certs\/dev\)/);
});
