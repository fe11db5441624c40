// Writes the serving certificate of a certificate directory as a
// kubernetes.io/tls Secret manifest.
import { basename, dirname } from 'node:path';
import { stringify } from 'yaml';
import { CA_CERT, TLS_CERT, TLS_KEY, readDirFile, writeOutputFiles } from './lib/cert-dir.js';
import {
  EXIT_OK,
  HELP_OPTION,
  parseScriptOptions,
  processIo,
  runIfEntryPoint,
  runScript,
  type ScriptIo,
} from './lib/cli.js';

const USAGE = `Usage: npm run certs:secret -- [options]

Writes a kubernetes.io/tls Secret manifest with the data keys ${TLS_CERT}, ${TLS_KEY}
and ${CA_CERT} from a certificate directory. The manifest contains the private
key: a file written with --out gets mode 0600; keep it out of version control.

Options:
  --dir DIR           certificate directory (default: certs)
  --name NAME         Secret name (default: netpol-guard-tls)
  --namespace NAME    Secret namespace (default: netpol-guard)
  --out FILE          output file (default: standard output)
  -h, --help          print this help`;

const OPTIONS = {
  dir: { type: 'string', default: 'certs' },
  name: { type: 'string', default: 'netpol-guard-tls' },
  namespace: { type: 'string', default: 'netpol-guard' },
  out: { type: 'string' },
  ...HELP_OPTION,
} as const;

export interface TlsSecretInput {
  name: string;
  namespace: string;
  certPem: string;
  keyPem: string;
  caPem: string;
}

/** Builds the Secret object with base64 data values, as the API requires. */
export function buildTlsSecret(input: TlsSecretInput): Record<string, unknown> {
  const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels: { 'app.kubernetes.io/name': 'netpol-guard' },
    },
    type: 'kubernetes.io/tls',
    data: {
      [TLS_CERT]: base64(input.certPem),
      [TLS_KEY]: base64(input.keyPem),
      [CA_CERT]: base64(input.caPem),
    },
  };
}

export async function main(argv: string[], io: ScriptIo = processIo): Promise<number> {
  return runScript(async () => {
    const values = parseScriptOptions(argv, OPTIONS, USAGE, io);
    if (values === undefined) return EXIT_OK;

    const secret = buildTlsSecret({
      name: values.name,
      namespace: values.namespace,
      certPem: readDirFile(values.dir, TLS_CERT),
      keyPem: readDirFile(values.dir, TLS_KEY),
      caPem: readDirFile(values.dir, CA_CERT),
    });
    const manifest = stringify(secret, { lineWidth: 0 });

    if (values.out === undefined) {
      io.out(manifest);
      return EXIT_OK;
    }

    const [path] = writeOutputFiles(dirname(values.out), [
      { name: basename(values.out), content: manifest, isPrivate: true },
    ]);
    io.out(`wrote Secret ${values.namespace}/${values.name} to ${path}`);
    return EXIT_OK;
  }, io);
}

runIfEntryPoint(import.meta.url, main);
