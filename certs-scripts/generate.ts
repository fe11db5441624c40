// Creates a CA and a serving certificate for the webhook Service.
import { join } from 'node:path';
import { createCertificateAuthority, serviceDnsNames } from '../src/tls/certificates.js';
import {
  CA_BUNDLE,
  CA_CERT,
  CA_KEY,
  DEFAULT_CA_VALIDITY_DAYS,
  DEFAULT_SERVING_VALIDITY_DAYS,
  TLS_CERT,
  TLS_KEY,
  assertNoOverwrite,
  issueServingFiles,
  writeOutputFiles,
} from './lib/cert-dir.js';
import {
  EXIT_OK,
  HELP_OPTION,
  parseDays,
  parseScriptOptions,
  processIo,
  runIfEntryPoint,
  runScript,
  type ScriptIo,
} from './lib/cli.js';

const USAGE = `Usage: npm run certs:generate -- [options]

Creates a CA and a serving certificate for the webhook Service, valid for
<service>, <service>.<namespace>, <service>.<namespace>.svc and
<service>.<namespace>.svc.cluster.local. Writes ${CA_CERT}, ${CA_KEY}, ${TLS_CERT},
${TLS_KEY} and ${CA_BUNDLE} into the output directory; key files get mode 0600.

Options:
  --service NAME             Service name (default: netpol-guard)
  --namespace NAME           namespace of the Service (default: netpol-guard)
  --out DIR                  output directory (default: certs)
  --validity-days DAYS       serving certificate validity in days (default: ${DEFAULT_SERVING_VALIDITY_DAYS})
  --ca-validity-days DAYS    CA validity in days (default: ${DEFAULT_CA_VALIDITY_DAYS})
  --dns-name NAME            extra DNS name for the serving certificate; repeatable
  --ip ADDRESS               IP address for the serving certificate; repeatable
  --force                    replace existing certificates and keys in the output directory
  -h, --help                 print this help`;

const OPTIONS = {
  service: { type: 'string', default: 'netpol-guard' },
  namespace: { type: 'string', default: 'netpol-guard' },
  out: { type: 'string', default: 'certs' },
  'validity-days': { type: 'string' },
  'ca-validity-days': { type: 'string' },
  'dns-name': { type: 'string', multiple: true, default: [] as string[] },
  ip: { type: 'string', multiple: true, default: [] as string[] },
  force: { type: 'boolean', default: false },
  ...HELP_OPTION,
} as const;

export async function main(argv: string[], io: ScriptIo = processIo): Promise<number> {
  return runScript(async () => {
    const values = parseScriptOptions(argv, OPTIONS, USAGE, io);
    if (values === undefined) return EXIT_OK;

    const validityDays = parseDays('validity-days', values['validity-days'], DEFAULT_SERVING_VALIDITY_DAYS);
    const caValidityDays = parseDays('ca-validity-days', values['ca-validity-days'], DEFAULT_CA_VALIDITY_DAYS);
    const dir = values.out;
    assertNoOverwrite(dir, [CA_CERT, CA_KEY, TLS_CERT, TLS_KEY, CA_BUNDLE], values.force);

    const ca = createCertificateAuthority({ commonName: `${values.service}-ca`, validityDays: caValidityDays });
    const dnsNames = [...serviceDnsNames(values.service, values.namespace), ...values['dns-name']];
    const servingFiles = issueServingFiles(ca, { dnsNames, ipAddresses: values.ip }, validityDays);

    const written = writeOutputFiles(dir, [
      { name: CA_CERT, content: ca.certPem, isPrivate: false },
      { name: CA_KEY, content: ca.keyPem, isPrivate: true },
      { name: CA_BUNDLE, content: ca.certPem, isPrivate: false },
      ...servingFiles,
    ]);

    io.out(`wrote ${written.join(', ')}`);
    io.out(`serving certificate for ${[...dnsNames, ...values.ip].join(', ')}, valid for ${validityDays} days`);
    io.out(`CA valid for ${caValidityDays} days. Put ${join(dir, CA_BUNDLE)} into the webhook caBundle with certs:ca-bundle`);
    return EXIT_OK;
  }, io);
}

runIfEntryPoint(import.meta.url, main);
