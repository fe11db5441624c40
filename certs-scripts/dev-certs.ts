// Creates the certificates `npm start` serves with, once, and reuses them
// while they stay valid.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { join } from 'node:path';
import { createCertificateAuthority, describeCertificate, serviceDnsNames } from '../src/tls/certificates.js';
import {
  CA_BUNDLE,
  CA_CERT,
  CA_KEY,
  DEFAULT_CA_VALIDITY_DAYS,
  DEFAULT_SERVING_VALIDITY_DAYS,
  TLS_CERT,
  TLS_KEY,
  existingFiles,
  formatDay,
  isSignedBy,
  issueServingFiles,
  readDirFile,
  writeOutputFiles,
} from './lib/cert-dir.js';
import {
  EXIT_OK,
  HELP_OPTION,
  parseScriptOptions,
  processIo,
  runIfEntryPoint,
  runScript,
  type ScriptIo,
} from './lib/cli.js';

export const DEV_DNS_NAMES = ['localhost', ...serviceDnsNames('netpol-guard', 'netpol-guard')];
export const DEV_IP_ADDRESSES = ['127.0.0.1', '::1'];
/** Certificates that expire sooner are replaced, so a dev server started today runs for a week. */
export const MIN_REMAINING_DAYS = 7;

const DAY_MS = 24 * 60 * 60 * 1000;

const USAGE = `Usage: node dist/certs-scripts/dev-certs.js [options]

Creates a CA and a serving certificate for local development, valid for
${[...DEV_DNS_NAMES, ...DEV_IP_ADDRESSES].join(', ')}.
Existing files are kept while the serving certificate is valid for ${MIN_REMAINING_DAYS} more days.
Key files get mode 0600. Never use these certificates in a cluster.

Options:
  --dir DIR    certificate directory (default: certs/dev)
  --force      create new certificates even when the existing ones are valid
  -h, --help   print this help`;

const OPTIONS = {
  dir: { type: 'string', default: join('certs', 'dev') },
  force: { type: 'boolean', default: false },
  ...HELP_OPTION,
} as const;

export async function main(argv: string[], io: ScriptIo = processIo): Promise<number> {
  return runScript(async () => {
    const values = parseScriptOptions(argv, OPTIONS, USAGE, io);
    if (values === undefined) return EXIT_OK;

    const dir = values.dir;
    const problem = values.force ? 'replaced because of --force' : findReuseProblem(dir, new Date());
    if (problem === undefined) {
      io.out(`using the dev certificates in ${dir}`);
    } else {
      createDevCertificates(dir);
      io.out(`created dev certificates in ${dir} (${problem})`);
    }

    const notAfter = describeCertificate(readDirFile(dir, TLS_CERT)).notAfter;
    const caFile = join(dir, CA_CERT);
    io.out(`serving certificate valid until ${formatDay(notAfter)}, CA certificate in ${caFile}`);
    io.out('once the server listens, send it a review with:');
    io.out(
      `  curl --cacert ${caFile} -H 'Content-Type: application/json' ` +
        '--data @examples/reviews/pod-create-shop.json https://localhost:8443/validate',
    );
    return EXIT_OK;
  }, io);
}

/** Returns why the files in `dir` cannot be reused, or undefined when they can. */
export function findReuseProblem(dir: string, now: Date): string | undefined {
  const required = [CA_CERT, TLS_CERT, TLS_KEY];
  const present = existingFiles(dir, required);
  if (present.length < required.length) {
    const missing = required.filter((name) => !present.includes(name));
    return `missing ${missing.join(', ')}`;
  }

  const caPem = readDirFile(dir, CA_CERT);
  const certPem = readDirFile(dir, TLS_CERT);
  const keyPem = readDirFile(dir, TLS_KEY);
  try {
    if (!new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem))) {
      return `${TLS_KEY} does not match ${TLS_CERT}`;
    }
    if (!isSignedBy(certPem, caPem)) {
      return `${TLS_CERT} is not signed by ${CA_CERT}`;
    }

    const description = describeCertificate(certPem);
    const missingNames = [...DEV_DNS_NAMES, ...DEV_IP_ADDRESSES].filter(
      (name) => !description.dnsNames.includes(name) && !description.ipAddresses.includes(name),
    );
    if (missingNames.length > 0) {
      return `${TLS_CERT} lacks ${missingNames.join(', ')}`;
    }
    if (description.notAfter.getTime() - now.getTime() < MIN_REMAINING_DAYS * DAY_MS) {
      return `${TLS_CERT} expires on ${formatDay(description.notAfter)}, in less than ${MIN_REMAINING_DAYS} days`;
    }
  } catch (error) {
    return `invalid files: ${error instanceof Error ? error.message : String(error)}`;
  }
  return undefined;
}

function createDevCertificates(dir: string): void {
  const ca = createCertificateAuthority({ commonName: 'netpol-guard-dev-ca', validityDays: DEFAULT_CA_VALIDITY_DAYS });
  const servingFiles = issueServingFiles(
    ca,
    { dnsNames: DEV_DNS_NAMES, ipAddresses: DEV_IP_ADDRESSES },
    DEFAULT_SERVING_VALIDITY_DAYS,
  );
  writeOutputFiles(dir, [
    { name: CA_CERT, content: ca.certPem, isPrivate: false },
    { name: CA_KEY, content: ca.keyPem, isPrivate: true },
    { name: CA_BUNDLE, content: ca.certPem, isPrivate: false },
    ...servingFiles,
  ]);
}

runIfEntryPoint(import.meta.url, main);
