// Sets the caBundle of every webhook in webhook configuration manifests, so
// the API server trusts the webhook's serving certificate.
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isMap, isSeq, parseAllDocuments } from 'yaml';
import { splitPemCertificates } from '../src/tls/certificates.js';
import {
  EXIT_OK,
  EXIT_USAGE,
  HELP_OPTION,
  parseOrUsage,
  processIo,
  runIfEntryPoint,
  runScript,
  ScriptError,
  type ScriptIo,
} from './lib/cli.js';

export const WEBHOOK_CONFIGURATION_KINDS = ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'];

const USAGE = `Usage: npm run certs:ca-bundle -- --ca FILE [--ca FILE...] MANIFEST...

Writes the CA certificates, base64-encoded as one PEM bundle, into
clientConfig.caBundle of every webhook of each ValidatingWebhookConfiguration
and MutatingWebhookConfiguration in the given YAML files. The files are
rewritten in place; other documents, fields and comments are kept.
During a CA rotation pass certs/ca-bundle.crt, which holds the old and the new CA.

Options:
  --ca FILE    PEM file with one or more CA certificates; repeatable
  -h, --help   print this help`;

const OPTIONS = {
  ca: { type: 'string', multiple: true, default: [] as string[] },
  ...HELP_OPTION,
} as const;

/** Reads CA certificates from PEM files, rejecting files without certificates and leaf certificates. */
export function readCaBundle(files: string[], warn: (message: string) => void): string {
  const seen = new Set<string>();
  const certificates: string[] = [];

  for (const file of files) {
    const pems = splitPemCertificates(readFileSync(file, 'utf8'));
    if (pems.length === 0) {
      throw new ScriptError(`invalid CA file ${file}: no PEM certificate found`);
    }
    for (const pem of pems) {
      const certificate = new X509Certificate(pem);
      if (!certificate.ca) {
        throw new ScriptError(
          `invalid CA file ${file}: ${certificate.subject} is not a CA certificate. Pass the CA certificate, not the serving certificate`,
        );
      }
      if (new Date(certificate.validTo).getTime() < Date.now()) {
        warn(`warning: CA ${certificate.subject} in ${file} expired on ${certificate.validTo}`);
      }
      if (seen.has(certificate.fingerprint256)) continue;

      seen.add(certificate.fingerprint256);
      certificates.push(pem);
    }
  }
  return certificates.join('');
}

/**
 * Returns `source` with `caBundle` set on every webhook of the webhook
 * configurations it contains, and the number of webhooks changed.
 */
export function setCaBundle(source: string, caBundleBase64: string, file = 'input'): { text: string; webhooks: number } {
  const documents = parseAllDocuments(source);

  let webhooks = 0;
  for (const document of documents) {
    if (document.errors.length > 0) {
      throw new ScriptError(`invalid YAML in ${file}: ${document.errors[0]?.message ?? 'parse error'}`);
    }
    const kind = document.get('kind');
    if (typeof kind !== 'string' || !WEBHOOK_CONFIGURATION_KINDS.includes(kind)) continue;

    const list = document.get('webhooks');
    if (!isSeq(list)) continue;
    for (const webhook of list.items) {
      if (!isMap(webhook)) continue;
      webhook.setIn(['clientConfig', 'caBundle'], caBundleBase64);
      webhooks += 1;
    }
  }
  // lineWidth 0 keeps the base64 bundle on one line. A folded bundle is valid
  // YAML too, but unreadable in a diff.
  const text = documents.map((document) => document.toString({ lineWidth: 0 })).join('');
  return { text, webhooks };
}

export async function main(argv: string[], io: ScriptIo = processIo): Promise<number> {
  return runScript(async () => {
    const { values, positionals } = parseOrUsage(
      () => parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }),
      USAGE,
    );
    if (values.help) {
      io.out(USAGE);
      return EXIT_OK;
    }
    if (values.ca.length === 0 || positionals.length === 0) {
      throw new ScriptError(`give at least one --ca FILE and one manifest\n\n${USAGE}`, EXIT_USAGE);
    }

    const bundle = readCaBundle(values.ca, (message) => io.err(message));
    const caBundleBase64 = Buffer.from(bundle, 'utf8').toString('base64');
    const count = splitPemCertificates(bundle).length;

    // Every file is checked before any is written, so an error leaves all of them unchanged.
    const updates = positionals.map((file) => {
      const result = setCaBundle(readFileSync(file, 'utf8'), caBundleBase64, file);
      if (result.webhooks === 0) {
        throw new ScriptError(`no webhooks found in ${file}: expected a ${WEBHOOK_CONFIGURATION_KINDS.join(' or ')}`);
      }
      return { file, ...result };
    });

    for (const update of updates) {
      writeFileSync(update.file, update.text);
      io.out(`set caBundle (${count} CA certificate${count === 1 ? '' : 's'}) on ${update.webhooks} webhook${update.webhooks === 1 ? '' : 's'} in ${update.file}`);
    }
    return EXIT_OK;
  }, io);
}

runIfEntryPoint(import.meta.url, main);
