import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { KubeConfig } from '@kubernetes/client-node';
import { auditState, hasFailures, type AuditInput } from '../audit/index.js';
import { ClusterReadError, readClusterInput } from '../audit/read-cluster.js';
import { readFileInput } from '../audit/read-files.js';
import { loadKubeConfig } from '../cluster/kube-client.js';
import { ConfigError, loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { ManifestError } from '../state/read-manifests.js';
import { auditJson } from './audit-output/json.js';
import { policyReportYaml } from './audit-output/policyreport.js';
import { ProgressCounter } from './audit-output/progress.js';
import { auditSarif } from './audit-output/sarif.js';
import type { AuditSource } from './audit-output/source.js';
import { auditTable, colourEnabled } from './audit-output/table.js';
import { EXIT_FINDINGS, EXIT_OK, UsageError, writeLine, type CliIo } from './io.js';

export const AUDIT_USAGE = `Usage: netpol-guard audit [-f PATH...] [--kubeconfig FILE] [--namespace NS...] [--config FILE] [-o table|json|policyreport|sarif] [--quiet]

Reports every violation in manifests or in a live cluster, as the webhook
would judge it: namespaces without default-deny, workloads and Pods whose DNS
egress is blocked, exemptions in force and expired, namespaces not in
enforce mode, and invalid NetworkPolicies.

Options:
  -f, --filename PATH   manifest file (.yaml, .yml, .json) or folder, read recursively; repeatable.
                        Without -f the cluster is read through the kubeconfig.
      --kubeconfig FILE kubeconfig of the cluster to read; defaults to $KUBECONFIG, then ~/.kube/config,
                        then the pod's service account
  -n, --namespace NS    audit only this namespace; repeatable
      --config FILE     netpol-guard configuration (YAML or JSON): mode, exempt namespaces, DNS targets
  -o, --output FORMAT   table (default), json, policyreport (wgpolicyk8s.io/v1alpha2 List) or sarif (SARIF 2.1.0)
  -q, --quiet           print no progress counter on stderr
  -h, --help            print this help

Exit codes: 0 no violations, 1 violations found (warnings alone do not count),
2 invalid options, unreadable manifests, an invalid configuration or an
unreachable cluster.`;

const OUTPUTS = ['table', 'json', 'policyreport', 'sarif'] as const;
type Output = (typeof OUTPUTS)[number];

/** Runs `netpol-guard audit`; throws UsageError for every error that should exit with 2. */
export async function runAudit(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      filename: { type: 'string', short: 'f', multiple: true },
      kubeconfig: { type: 'string' },
      namespace: { type: 'string', short: 'n', multiple: true },
      config: { type: 'string' },
      output: { type: 'string', short: 'o' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    writeLine(io.stdout, AUDIT_USAGE);
    return EXIT_OK;
  }

  const output = (values.output ?? 'table') as Output;
  if (!OUTPUTS.includes(output)) {
    throw new UsageError(`invalid --output ${JSON.stringify(values.output)}: use ${OUTPUTS.join(', ')}`);
  }
  const paths = values.filename ?? [];
  if (paths.length > 0 && values.kubeconfig !== undefined) {
    throw new UsageError('-f and --kubeconfig cannot be combined: audit either manifests or a cluster');
  }

  const config = await loadConfig(values.config).catch((error: unknown) => {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  });
  const requested = values.namespace === undefined ? undefined : [...new Set(values.namespace)];
  const { input, source } =
    paths.length > 0
      ? await readFiles(paths)
      : await readCluster(values.kubeconfig, io, config, requested, values.quiet === true);

  if (requested !== undefined) {
    const known = new Set(input.store.namespaceNames());
    const missing = requested.filter((name) => !known.has(name));
    if (missing.length > 0) {
      const where = source.type === 'files' ? 'the manifests' : 'the cluster';
      throw new UsageError(`namespace ${missing.join(', ')} not found in ${where}`);
    }
  }

  const report = auditState(input, { config, now: new Date(), ...(requested ? { namespaces: requested.sort() } : {}) });
  switch (output) {
    case 'json':
      writeLine(io.stdout, JSON.stringify(auditJson(report, source), null, 2));
      break;
    case 'policyreport':
      io.stdout.write(policyReportYaml(report));
      break;
    case 'sarif':
      writeLine(io.stdout, JSON.stringify(auditSarif(report, process.cwd()), null, 2));
      break;
    default:
      writeLine(io.stdout, auditTable(report, colourEnabled(io.stdout, io.env)));
  }
  return hasFailures(report) ? EXIT_FINDINGS : EXIT_OK;
}

async function readFiles(paths: string[]): Promise<{ input: AuditInput; source: AuditSource }> {
  try {
    return { input: await readFileInput(paths), source: { type: 'files', paths } };
  } catch (error) {
    // ManifestError messages are one line that starts with the file and, when known, the line.
    if (error instanceof ManifestError) throw new UsageError(error.message);
    throw error;
  }
}

async function readCluster(
  kubeconfigOption: string | undefined,
  io: CliIo,
  config: Config,
  namespaces: string[] | undefined,
  quiet: boolean,
): Promise<{ input: AuditInput; source: AuditSource }> {
  const kubeConfig = loadClusterConfig(kubeconfigOption, io.env);
  // DNS checks read the policies and pods of the DNS server namespaces, so those are listed too.
  const dnsNamespaces = config.dns.targets.flatMap((target) => ('namespace' in target ? [target.namespace] : []));
  const listed = namespaces === undefined ? undefined : [...new Set([...namespaces, ...dnsNamespaces])].sort();
  const progress = new ProgressCounter(io.stderr, !quiet && io.stderr.isTTY === true);
  try {
    const input = await readClusterInput(kubeConfig, {
      ...(listed ? { namespaces: listed } : {}),
      onProgress: (objects, kind) => progress.update(objects, kind),
    });
    return { input, source: { type: 'cluster', context: kubeConfig.getCurrentContext() } };
  } catch (error) {
    if (error instanceof ClusterReadError) throw new UsageError(`cannot read the cluster: ${error.message}`);
    throw error;
  } finally {
    progress.finish();
  }
}

/** Loads the kubeconfig as kubectl finds it: the option, then $KUBECONFIG, then ~/.kube/config, then in-cluster. */
function loadClusterConfig(option: string | undefined, env: NodeJS.ProcessEnv): KubeConfig {
  // NOTE: kubectl merges every file in $KUBECONFIG; this reads only the first.
  const fromEnv = env.KUBECONFIG?.split(path.delimiter).find((entry) => entry !== '');
  const home = path.join(homedir(), '.kube', 'config');
  const file = option ?? fromEnv ?? (existsSync(home) ? home : undefined);
  if (file !== undefined && !existsSync(file)) throw new UsageError(`cannot read kubeconfig ${file}: not found`);
  try {
    return loadKubeConfig(file);
  } catch (error) {
    const hint = file === undefined ? '; pass -f PATH to audit manifests, or --kubeconfig FILE' : '';
    throw new UsageError(`cannot load the cluster configuration: ${(error as Error).message}${hint}`);
  }
}
