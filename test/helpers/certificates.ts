// A certificate authority and serving certificate for tests that need TLS.
// The keys are generated once per process because RSA key generation is the
// slow part of most TLS tests.
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { createCertificateAuthority, createServingCertificate } from '../../src/tls/certificates.js';

export interface TestPki {
  caPem: string;
  /** The CA key, for tests that issue more certificates from the same CA. */
  caKeyPem: string;
  certPem: string;
  keyPem: string;
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** Names in the serving certificate: what tests dial and what the API server dials. */
export const TEST_PKI_DNS_NAMES = ['localhost', 'netpol-guard.netpol-guard.svc'];
export const TEST_PKI_IP_ADDRESSES = ['127.0.0.1'];

type TestPkiPems = Pick<TestPki, 'caPem' | 'caKeyPem' | 'certPem' | 'keyPem'>;

let cached: TestPkiPems | undefined;
let defaultDirectory: string | undefined;

/**
 * Returns the process's test PKI, written as `ca.crt`, `tls.crt` and `tls.key`
 * into `dir`, or into one temporary directory removed when the process exits.
 */
export function createTestPki(dir?: string): TestPki {
  cached ??= generateTestPki();
  const directory = dir ?? defaultTestDirectory();
  mkdirSync(directory, { recursive: true });

  const caFile = join(directory, 'ca.crt');
  const certFile = join(directory, 'tls.crt');
  const keyFile = join(directory, 'tls.key');
  writeFileSync(caFile, cached.caPem);
  writeFileSync(certFile, cached.certPem);
  writeFileSync(keyFile, cached.keyPem, { mode: 0o600 });

  return { ...cached, caFile, certFile, keyFile };
}

function generateTestPki(): TestPkiPems {
  const ca = createCertificateAuthority({ commonName: 'netpol-guard test CA', validityDays: 2 });
  const serving = createServingCertificate({
    ca,
    dnsNames: TEST_PKI_DNS_NAMES,
    ipAddresses: TEST_PKI_IP_ADDRESSES,
    validityDays: 1,
  });
  return { caPem: ca.certPem, caKeyPem: ca.keyPem, certPem: serving.certPem, keyPem: serving.keyPem };
}

function defaultTestDirectory(): string {
  if (defaultDirectory === undefined) {
    const directory = mkdtempSync(join(tmpdir(), 'netpol-guard-test-pki-'));
    process.once('exit', () => rmSync(directory, { recursive: true, force: true }));
    defaultDirectory = directory;
  }
  return defaultDirectory;
}

export interface TlsClientOptions {
  port: number;
  ca: string | string[];
  /** SNI and the name the certificate is checked against. Without it the client sends no SNI and checks 127.0.0.1. */
  servername?: string;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  ciphers?: string;
}

export interface TlsHandshake {
  fingerprint256: string;
  protocol: string | null;
}

/**
 * Connects to 127.0.0.1 and verifies the server certificate as the API server
 * does: against `ca` for `servername`. Rejects with the TLS error otherwise.
 */
export async function connectTls(options: TlsClientOptions): Promise<TlsHandshake> {
  const socket = tls.connect({
    host: '127.0.0.1',
    port: options.port,
    ca: options.ca,
    ...(options.servername === undefined ? {} : { servername: options.servername }),
    ...(options.minVersion === undefined ? {} : { minVersion: options.minVersion }),
    ...(options.maxVersion === undefined ? {} : { maxVersion: options.maxVersion }),
    ...(options.ciphers === undefined ? {} : { ciphers: options.ciphers }),
  });
  try {
    await once(socket, 'secureConnect');
    return { fingerprint256: socket.getPeerCertificate().fingerprint256, protocol: socket.getProtocol() };
  } finally {
    socket.destroy();
  }
}

/** Starts a TLS server on 127.0.0.1 that closes every connection after the handshake. */
export async function startTlsServer(options: tls.TlsOptions): Promise<{ port: number; close: () => Promise<void> }> {
  const server = tls.createServer(options, (socket) => socket.end());
  // Handshake failures are the expected outcome of negative tests.
  server.on('tlsClientError', () => {});
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');

  const { port } = server.address() as AddressInfo;
  const close = async () => {
    server.close();
    await once(server, 'close');
  };
  return { port, close };
}

/** Output of a certificate script's `main`, recorded instead of printed. */
export interface RecordedIo {
  out(text: string): void;
  err(text: string): void;
  stdout: string[];
  stderr: string[];
}

export function recordScriptIo(): RecordedIo {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (text) => stdout.push(text), err: (text) => stderr.push(text), stdout, stderr };
}
