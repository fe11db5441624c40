import { once } from 'node:events';
import { renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, RequestListener } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { createServingCertificate, describeCertificate, type PemKeyPair } from '../../src/tls/certificates.js';
import { MIN_TLS_VERSION, TlsFileError, TlsSource, httpsServerOptions } from '../../src/tls/tls-source.js';
import { TEST_PKI_DNS_NAMES, TEST_PKI_IP_ADDRESSES, connectTls, createTestPki, startTlsServer, type TestPki } from '../helpers/certificates.js';

const SERVICE_NAME = 'netpol-guard.netpol-guard.svc';
// A safety net for file systems where fs.watch reports nothing. The tests wait
// for events, never for this interval.
const TEST_POLL_INTERVAL_MS = 500;

type LogLine = Record<string, unknown>;

function captureLogger(): { logger: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = { write: (line: string) => lines.push(JSON.parse(line) as LogLine) };
  return { logger: pino({ level: 'debug' }, stream), lines };
}

function issueServing(pki: TestPki): PemKeyPair {
  return createServingCertificate({
    ca: { certPem: pki.caPem, keyPem: pki.caKeyPem },
    dnsNames: TEST_PKI_DNS_NAMES,
    ipAddresses: TEST_PKI_IP_ADDRESSES,
    validityDays: 1,
  });
}

// Writes each file under a temporary name and renames it into place, as
// editors, cert-manager's csi driver and the kubelet do.
function replaceFiles(pki: TestPki, pair: { certPem: string; keyPem: string }): void {
  writeFileSync(`${pki.keyFile}.tmp`, pair.keyPem, { mode: 0o600 });
  writeFileSync(`${pki.certFile}.tmp`, pair.certPem);
  renameSync(`${pki.keyFile}.tmp`, pki.keyFile);
  renameSync(`${pki.certFile}.tmp`, pki.certFile);
}

// TlsSource's watchers and timers do not keep the process alive, a server
// does. Tests that wait for a watcher event without a server hold it open.
function keepProcessAlive(t: Test): void {
  const timer = setInterval(() => {}, 60_000);
  t.teardown(() => clearInterval(timer));
}

async function startSource(t: Test, pki: TestPki, logger = captureLogger().logger): Promise<TlsSource> {
  const source = new TlsSource({
    certFile: pki.certFile,
    keyFile: pki.keyFile,
    caFile: pki.caFile,
    logger,
    pollIntervalMs: TEST_POLL_INTERVAL_MS,
  });
  await source.start();
  t.teardown(() => source.stop());
  return source;
}

async function listenHttps(t: Test, source: TlsSource, handler: RequestListener = (_, response) => response.end('ok')) {
  const server = https.createServer(httpsServerOptions(source), handler);
  source.attach(server);
  server.on('tlsClientError', () => {});
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => server.close());
  return (server.address() as AddressInfo).port;
}

// Every test copies the shared PKI into a directory of its own, so it can
// replace files. `replacement` is a second serving certificate from that CA.
const initial = createTestPki();
const replacement = issueServing(initial);

t.test('TlsSource.start loads the certificate', async (t) => {
  const pki = createTestPki(t.testdir());
  const { logger, lines } = captureLogger();
  const source = await startSource(t, pki, logger);

  t.equal(source.healthy(), true);
  t.equal(source.certificate?.fingerprintSha256, describeCertificate(pki.certPem).fingerprintSha256);
  t.equal(source.healthy(new Date(Date.now() + 2 * 24 * 60 * 60 * 1000)), false, 'unhealthy once expired');

  t.equal(lines.length, 1);
  t.equal(lines[0]?.msg, 'tls certificate loaded');
  t.equal(lines[0]?.certFile, pki.certFile);
  t.equal(lines[0]?.keyFile, pki.keyFile);
  t.equal(lines[0]?.caFile, pki.caFile);
  t.equal(lines[0]?.fingerprintSha256, source.certificate?.fingerprintSha256);
  await t.rejects(source.start(), { message: 'TlsSource already started' });
});

t.test('TlsSource.start rejects invalid files', async (t) => {
  const dir = t.testdir();
  const pki = createTestPki(dir);
  const other = issueServing(initial);
  const invalidCert = join(dir, 'invalid.crt');
  const otherKey = join(dir, 'other.key');
  writeFileSync(invalidCert, 'not a certificate');
  writeFileSync(otherKey, other.keyPem);

  const cases = [
    {
      name: 'missing certificate',
      files: { certFile: join(dir, 'missing.crt'), keyFile: pki.keyFile },
      file: join(dir, 'missing.crt'),
      message: new RegExp(`^failed to read the certificate file ${join(dir, 'missing.crt')}: ENOENT`),
    },
    {
      name: 'invalid certificate',
      files: { certFile: invalidCert, keyFile: pki.keyFile },
      file: invalidCert,
      message: new RegExp(`^invalid certificate file ${invalidCert}: no PEM certificate found$`),
    },
    {
      name: 'invalid key',
      files: { certFile: pki.certFile, keyFile: invalidCert },
      file: invalidCert,
      message: new RegExp(`^invalid private key file ${invalidCert}: `),
    },
    {
      name: 'key of another certificate',
      files: { certFile: pki.certFile, keyFile: otherKey },
      file: otherKey,
      message: new RegExp(`^private key in ${otherKey} does not match the certificate in ${pki.certFile}$`),
    },
    {
      name: 'invalid CA file',
      files: { certFile: pki.certFile, keyFile: pki.keyFile, caFile: invalidCert },
      file: invalidCert,
      message: new RegExp(`^invalid CA file ${invalidCert}: no PEM certificate found$`),
    },
  ];

  for (const testCase of cases) {
    const source = new TlsSource({ ...testCase.files, logger: captureLogger().logger });
    const error = await source.start().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    t.type(error, TlsFileError, testCase.name);
    t.equal((error as TlsFileError).file, testCase.file, testCase.name);
    t.match((error as TlsFileError).message, testCase.message, testCase.name);
    t.equal(source.healthy(), false, testCase.name);
    source.stop();
  }
});

t.test('TlsSource.getSecureContext before start', async (t) => {
  const source = new TlsSource({ certFile: 'tls.crt', keyFile: 'tls.key', logger: captureLogger().logger });
  t.throws(() => source.getSecureContext(), { message: 'TlsSource has no certificate: call start() first' });
});

t.test('TlsSource reloads changed files for new connections', async (t) => {
  const pki = createTestPki(t.testdir());
  const { logger, lines } = captureLogger();
  const source = await startSource(t, pki, logger);
  const port = await listenHttps(t, source);
  const oldFingerprint = describeCertificate(pki.certPem).fingerprintSha256;
  const newFingerprint = describeCertificate(replacement.certPem).fingerprintSha256;

  const before = await connectTls({ port, ca: pki.caPem, servername: SERVICE_NAME });
  t.equal(before.fingerprint256, oldFingerprint);

  const reloaded = once(source, 'reload');
  replaceFiles(pki, replacement);
  const [description] = (await reloaded) as [{ fingerprintSha256: string }];
  t.equal(description.fingerprintSha256, newFingerprint);
  t.equal(source.certificate?.fingerprintSha256, newFingerprint);

  const withSni = await connectTls({ port, ca: pki.caPem, servername: SERVICE_NAME });
  t.equal(withSni.fingerprint256, newFingerprint, 'client with SNI gets the new certificate');
  const withoutSni = await connectTls({ port, ca: pki.caPem });
  t.equal(withoutSni.fingerprint256, newFingerprint, 'client without SNI gets the new certificate');

  const reloadLine = lines.find((line) => line.msg === 'tls certificate reloaded');
  t.equal(reloadLine?.fingerprintSha256, newFingerprint);
  t.equal(reloadLine?.level, 30);
});

t.test('TlsSource keeps the certificate on invalid replacement', async (t) => {
  const pki = createTestPki(t.testdir());
  const { logger, lines } = captureLogger();
  const errors: Error[] = [];
  const source = new TlsSource({
    certFile: pki.certFile,
    keyFile: pki.keyFile,
    logger,
    pollIntervalMs: TEST_POLL_INTERVAL_MS,
    onReloadError: (error) => errors.push(error),
  });
  await source.start();
  t.teardown(() => source.stop());
  const port = await listenHttps(t, source);
  const oldFingerprint = describeCertificate(pki.certPem).fingerprintSha256;

  // The new key with the old certificate: both files parse, but they do not match.
  const failed = once(source, 'reloadError');
  writeFileSync(pki.keyFile, replacement.keyPem);
  const [error] = (await failed) as [Error];

  t.equal(error.message, `private key in ${pki.keyFile} does not match the certificate in ${pki.certFile}`);
  t.same(errors, [error], 'onReloadError receives the error');
  t.equal(source.healthy(), true);
  t.equal(source.certificate?.fingerprintSha256, oldFingerprint);
  const handshake = await connectTls({ port, ca: pki.caPem, servername: SERVICE_NAME });
  t.equal(handshake.fingerprint256, oldFingerprint, 'new connections still get the old certificate');

  const errorLines = lines.filter((line) => line.level === 50);
  t.equal(errorLines.length, 1);
  t.equal(errorLines[0]?.msg, 'tls certificate reload failed, keeping the previous certificate');
  t.equal((errorLines[0]?.err as { message?: string } | undefined)?.message, error.message);
  t.equal(errorLines[0]?.certFile, pki.certFile);
  t.equal(errorLines[0]?.keyFile, pki.keyFile);
  const logText = JSON.stringify(lines);
  t.notOk(logText.includes('PRIVATE KEY'), 'no key material in the log');

  // A repeat check of the same broken files reports nothing new.
  await source.checkForChanges();
  t.equal(errors.length, 1);

  // Completing the replacement recovers.
  const reloaded = once(source, 'reload');
  writeFileSync(pki.certFile, replacement.certPem);
  await reloaded;
  t.equal(source.certificate?.fingerprintSha256, describeCertificate(replacement.certPem).fingerprintSha256);
});

t.test('TlsSource reports a deleted file once', async (t) => {
  const pki = createTestPki(t.testdir());
  const errors: Error[] = [];
  const source = new TlsSource({
    certFile: pki.certFile,
    keyFile: pki.keyFile,
    logger: captureLogger().logger,
    pollIntervalMs: TEST_POLL_INTERVAL_MS,
    onReloadError: (error) => errors.push(error),
  });
  await source.start();
  t.teardown(() => source.stop());
  keepProcessAlive(t);

  const failed = once(source, 'reloadError');
  rmSync(pki.certFile);
  await failed;
  await source.checkForChanges();

  t.equal(errors.length, 1);
  t.match(errors[0]?.message, new RegExp(`^failed to read the certificate file ${pki.certFile}: ENOENT`));
  t.equal(source.healthy(), true, 'the loaded certificate still serves');
});

t.test('TlsSource survives a throwing reload listener', async (t) => {
  const pki = createTestPki(t.testdir());
  let logged: (line: LogLine) => void = () => {};
  const failureLogged = new Promise<LogLine>((resolve) => (logged = resolve));
  const stream = {
    write: (text: string) => {
      const line = JSON.parse(text) as LogLine;
      if (line.msg === 'tls certificate check failed') logged(line);
    },
  };
  const source = await startSource(t, pki, pino({}, stream));
  keepProcessAlive(t);
  source.on('reload', () => {
    throw new Error('listener failed');
  });

  replaceFiles(pki, replacement);
  const line = await failureLogged;

  t.equal((line.err as { message?: string } | undefined)?.message, 'listener failed');
  t.equal(line.level, 50);
  t.equal(source.certificate?.fingerprintSha256, describeCertificate(replacement.certPem).fingerprintSha256);
});

t.test('TlsSource ignores touched but unchanged files', async (t) => {
  const pki = createTestPki(t.testdir());
  const source = await startSource(t, pki);
  let events = 0;
  source.on('reload', () => (events += 1));
  source.on('reloadError', () => (events += 1));

  const later = new Date(Date.now() + 60_000);
  utimesSync(pki.certFile, later, later);
  writeFileSync(pki.keyFile, pki.keyPem);
  await source.checkForChanges();

  t.equal(events, 0);
});

t.test('TlsSource reload keeps an in-flight request', async (t) => {
  const pki = createTestPki(t.testdir());
  const source = await startSource(t, pki);
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const port = await listenHttps(t, source, (_, response) => {
    response.write('first;');
    void released.then(() => response.end('second'));
  });

  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const request = https.request({ host: '127.0.0.1', port, ca: pki.caPem, servername: SERVICE_NAME, agent: false }, resolve);
    request.on('error', reject);
    request.end();
  });
  response.setEncoding('utf8');
  const chunks: string[] = [];
  response.on('data', (chunk: string) => chunks.push(chunk));
  const ended = once(response, 'end');
  const socket = response.socket as tls.TLSSocket;
  const inFlightFingerprint = socket.getPeerCertificate().fingerprint256;

  const reloaded = once(source, 'reload');
  replaceFiles(pki, replacement);
  await reloaded;
  const handshake = await connectTls({ port, ca: pki.caPem, servername: SERVICE_NAME });
  t.equal(handshake.fingerprint256, describeCertificate(replacement.certPem).fingerprintSha256, 'new connection');

  release();
  await ended;
  t.equal(chunks.join(''), 'first;second', 'in-flight response completes');
  t.equal(inFlightFingerprint, describeCertificate(pki.certPem).fingerprintSha256, 'in-flight connection kept its certificate');
});

t.test('httpsServerOptions', async (t) => {
  const pki = createTestPki(t.testdir());
  const source = await startSource(t, pki);
  const options = httpsServerOptions(source);

  t.equal(MIN_TLS_VERSION, 'TLSv1.2');
  t.equal(options.minVersion, 'TLSv1.2');
  t.equal(options.cert, pki.certPem);
  t.equal(options.key, pki.keyPem);
  t.equal(options.ca, pki.caPem);
  t.equal(options.SNICallback, source.SNICallback);
});

t.test('httpsServerOptions rejects a TLS 1.1 client', async (t) => {
  const pki = createTestPki(t.testdir());
  const source = await startSource(t, pki);
  const port = await listenHttps(t, source);
  // OpenSSL 3 allows TLS 1.1 only at security level 0.
  const tls11Client = { ca: pki.caPem, servername: SERVICE_NAME, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } as const;

  await t.rejects(connectTls({ port, ...tls11Client }), { code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' });

  // The same client reaches a server that allows TLS 1.1, so the rejection above comes from the server.
  const lenient = await startTlsServer({ cert: pki.certPem, key: pki.keyPem, minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' });
  t.teardown(lenient.close);
  const handshake = await connectTls({ port: lenient.port, ...tls11Client });
  t.equal(handshake.protocol, 'TLSv1.1');

  const modern = await connectTls({ port, ca: pki.caPem, servername: SERVICE_NAME, minVersion: 'TLSv1.2' });
  t.match(modern.protocol, /^TLSv1\.[23]$/);
});
