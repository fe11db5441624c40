import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { main as generate } from '../../../certs-scripts/generate.js';
import { main as rotate, rotatedCommonName } from '../../../certs-scripts/rotate.js';
import { describeCertificate, splitPemCertificates } from '../../../src/tls/certificates.js';
import { connectTls, recordScriptIo, startTlsServer } from '../../helpers/certificates.js';

const SERVICE_NAME = 'netpol-guard.netpol-guard.svc';

interface ServingPair {
  certPem: string;
  keyPem: string;
}

async function generatedDir(t: Test): Promise<string> {
  const dir = t.testdir();
  t.equal(await generate(['--out', dir], recordScriptIo()), 0, 'generate');
  return dir;
}

function readFile(dir: string, name: string): string {
  return readFileSync(join(dir, name), 'utf8');
}

function servingPair(dir: string): ServingPair {
  return { certPem: readFile(dir, 'tls.crt'), keyPem: readFile(dir, 'tls.key') };
}

// Handshakes as the API server does, with `caBundle` as the trusted CAs.
async function handshake(t: Test, pair: ServingPair, caBundle: string): Promise<string> {
  const server = await startTlsServer({ cert: pair.certPem, key: pair.keyPem });
  t.teardown(server.close);
  const result = await connectTls({ port: server.port, ca: caBundle, servername: SERVICE_NAME });
  return result.fingerprint256;
}

t.test('rotate --serving re-issues from the same CA', async (t) => {
  const dir = await generatedDir(t);
  const before = describeCertificate(readFile(dir, 'tls.crt'));
  const caBefore = readFile(dir, 'ca.crt');
  const io = recordScriptIo();

  t.equal(await rotate(['--serving', '--dir', dir, '--validity-days', '20'], io), 0);

  const after = describeCertificate(readFile(dir, 'tls.crt'));
  t.not(after.fingerprintSha256, before.fingerprintSha256);
  t.same(after.dnsNames, before.dnsNames, 'same names');
  t.same(after.ipAddresses, before.ipAddresses);
  t.equal(readFile(dir, 'ca.crt'), caBefore, 'CA unchanged');
  t.equal(statSync(join(dir, 'tls.key')).mode & 0o777, 0o600);
  t.equal(await handshake(t, servingPair(dir), readFile(dir, 'ca-bundle.crt')), after.fingerprintSha256);
  t.equal(io.stdout[0], `wrote ${join(dir, 'tls.crt')}, ${join(dir, 'tls.key')}: serving certificate for ${before.dnsNames.join(', ')}`);
});

t.test('rotate --ca keeps the old chain valid until --finish', async (t) => {
  const dir = await generatedDir(t);
  const oldServing = servingPair(dir);
  const oldCaPem = readFile(dir, 'ca.crt');
  const oldFingerprint = describeCertificate(oldServing.certPem).fingerprintSha256;

  t.equal(await rotate(['--ca', '--dir', dir], recordScriptIo()), 0, 'rotate --ca');

  const newServing = servingPair(dir);
  const newCaPem = readFile(dir, 'ca.crt');
  const newFingerprint = describeCertificate(newServing.certPem).fingerprintSha256;
  t.not(newCaPem, oldCaPem, 'new CA');
  t.equal(readFile(dir, 'ca-previous.crt'), oldCaPem, 'old CA kept');
  t.same(splitPemCertificates(readFile(dir, 'ca-bundle.crt')), [oldCaPem, newCaPem], 'bundle holds both CAs');
  t.equal(new X509Certificate(newServing.certPem).checkIssued(new X509Certificate(newCaPem)), true, 'serving certificate from the new CA');
  t.same(describeCertificate(newServing.certPem).dnsNames, describeCertificate(oldServing.certPem).dnsNames);

  const overlapBundle = readFile(dir, 'ca-bundle.crt');
  t.equal(await handshake(t, oldServing, overlapBundle), oldFingerprint, 'bundle accepts the old-CA certificate');
  t.equal(await handshake(t, newServing, overlapBundle), newFingerprint, 'bundle accepts the new-CA certificate');

  const finish = recordScriptIo();
  t.equal(await rotate(['--finish', '--dir', dir], finish), 0, 'rotate --finish');
  t.equal(existsSync(join(dir, 'ca-previous.crt')), false, 'previous CA deleted');
  t.equal(readFile(dir, 'ca-bundle.crt'), newCaPem, 'bundle holds the new CA only');
  t.same(finish.stdout, [
    `wrote ${join(dir, 'ca-bundle.crt')} with the current CA only and deleted ${join(dir, 'ca-previous.crt')}`,
    'next: apply the bundle with certs:ca-bundle',
  ]);

  const finalBundle = readFile(dir, 'ca-bundle.crt');
  t.equal(await handshake(t, newServing, finalBundle), newFingerprint, 'new-CA certificate still accepted');
  await t.rejects(handshake(t, oldServing, finalBundle), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }, 'old-CA certificate rejected');
});

t.test('rotate --ca rejects a second rotation', async (t) => {
  const dir = await generatedDir(t);
  t.equal(await rotate(['--ca', '--dir', dir], recordScriptIo()), 0);
  const caKey = readFile(dir, 'ca.key');
  const bundle = readFile(dir, 'ca-bundle.crt');

  const rejected = recordScriptIo();
  t.equal(await rotate(['--ca', '--dir', dir], rejected), 1);
  t.same(rejected.stderr, [
    `a CA rotation is in progress: ${join(dir, 'ca-previous.crt')} exists. ` +
      'Run --finish once every client trusts the current CA, or pass --force to drop the previous CA from the bundle',
  ]);
  t.equal(readFile(dir, 'ca.key'), caKey, 'CA key unchanged');
  t.equal(readFile(dir, 'ca-bundle.crt'), bundle, 'bundle unchanged');

  const currentCa = readFile(dir, 'ca.crt');
  t.equal(await rotate(['--ca', '--dir', dir, '--force'], recordScriptIo()), 0, 'with --force');
  t.same(splitPemCertificates(readFile(dir, 'ca-bundle.crt')), [currentCa, readFile(dir, 'ca.crt')]);
});

t.test('rotate --finish rejections', async (t) => {
  const dir = await generatedDir(t);

  const notRotating = recordScriptIo();
  t.equal(await rotate(['--finish', '--dir', dir], notRotating), 1);
  t.same(notRotating.stderr, [`no CA rotation in progress: ${join(dir, 'ca-previous.crt')} does not exist`]);

  // With the old CA's serving certificate put back, finishing would leave it untrusted.
  const oldServing = servingPair(dir);
  t.equal(await rotate(['--ca', '--dir', dir], recordScriptIo()), 0);
  writeFileSync(join(dir, 'tls.crt'), oldServing.certPem);
  writeFileSync(join(dir, 'tls.key'), oldServing.keyPem);

  const unsigned = recordScriptIo();
  t.equal(await rotate(['--finish', '--dir', dir], unsigned), 1);
  t.same(unsigned.stderr, [
    `${join(dir, 'tls.crt')} is not signed by ${join(dir, 'ca.crt')}: dropping the previous CA would break it. Run --serving first`,
  ]);
  t.equal(existsSync(join(dir, 'ca-previous.crt')), true, 'previous CA kept');
});

t.test('rotate usage errors', async (t) => {
  const dir = t.testdir();
  const cases = [
    { argv: [], message: /^give exactly one of --serving, --ca and --finish\n\nUsage:/ },
    { argv: ['--serving', '--ca'], message: /^give exactly one of --serving, --ca and --finish/ },
    { argv: ['--serving', '--validity-days=-1'], message: /^invalid --validity-days "-1": expected a whole number of days, 1 or more$/ },
  ];

  for (const testCase of cases) {
    const io = recordScriptIo();
    t.equal(await rotate(['--dir', dir, ...testCase.argv], io), 2, testCase.argv.join(' ') || 'no mode');
    t.match(io.stderr.join('\n'), testCase.message);
  }

  const missing = recordScriptIo();
  t.equal(await rotate(['--serving', '--dir', dir], missing), 1);
  t.same(missing.stderr, [`missing ${join(dir, 'ca.crt')}: run the generate script first or pass the right --dir`]);
});

t.test('rotatedCommonName', async (t) => {
  const now = new Date('2030-01-02T03:04:05.678Z');
  const cases = [
    { previous: 'CN=netpol-guard-ca', expected: 'netpol-guard-ca-20300102T030405Z' },
    { previous: 'CN=netpol-guard-ca-20290101T000000Z', expected: 'netpol-guard-ca-20300102T030405Z' },
  ];

  for (const testCase of cases) {
    t.equal(rotatedCommonName(testCase.previous, now), testCase.expected, testCase.previous);
  }
});
