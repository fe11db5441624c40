// Reads and validates a serving certificate, its key and an optional CA file,
// and builds the Node secure context for them.
import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import tls from 'node:tls';
import { describeCertificate, splitPemCertificates, type CertificateDescription } from './certificates.js';

// RFC 8996 deprecates TLS 1.0 and 1.1, so the webhook accepts TLS 1.2 and 1.3 only.
export const MIN_TLS_VERSION: tls.SecureVersion = 'TLSv1.2';

export interface TlsFilePaths {
  certFile: string;
  keyFile: string;
  caFile?: string | undefined;
}

export interface TlsFileContents {
  certPem: string;
  keyPem: string;
  caPem?: string | undefined;
  /** SHA-256 over all three files, which separates a real change from a touched file. */
  contentHash: string;
}

export interface LoadedTls extends TlsFileContents {
  description: CertificateDescription;
  secureContext: tls.SecureContext;
}

/** Error about one TLS file. The message names the file and never contains key material. */
export class TlsFileError extends Error {
  readonly file: string;

  constructor(file: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'TlsFileError';
    this.file = file;
  }
}

/** Reads the files. Throws TlsFileError naming the first file that cannot be read. */
export async function readTlsFiles(paths: TlsFilePaths): Promise<TlsFileContents> {
  const certPem = await readTextFile(paths.certFile, 'certificate');
  const keyPem = await readTextFile(paths.keyFile, 'private key');
  const caPem = paths.caFile === undefined ? undefined : await readTextFile(paths.caFile, 'CA');

  const hash = createHash('sha256');
  for (const part of [certPem, keyPem, caPem ?? '']) {
    hash.update(part).update('\0');
  }
  return { certPem, keyPem, caPem, contentHash: hash.digest('hex') };
}

/**
 * Checks that the certificate and key parse and belong together, and builds
 * the secure context. Throws TlsFileError naming the file at fault.
 */
export function validateTlsFiles(paths: TlsFilePaths, contents: TlsFileContents): LoadedTls {
  const certificate = parseCertificate(paths.certFile, contents.certPem);
  const privateKey = parsePrivateKey(paths.keyFile, contents.keyPem);

  if (!certificate.checkPrivateKey(privateKey)) {
    throw new TlsFileError(
      paths.keyFile,
      `private key in ${paths.keyFile} does not match the certificate in ${paths.certFile}`,
    );
  }
  if (paths.caFile !== undefined) {
    parseCaBundle(paths.caFile, contents.caPem ?? '');
  }

  let secureContext: tls.SecureContext;
  try {
    secureContext = tls.createSecureContext(secureContextOptions(contents));
  } catch (error) {
    throw new TlsFileError(
      paths.certFile,
      `failed to build a TLS context from ${paths.certFile} and ${paths.keyFile}: ${errorMessage(error)}`,
      error,
    );
  }

  return { ...contents, description: describeCertificate(contents.certPem), secureContext };
}

/** Options for tls.createSecureContext and tls.Server.setSecureContext. */
export function secureContextOptions(contents: TlsFileContents): tls.SecureContextOptions {
  const options: tls.SecureContextOptions = {
    cert: contents.certPem,
    key: contents.keyPem,
    minVersion: MIN_TLS_VERSION,
  };
  if (contents.caPem !== undefined) options.ca = contents.caPem;
  return options;
}

async function readTextFile(file: string, role: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new TlsFileError(file, `failed to read the ${role} file ${file}: ${errorMessage(error)}`, error);
  }
}

function parseCertificate(file: string, pem: string): X509Certificate {
  if (splitPemCertificates(pem).length === 0) {
    throw new TlsFileError(file, `invalid certificate file ${file}: no PEM certificate found`);
  }
  try {
    return new X509Certificate(pem);
  } catch (error) {
    throw new TlsFileError(file, `invalid certificate file ${file}: ${errorMessage(error)}`, error);
  }
}

// The underlying OpenSSL messages name the decoder step, never the key bytes.
function parsePrivateKey(file: string, pem: string): ReturnType<typeof createPrivateKey> {
  try {
    return createPrivateKey(pem);
  } catch (error) {
    throw new TlsFileError(file, `invalid private key file ${file}: ${errorMessage(error)}`, error);
  }
}

function parseCaBundle(file: string, pem: string): void {
  const certificates = splitPemCertificates(pem);
  if (certificates.length === 0) {
    throw new TlsFileError(file, `invalid CA file ${file}: no PEM certificate found`);
  }
  for (const certificate of certificates) {
    try {
      new X509Certificate(certificate);
    } catch (error) {
      throw new TlsFileError(file, `invalid CA file ${file}: ${errorMessage(error)}`, error);
    }
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
