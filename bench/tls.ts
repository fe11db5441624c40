import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, createServingCertificate } from '../src/tls/certificates.js';

export interface BenchTls {
  caPem: string;
  certFile: string;
  keyFile: string;
  /** Removes the temporary directory holding the files. */
  remove(): void;
}

/** Issues a CA and a serving certificate for 127.0.0.1 into a temporary directory, shared by every server of a run. */
export function createBenchTls(): BenchTls {
  const directory = mkdtempSync(join(tmpdir(), 'netpol-guard-bench-tls-'));
  const ca = createCertificateAuthority({ commonName: 'netpol-guard benchmark CA', validityDays: 1 });
  const serving = createServingCertificate({ ca, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], validityDays: 1 });
  const certFile = join(directory, 'tls.crt');
  const keyFile = join(directory, 'tls.key');
  writeFileSync(certFile, serving.certPem);
  writeFileSync(keyFile, serving.keyPem, { mode: 0o600 });
  return { caPem: ca.certPem, certFile, keyFile, remove: () => rmSync(directory, { recursive: true, force: true }) };
}
