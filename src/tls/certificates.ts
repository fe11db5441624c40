// Issues the webhook's certificate authority and serving certificates with
// node-forge, and describes certificates for logs and checks. Pure functions:
// callers read and write the PEM files themselves.
import { X509Certificate, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

export interface PemKeyPair {
  certPem: string;
  keyPem: string;
}

export interface CertificateAuthorityOptions {
  commonName: string;
  validityDays: number;
}

export interface ServingCertificateOptions {
  ca: PemKeyPair;
  dnsNames: string[];
  ipAddresses: string[];
  validityDays: number;
  /** Defaults to the first DNS name, or the first IP address when there is none. */
  commonName?: string;
}

export interface CertificateDescription {
  /** Distinguished name in the `CN=…` form, one attribute a line joined by ", ". */
  subject: string;
  issuer: string;
  dnsNames: string[];
  ipAddresses: string[];
  notBefore: Date;
  notAfter: Date;
  /** Colon-separated uppercase hex, the format of Node's `fingerprint256`. */
  fingerprintSha256: string;
}

export const RSA_KEY_BITS = 2048;

// Backdating notBefore lets a client whose clock runs a few minutes behind the
// issuing machine accept a certificate issued just now.
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Creates a self-signed certificate authority for signing serving certificates.
 * RSA key generation uses Node's native code through node-forge.
 */
export function createCertificateAuthority(options: CertificateAuthorityOptions): PemKeyPair {
  assertValidityDays(options.validityDays);
  if (options.commonName.trim() === '') {
    throw new Error('invalid commonName: the certificate authority needs a non-empty common name');
  }

  const keys = forge.pki.rsa.generateKeyPair({ bits: RSA_KEY_BITS, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = randomSerialNumber();
  setValidity(cert, options.validityDays);

  const name = [{ name: 'commonName', value: options.commonName }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());

  return toPemKeyPair(cert, keys.privateKey);
}

/** Creates a serving certificate for the given names, signed by `options.ca`. */
export function createServingCertificate(options: ServingCertificateOptions): PemKeyPair {
  assertValidityDays(options.validityDays);
  if (options.dnsNames.length === 0 && options.ipAddresses.length === 0) {
    throw new Error('invalid serving certificate request: give at least one DNS name or IP address');
  }
  for (const address of options.ipAddresses) {
    if (isIP(address) === 0) {
      throw new Error(`invalid IP address "${address}": expected an IPv4 or IPv6 address`);
    }
  }

  const caCert = forge.pki.certificateFromPem(options.ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(options.ca.keyPem);
  const keys = forge.pki.rsa.generateKeyPair({ bits: RSA_KEY_BITS, e: 0x10001 });

  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = randomSerialNumber();
  setValidity(cert, options.validityDays);

  const commonName = options.commonName ?? options.dnsNames[0] ?? options.ipAddresses[0] ?? '';
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: subjectKeyIdentifierBytes(caCert) },
    {
      name: 'subjectAltName',
      altNames: [
        ...options.dnsNames.map((value) => ({ type: 2, value })),
        ...options.ipAddresses.map((ip) => ({ type: 7, ip })),
      ],
    },
  ]);
  cert.sign(caKey, forge.md.sha256.create());

  return toPemKeyPair(cert, keys.privateKey);
}

/**
 * Returns the names under which a Service is reachable from inside the cluster.
 * The API server calls a webhook at `<service>.<namespace>.svc`, the other
 * forms serve clients inside the cluster.
 */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
  ];
}

/**
 * Describes a PEM certificate. Uses Node's X509 parser instead of node-forge
 * because node-forge cannot parse certificates with ECDSA keys, which
 * cert-manager and other issuers may provide.
 */
export function describeCertificate(pem: string): CertificateDescription {
  const cert = new X509Certificate(pem);
  const altNames = parseSubjectAltName(cert.subjectAltName ?? '');

  return {
    subject: formatDistinguishedName(cert.subject),
    issuer: formatDistinguishedName(cert.issuer),
    dnsNames: altNames.dnsNames,
    ipAddresses: altNames.ipAddresses,
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    fingerprintSha256: cert.fingerprint256,
  };
}

/** Splits a PEM bundle into its certificates, each ending with a newline. */
export function splitPemCertificates(bundle: string): string[] {
  const matches = bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  return matches.map((pem) => `${pem}\n`);
}

// node-forge ends PEM lines with CRLF, but PEM files and Secrets conventionally use LF.
function toPemKeyPair(cert: forge.pki.Certificate, privateKey: forge.pki.rsa.PrivateKey): PemKeyPair {
  return {
    certPem: forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n'),
    keyPem: forge.pki.privateKeyToPem(privateKey).replace(/\r\n/g, '\n'),
  };
}

function assertValidityDays(validityDays: number): void {
  if (!Number.isInteger(validityDays) || validityDays < 1) {
    throw new Error(`invalid validityDays ${validityDays}: expected a whole number of days, 1 or more`);
  }
}

function setValidity(cert: forge.pki.Certificate, validityDays: number): void {
  const now = Date.now();
  cert.validity.notBefore = new Date(now - CLOCK_SKEW_MS);
  cert.validity.notAfter = new Date(now + validityDays * DAY_MS);
}

// RFC 5280 4.1.2.2: a positive integer of at most 20 octets. node-forge writes
// the hex digits as the DER integer's bytes, so the top bit must be clear to
// keep the value positive, and a non-zero first byte keeps the encoding minimal.
function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
}

function subjectKeyIdentifierBytes(caCert: forge.pki.Certificate): string {
  const extension = caCert.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | null;
  if (extension?.subjectKeyIdentifier !== undefined) {
    return forge.util.hexToBytes(extension.subjectKeyIdentifier);
  }
  return caCert.generateSubjectKeyIdentifier().getBytes();
}

// Node prints one attribute a line ("CN=x\nO=y").
function formatDistinguishedName(name: string): string {
  return name.split('\n').filter((part) => part !== '').join(', ');
}

// Node prints names as `DNS:a, IP Address:127.0.0.1` and wraps a value in JSON
// quotes when it contains a comma or a quote.
function parseSubjectAltName(text: string): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  const entry = /(DNS|IP Address|[A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g;

  for (const match of text.matchAll(entry)) {
    const [, type, rawValue = ''] = match;
    const value = rawValue.startsWith('"') ? (JSON.parse(rawValue) as string) : rawValue;
    if (type === 'DNS') dnsNames.push(value);
    if (type === 'IP Address') ipAddresses.push(canonicalIpAddress(value));
  }
  return { dnsNames, ipAddresses };
}

// Node prints IPv6 addresses uncompressed (`0:0:0:0:0:0:0:1`), so they go
// through the URL parser, which returns the RFC 5952 form (`::1`).
function canonicalIpAddress(address: string): string {
  if (isIP(address) !== 6) return address;
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}
