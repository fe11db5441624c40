// Re-issues the serving certificate, or rotates the CA in two steps with an
// overlap in which clients trust both the old and the new CA.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createCertificateAuthority, describeCertificate } from '../src/tls/certificates.js';
import {
  CA_BUNDLE,
  CA_CERT,
  CA_KEY,
  CA_PREVIOUS_CERT,
  DEFAULT_CA_VALIDITY_DAYS,
  DEFAULT_SERVING_VALIDITY_DAYS,
  TLS_CERT,
  existingFiles,
  isSignedBy,
  issueServingFiles,
  readCa,
  readDirFile,
  servingNamesOf,
  writeOutputFiles,
} from './lib/cert-dir.js';
import {
  EXIT_OK,
  EXIT_USAGE,
  HELP_OPTION,
  parseDays,
  parseScriptOptions,
  processIo,
  runIfEntryPoint,
  runScript,
  ScriptError,
  type ScriptIo,
} from './lib/cli.js';

const USAGE = `Usage: npm run certs:rotate -- (--serving | --ca | --finish) [options]

Rotates the certificates in a directory made by the generate script.

  --serving   issues a new serving certificate (${TLS_CERT}, tls.key) from the current
              CA for the names of the existing one.
  --ca        starts a CA rotation: creates a new CA (${CA_CERT}, ${CA_KEY}),
              keeps the old CA certificate as ${CA_PREVIOUS_CERT} (its key is
              overwritten, because nothing is signed with it again), writes
              ${CA_BUNDLE} with both CAs and issues a new serving certificate
              from the new CA. Apply ${CA_BUNDLE} to the webhook configurations
              (certs:ca-bundle) before you deploy the new serving certificate.
  --finish    ends a CA rotation once every client trusts the new CA: writes
              ${CA_BUNDLE} with the new CA only and deletes ${CA_PREVIOUS_CERT}.
              Apply ${CA_BUNDLE} to the webhook configurations again afterwards.

Options:
  --dir DIR                  certificate directory (default: certs)
  --validity-days DAYS       serving certificate validity in days (default: ${DEFAULT_SERVING_VALIDITY_DAYS})
  --ca-validity-days DAYS    new CA validity in days (default: ${DEFAULT_CA_VALIDITY_DAYS})
  --force                    with --ca: start a new rotation although
                             ${CA_PREVIOUS_CERT} exists, which drops that older CA
                             from the bundle
  -h, --help                 print this help`;

const OPTIONS = {
  serving: { type: 'boolean', default: false },
  ca: { type: 'boolean', default: false },
  finish: { type: 'boolean', default: false },
  dir: { type: 'string', default: 'certs' },
  'validity-days': { type: 'string' },
  'ca-validity-days': { type: 'string' },
  force: { type: 'boolean', default: false },
  ...HELP_OPTION,
} as const;

export async function main(argv: string[], io: ScriptIo = processIo): Promise<number> {
  return runScript(async () => {
    const values = parseScriptOptions(argv, OPTIONS, USAGE, io);
    if (values === undefined) return EXIT_OK;

    const modes = [values.serving, values.ca, values.finish].filter(Boolean).length;
    if (modes !== 1) {
      throw new ScriptError(`give exactly one of --serving, --ca and --finish\n\n${USAGE}`, EXIT_USAGE);
    }

    const validityDays = parseDays('validity-days', values['validity-days'], DEFAULT_SERVING_VALIDITY_DAYS);
    const caValidityDays = parseDays('ca-validity-days', values['ca-validity-days'], DEFAULT_CA_VALIDITY_DAYS);
    if (values.serving) rotateServing(values.dir, validityDays, io);
    if (values.ca) rotateCa(values.dir, { validityDays, caValidityDays, force: values.force }, io);
    if (values.finish) finishCaRotation(values.dir, io);
    return EXIT_OK;
  }, io);
}

function rotateServing(dir: string, validityDays: number, io: ScriptIo): void {
  const ca = readCa(dir);
  const names = servingNamesOf(readDirFile(dir, TLS_CERT));

  const written = writeOutputFiles(dir, issueServingFiles(ca, names, validityDays));
  io.out(`wrote ${written.join(', ')}: serving certificate for ${[...names.dnsNames, ...names.ipAddresses].join(', ')}`);
  io.out('deploy it with certs:secret; the webhook reloads it without a restart');
}

function rotateCa(dir: string, options: { validityDays: number; caValidityDays: number; force: boolean }, io: ScriptIo): void {
  if (existingFiles(dir, [CA_PREVIOUS_CERT]).length > 0 && !options.force) {
    throw new ScriptError(
      `a CA rotation is in progress: ${join(dir, CA_PREVIOUS_CERT)} exists. ` +
        'Run --finish once every client trusts the current CA, or pass --force to drop the previous CA from the bundle',
    );
  }

  const previousCa = readCa(dir);
  const names = servingNamesOf(readDirFile(dir, TLS_CERT));
  const commonName = rotatedCommonName(describeCertificate(previousCa.certPem).subject, new Date());
  const ca = createCertificateAuthority({ commonName, validityDays: options.caValidityDays });

  // The previous CA is written first, so an interrupted run still leaves it on disk.
  const written = writeOutputFiles(dir, [
    { name: CA_PREVIOUS_CERT, content: previousCa.certPem, isPrivate: false },
    { name: CA_BUNDLE, content: previousCa.certPem + ca.certPem, isPrivate: false },
    { name: CA_CERT, content: ca.certPem, isPrivate: false },
    { name: CA_KEY, content: ca.keyPem, isPrivate: true },
    ...issueServingFiles(ca, names, options.validityDays),
  ]);

  io.out(`wrote ${written.join(', ')}`);
  io.out(`new CA ${commonName}. ${join(dir, CA_BUNDLE)} contains the previous and the new CA`);
  io.out('next: apply the bundle with certs:ca-bundle, then deploy the serving certificate with certs:secret,');
  io.out('then run certs:rotate -- --finish and apply the bundle again');
}

function finishCaRotation(dir: string, io: ScriptIo): void {
  if (existingFiles(dir, [CA_PREVIOUS_CERT]).length === 0) {
    throw new ScriptError(`no CA rotation in progress: ${join(dir, CA_PREVIOUS_CERT)} does not exist`);
  }
  const caPem = readDirFile(dir, CA_CERT);
  if (!isSignedBy(readDirFile(dir, TLS_CERT), caPem)) {
    throw new ScriptError(
      `${join(dir, TLS_CERT)} is not signed by ${join(dir, CA_CERT)}: dropping the previous CA would break it. ` +
        'Run --serving first',
    );
  }

  const [bundle] = writeOutputFiles(dir, [{ name: CA_BUNDLE, content: caPem, isPrivate: false }]);
  rmSync(join(dir, CA_PREVIOUS_CERT));
  io.out(`wrote ${bundle} with the current CA only and deleted ${join(dir, CA_PREVIOUS_CERT)}`);
  io.out('next: apply the bundle with certs:ca-bundle');
}

/** Returns the name of the next CA: the previous name with the rotation day, replacing an older one. */
export function rotatedCommonName(previousSubject: string, now: Date): string {
  const previous = previousSubject.replace(/^CN=/, '').split(', ')[0] ?? 'netpol-guard-ca';
  const base = previous.replace(/-\d{8}T\d{6}Z$/, '');
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return `${base}-${stamp}`;
}

runIfEntryPoint(import.meta.url, main);
