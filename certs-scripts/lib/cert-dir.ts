// The layout of a certificate directory and the reads and writes on it.
// File names follow the keys of a kubernetes.io/tls Secret (tls.crt, tls.key,
// ca.crt) so a directory maps onto the Secret one to one.
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServingCertificate, describeCertificate, type PemKeyPair } from '../../src/tls/certificates.js';
import { ScriptError } from './cli.js';

export const CA_CERT = 'ca.crt';
export const CA_KEY = 'ca.key';
export const TLS_CERT = 'tls.crt';
export const TLS_KEY = 'tls.key';
/** The CA that signed the serving certificate before a CA rotation. */
export const CA_PREVIOUS_CERT = 'ca-previous.crt';
/** Every CA clients must trust: the current CA, and during a rotation the previous one too. */
export const CA_BUNDLE = 'ca-bundle.crt';

export const DEFAULT_SERVING_VALIDITY_DAYS = 365;
export const DEFAULT_CA_VALIDITY_DAYS = 3650;

const PRIVATE_FILE_MODE = 0o600;
const PUBLIC_FILE_MODE = 0o644;

export interface OutputFile {
  name: string;
  content: string;
  /** Private keys are written with mode 0600. */
  isPrivate: boolean;
}

/** Writes the files into `dir`, creating it, and returns their paths in order. */
export function writeOutputFiles(dir: string, files: OutputFile[]): string[] {
  mkdirSync(dir, { recursive: true });
  return files.map((file) => {
    const path = join(dir, file.name);
    const mode = file.isPrivate ? PRIVATE_FILE_MODE : PUBLIC_FILE_MODE;
    writeFileSync(path, file.content, { mode });
    // The mode option applies only when the file is created, so an existing
    // key file keeps broader permissions unless they are set again.
    chmodSync(path, mode);
    return path;
  });
}

/** Returns the names from `names` that exist in `dir`. */
export function existingFiles(dir: string, names: string[]): string[] {
  return names.filter((name) => existsSync(join(dir, name)));
}

/** Throws a ScriptError when any of `names` exists in `dir`, unless `force` is set. */
export function assertNoOverwrite(dir: string, names: string[], force: boolean): void {
  if (force) return;

  const existing = existingFiles(dir, names);
  if (existing.length > 0) {
    throw new ScriptError(
      `not overwriting ${existing.map((name) => join(dir, name)).join(', ')}: pass --force to replace them`,
    );
  }
}

/** Reads a file of `dir`. A missing file raises a ScriptError that names the script creating it. */
export function readDirFile(dir: string, name: string, createdBy = 'generate'): string {
  const path = join(dir, name);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ScriptError(`missing ${path}: run the ${createdBy} script first or pass the right --dir`);
    }
    throw error;
  }
}

export function readCa(dir: string): PemKeyPair {
  return { certPem: readDirFile(dir, CA_CERT), keyPem: readDirFile(dir, CA_KEY) };
}

export interface ServingNames {
  dnsNames: string[];
  ipAddresses: string[];
}

/** Issues a serving certificate and returns its two output files. */
export function issueServingFiles(ca: PemKeyPair, names: ServingNames, validityDays: number): OutputFile[] {
  const serving = createServingCertificate({ ca, ...names, validityDays });
  return [
    { name: TLS_CERT, content: serving.certPem, isPrivate: false },
    { name: TLS_KEY, content: serving.keyPem, isPrivate: true },
  ];
}

/** Returns the names of an existing serving certificate, to re-issue it for the same names. */
export function servingNamesOf(certPem: string): ServingNames {
  const { dnsNames, ipAddresses } = describeCertificate(certPem);
  return { dnsNames, ipAddresses };
}

/** True when `certPem` carries a valid signature by the CA in `caPem`. */
export function isSignedBy(certPem: string, caPem: string): boolean {
  const certificate = new X509Certificate(certPem);
  const ca = new X509Certificate(caPem);
  return certificate.checkIssued(ca) && certificate.verify(ca.publicKey);
}

/** Formats a date as its UTC day, for messages. */
export function formatDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
