import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import forge from 'node-forge';
import t from 'tap';
import {
  createCertificateAuthority,
  createServingCertificate,
  describeCertificate,
  serviceDnsNames,
  splitPemCertificates,
} from '../../src/tls/certificates.js';
import { connectTls, startTlsServer } from '../helpers/certificates.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const SERVICE_NAME = 'netpol-guard.netpol-guard.svc';

const ca = createCertificateAuthority({ commonName: 'netpol-guard-ca', validityDays: 30 });
const serving = createServingCertificate({
  ca,
  dnsNames: ['localhost', ...serviceDnsNames('netpol-guard', 'netpol-guard')],
  ipAddresses: ['127.0.0.1', '::1'],
  validityDays: 10,
});

type ForgeExtension = Record<string, unknown>;

function forgeExtension(pem: string, name: string): ForgeExtension {
  const extension = forge.pki.certificateFromPem(pem).getExtension(name);
  if (extension === null || extension === undefined) throw new Error(`certificate has no ${name} extension`);
  return extension as ForgeExtension;
}

t.test('serviceDnsNames lists the in-cluster names', async (t) => {
  t.same(serviceDnsNames('netpol-guard', 'netpol-guard'), [
    'netpol-guard',
    'netpol-guard.netpol-guard',
    'netpol-guard.netpol-guard.svc',
    'netpol-guard.netpol-guard.svc.cluster.local',
  ]);
});

t.test('createCertificateAuthority', async (t) => {
  const certificate = new X509Certificate(ca.certPem);

  t.equal(certificate.subject, 'CN=netpol-guard-ca');
  t.equal(certificate.issuer, 'CN=netpol-guard-ca');
  t.equal(certificate.ca, true);
  t.equal(certificate.publicKey.asymmetricKeyType, 'rsa');
  t.equal(certificate.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  t.equal(certificate.verify(certificate.publicKey), true, 'self-signed');

  const validFrom = new Date(certificate.validFrom).getTime();
  const validTo = new Date(certificate.validTo).getTime();
  t.equal(validTo - validFrom, 30 * DAY_MS + CLOCK_SKEW_MS);

  const basicConstraints = forgeExtension(ca.certPem, 'basicConstraints');
  t.equal(basicConstraints.cA, true);
  t.equal(basicConstraints.critical, true);

  const keyUsage = forgeExtension(ca.certPem, 'keyUsage');
  t.equal(keyUsage.keyCertSign, true);
  t.equal(keyUsage.cRLSign, true);
  t.equal(keyUsage.digitalSignature, false);
  t.equal(keyUsage.critical, true);

  const subjectKeyIdentifier = forgeExtension(ca.certPem, 'subjectKeyIdentifier');
  t.match(subjectKeyIdentifier.subjectKeyIdentifier, /^[0-9a-f]{40}$/);

  t.notMatch(ca.certPem, /\r/, 'PEM lines end with LF');
  t.match(ca.keyPem, /^-----BEGIN RSA PRIVATE KEY-----\n/);
});

t.test('createCertificateAuthority rejects invalid options', async (t) => {
  t.throws(() => createCertificateAuthority({ commonName: 'ca', validityDays: 0 }), {
    message: 'invalid validityDays 0: expected a whole number of days, 1 or more',
  });
  t.throws(() => createCertificateAuthority({ commonName: ' ', validityDays: 1 }), {
    message: 'invalid commonName: the certificate authority needs a non-empty common name',
  });
});

t.test('createServingCertificate', async (t) => {
  const certificate = new X509Certificate(serving.certPem);
  const caCertificate = new X509Certificate(ca.certPem);

  t.equal(certificate.subject, 'CN=localhost', 'common name defaults to the first DNS name');
  t.equal(certificate.issuer, 'CN=netpol-guard-ca');
  t.equal(certificate.ca, false);
  t.equal(certificate.checkIssued(caCertificate), true);
  t.equal(certificate.verify(caCertificate.publicKey), true);
  t.same(certificate.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'extended key usage is serverAuth only');
  t.equal(certificate.publicKey.asymmetricKeyDetails?.modulusLength, 2048);

  const validFrom = new Date(certificate.validFrom).getTime();
  const validTo = new Date(certificate.validTo).getTime();
  t.equal(validTo - validFrom, 10 * DAY_MS + CLOCK_SKEW_MS);

  const basicConstraints = forgeExtension(serving.certPem, 'basicConstraints');
  t.equal(basicConstraints.cA, false);

  const keyUsage = forgeExtension(serving.certPem, 'keyUsage');
  t.equal(keyUsage.digitalSignature, true);
  t.equal(keyUsage.keyEncipherment, true);
  t.equal(keyUsage.keyCertSign, false);

  const authorityKeyIdentifier = forgeExtension(serving.certPem, 'authorityKeyIdentifier');
  const sequence = forge.asn1.fromDer(authorityKeyIdentifier.value as string);
  const keyIdentifier = (sequence.value as forge.asn1.Asn1[])[0]?.value as string;
  t.equal(
    forge.util.bytesToHex(keyIdentifier),
    forgeExtension(ca.certPem, 'subjectKeyIdentifier').subjectKeyIdentifier,
    'authority key identifier is the CA subject key identifier',
  );
});

t.test('createServingCertificate serial numbers are positive and random', async (t) => {
  const second = createServingCertificate({ ca, dnsNames: ['localhost'], ipAddresses: [], validityDays: 1 });
  const serials = [serving.certPem, second.certPem].map((pem) => new X509Certificate(pem).serialNumber);

  for (const serial of serials) {
    t.match(serial, /^[4-7][0-9A-F]{31}$/, 'top bit clear, first byte non-zero');
  }
  t.not(serials[0], serials[1]);
});

t.test('createServingCertificate takes an explicit common name', async (t) => {
  const pair = createServingCertificate({
    ca,
    dnsNames: [],
    ipAddresses: ['127.0.0.1'],
    validityDays: 1,
    commonName: 'netpol-guard webhook',
  });
  const description = describeCertificate(pair.certPem);

  t.equal(description.subject, 'CN=netpol-guard webhook');
  t.same(description.dnsNames, []);
  t.same(description.ipAddresses, ['127.0.0.1']);
});

t.test('createServingCertificate rejects invalid options', async (t) => {
  const cases = [
    {
      name: 'no names',
      options: { ca, dnsNames: [], ipAddresses: [], validityDays: 1 },
      message: 'invalid serving certificate request: give at least one DNS name or IP address',
    },
    {
      name: 'invalid IP address',
      options: { ca, dnsNames: ['localhost'], ipAddresses: ['localhost'], validityDays: 1 },
      message: 'invalid IP address "localhost": expected an IPv4 or IPv6 address',
    },
    {
      name: 'fractional validity',
      options: { ca, dnsNames: ['localhost'], ipAddresses: [], validityDays: 1.5 },
      message: 'invalid validityDays 1.5: expected a whole number of days, 1 or more',
    },
  ];

  for (const testCase of cases) {
    t.throws(() => createServingCertificate(testCase.options), { message: testCase.message }, testCase.name);
  }
});

t.test('describeCertificate', async (t) => {
  const description = describeCertificate(serving.certPem);
  const certificate = new X509Certificate(serving.certPem);

  t.equal(description.subject, 'CN=localhost');
  t.equal(description.issuer, 'CN=netpol-guard-ca');
  t.same(description.dnsNames, [
    'localhost',
    'netpol-guard',
    'netpol-guard.netpol-guard',
    'netpol-guard.netpol-guard.svc',
    'netpol-guard.netpol-guard.svc.cluster.local',
  ]);
  t.same(description.ipAddresses, ['127.0.0.1', '::1']);
  t.equal(description.notBefore.getTime(), new Date(certificate.validFrom).getTime());
  t.equal(description.notAfter.getTime(), new Date(certificate.validTo).getTime());
  t.equal(description.fingerprintSha256, certificate.fingerprint256);
  t.match(description.fingerprintSha256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
});

t.test('splitPemCertificates', async (t) => {
  const bundle = `${ca.certPem}\n# comment between\n${serving.certPem}`;

  t.same(splitPemCertificates(bundle), [ca.certPem, serving.certPem]);
  t.same(splitPemCertificates('no certificate here'), []);
});

t.test('https handshake verifies like the API server', async (t) => {
  const otherCa = createCertificateAuthority({ commonName: 'other-ca', validityDays: 1 });
  const server = https.createServer({ cert: serving.certPem, key: serving.keyPem }, (request, response) => {
    response.end('ok');
  });
  server.on('tlsClientError', () => {});
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => server.close());
  const { port } = server.address() as AddressInfo;

  const post = (caPem: string, servername: string) =>
    new Promise<string>((resolve, reject) => {
      const request = https.request(
        { host: '127.0.0.1', port, method: 'POST', path: '/validate', ca: caPem, servername, agent: false },
        (response) => {
          response.setEncoding('utf8');
          let body = '';
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () => resolve(body));
        },
      );
      request.on('error', reject);
      request.end('{}');
    });

  t.equal(await post(ca.certPem, SERVICE_NAME), 'ok', 'service name with the signing CA');
  await t.rejects(post(ca.certPem, 'other.netpol-guard.svc'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }, 'wrong server name');
  await t.rejects(post(otherCa.certPem, SERVICE_NAME), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }, 'other CA');
});

t.test('handshake sees the described fingerprint', async (t) => {
  const server = await startTlsServer({ cert: serving.certPem, key: serving.keyPem });
  t.teardown(server.close);

  const cases = [
    { servername: SERVICE_NAME },
    { servername: 'netpol-guard.netpol-guard.svc.cluster.local' },
    { servername: 'localhost' },
    { servername: undefined, name: 'no SNI, checked against 127.0.0.1' },
  ];
  for (const testCase of cases) {
    const handshake = await connectTls({ port: server.port, ca: ca.certPem, servername: testCase.servername });
    t.equal(handshake.fingerprint256, describeCertificate(serving.certPem).fingerprintSha256, testCase.name ?? testCase.servername);
  }
});
