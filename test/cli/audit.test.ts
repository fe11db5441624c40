import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import t from 'tap';
import { parse } from 'yaml';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { startKubeApiServer } from '../helpers/kube-api-server.js';

const FINDINGS = 'test/fixtures/audit/findings';
const CLEAN = 'test/fixtures/audit/clean';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function audit(args: string[], options: { stderrTTY?: boolean; stdoutTTY?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  const stdout = Object.assign(new PassThrough(), { isTTY: options.stdoutTTY ?? false });
  const stderr = Object.assign(new PassThrough(), { isTTY: options.stderrTTY ?? false });
  const chunks = { stdout: '', stderr: '' };
  stdout.on('data', (chunk: Buffer) => (chunks.stdout += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (chunks.stderr += chunk.toString()));
  const io: CliIo = { stdout, stderr, stdin: new PassThrough(), env: options.env ?? {} };
  const code = await main(['audit', ...args], io);
  return { code, ...chunks };
}

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'netpol-guard-audit-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('audit help', async (t) => {
  const run = await audit(['--help']);
  t.equal(run.code, 0);
  t.match(run.stdout, /^Usage: netpol-guard audit \[-f PATH\.\.\.\]/);
  t.equal(run.stderr, '');
});

t.test('audit clean manifests exit 0', async (t) => {
  const run = await audit(['-f', CLEAN]);
  t.equal(run.code, 0);
  t.match(run.stdout, /Summary: 2 namespaces \(1 exempt\); checks by object: 0 failed/);
  t.equal(run.stderr, '');
});

t.test('audit violations exit 1', async (t) => {
  const run = await audit(['-f', FINDINGS]);
  t.equal(run.code, 1);
  t.match(run.stdout, /FAIL {2}default-deny {2}Namespace\/open/);
  t.notOk(run.stdout.includes('\u001b['), 'no colour when stdout is not a terminal');
  t.equal(run.stderr, '');
});

t.test('audit colour only on a terminal without NO_COLOR', async (t) => {
  const coloured = await audit(['-f', FINDINGS], { stdoutTTY: true });
  t.ok(coloured.stdout.includes('\u001b[31mFAIL'));
  const plain = await audit(['-f', FINDINGS], { stdoutTTY: true, env: { NO_COLOR: '1' } });
  t.notOk(plain.stdout.includes('\u001b['));
});

t.test('audit warnings alone exit 0', async (t) => {
  const run = await audit(['-f', FINDINGS, '-n', 'udponly']);
  t.equal(run.code, 0);
  t.match(run.stdout, /WARN {2}dns-egress {2}StatefulSet\/db/);
});

t.test('audit json output', async (t) => {
  const run = await audit(['-f', FINDINGS, '-o', 'json', '--namespace', 'nodns']);
  t.equal(run.code, 1);
  const json = JSON.parse(run.stdout) as { schemaVersion: number; source: unknown; namespaces: Array<{ name: string; findings: unknown[] }> };
  t.equal(json.schemaVersion, 1);
  t.same(json.source, { type: 'files', paths: [FINDINGS] });
  t.same(json.namespaces.map((namespace) => namespace.name), ['nodns']);
  t.equal(json.namespaces[0]!.findings.length, 2);
});

t.test('audit policyreport output', async (t) => {
  const run = await audit(['-f', CLEAN, '-o', 'policyreport']);
  t.equal(run.code, 0);
  const list = parse(run.stdout) as { kind: string; items: Array<{ kind: string; metadata: { namespace?: string } }> };
  t.equal(list.kind, 'List');
  t.same(list.items.map((item) => [item.kind, item.metadata.namespace ?? null]), [
    ['ClusterPolicyReport', null],
    ['PolicyReport', 'tidy'],
  ]);
});

t.test('audit sarif output', async (t) => {
  const run = await audit(['-f', FINDINGS, '-o', 'sarif']);
  t.equal(run.code, 1);
  const log = JSON.parse(run.stdout) as { version: string; runs: Array<{ results: Array<{ locations: Array<{ physicalLocation?: { artifactLocation: { uri: string } } }> }> }> };
  t.equal(log.version, '2.1.0');
  const uris = new Set(log.runs[0]!.results.map((result) => result.locations[0]!.physicalLocation?.artifactLocation.uri));
  t.ok(uris.has('test/fixtures/audit/findings/nodns.yaml'));
});

const errorCases: Array<{ name: string; args: string[]; stderr: RegExp }> = [
  { name: 'unknown output', args: ['-f', CLEAN, '-o', 'xml'], stderr: /^netpol-guard audit: invalid --output "xml": use table, json, policyreport, sarif\n$/ },
  { name: 'missing file', args: ['-f', 'test/fixtures/audit/none'], stderr: /^netpol-guard audit: cannot read test\/fixtures\/audit\/none: not found\n$/ },
  { name: 'unknown namespace', args: ['-f', CLEAN, '-n', 'ghost'], stderr: /^netpol-guard audit: namespace ghost not found in the manifests\n$/ },
  { name: 'files and kubeconfig', args: ['-f', CLEAN, '--kubeconfig', 'kc'], stderr: /cannot be combined/ },
  { name: 'unknown option', args: ['--bogus'], stderr: /^netpol-guard audit: Unknown option '--bogus'/ },
  { name: 'missing config', args: ['-f', CLEAN, '--config', 'test/fixtures/audit/none.yaml'], stderr: /^netpol-guard audit: cannot read configuration file test\/fixtures\/audit\/none\.yaml: not found\n$/ },
  { name: 'missing kubeconfig', args: ['--kubeconfig', 'test/fixtures/audit/none-kubeconfig'], stderr: /^netpol-guard audit: cannot read kubeconfig test\/fixtures\/audit\/none-kubeconfig: not found\n$/ },
];

for (const entry of errorCases) {
  t.test(`audit error exit 2 ${entry.name}`, async (t) => {
    const run = await audit(entry.args);
    t.equal(run.code, 2);
    t.match(run.stderr, entry.stderr);
    t.equal(run.stdout, '');
  });
}

t.test('audit invalid config exit 2', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'config.yaml');
  writeFileSync(file, 'mode: strict\n');
  const run = await audit(['-f', CLEAN, '--config', file]);
  t.equal(run.code, 2);
  t.match(run.stderr, /^netpol-guard audit: invalid configuration file .*: mode must be one of "enforce", "warn", "audit"\n$/);
});

t.test('audit config exempts a namespace', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'config.yaml');
  writeFileSync(file, 'exemptions:\n  namespaces: [kube-system, open]\n');
  const run = await audit(['-f', FINDINGS, '-n', 'open', '--config', file, '-o', 'json']);
  t.equal(run.code, 0);
  const json = JSON.parse(run.stdout) as { namespaces: Array<{ exempt: string | null }> };
  t.equal(json.namespaces[0]!.exempt, 'listed in exemptions.namespaces of the configuration');
});

t.test('audit reads a live cluster', async (t) => {
  const server = await startKubeApiServer({ namespaces: ['default', 'kube-system'] });
  t.teardown(() => server.close());
  server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop' } } });
  server.put({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'default-deny-all', namespace: 'shop' },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  });
  server.put({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'cart', namespace: 'shop' },
    spec: { selector: { matchLabels: { app: 'cart' } }, template: { metadata: { labels: { app: 'cart' } }, spec: { containers: [{ name: 'cart', image: 'registry.example.com/cart:1' }] } } },
  });

  const run = await audit(['--kubeconfig', server.kubeconfigPath, '-o', 'json'], { stderrTTY: false });
  t.equal(run.code, 1);
  t.equal(run.stderr, '', 'no progress when stderr is not a terminal');
  const json = JSON.parse(run.stdout) as {
    source: { type: string };
    namespaces: Array<{ name: string; findings: Array<{ rule: string; result: string; resource: { kind: string; name: string }; location: unknown }> }>;
  };
  t.equal(json.source.type, 'cluster');
  t.same(json.namespaces.map((namespace) => namespace.name), ['default', 'kube-system', 'shop']);
  const shop = json.namespaces.find((namespace) => namespace.name === 'shop')!;
  t.same(
    shop.findings.map((finding) => [finding.rule, finding.result, `${finding.resource.kind}/${finding.resource.name}`, finding.location]),
    [['dns-egress', 'fail', 'Deployment/cart', null]],
  );
  const lists = server.requests.filter((request) => request.verb === 'list').map((request) => request.resource);
  t.same(lists, [
    'namespaces',
    'networkpolicies',
    'pods',
    'deployments',
    'replicasets',
    'statefulsets',
    'daemonsets',
    'jobs',
    'cronjobs',
    'replicationcontrollers',
  ]);
  t.equal(server.requests.filter((request) => request.verb === 'watch').length, 0, 'no watch');
  t.same(
    [...new Set(server.requests.filter((request) => request.verb === 'list').map((request) => request.query.limit))],
    ['500'],
    'paginated lists',
  );
});

t.test('audit unreachable cluster exit 2', async (t) => {
  const server = await startKubeApiServer();
  const kubeconfig = path.join(tempDir(t), 'kubeconfig');
  writeFileSync(kubeconfig, (await import('node:fs')).readFileSync(server.kubeconfigPath));
  await server.close();
  const run = await audit(['--kubeconfig', kubeconfig]);
  t.equal(run.code, 2);
  t.match(run.stderr, /^netpol-guard audit: cannot read the cluster: listing Namespace objects failed: .*ECONNREFUSED/);
});

t.test('audit forbidden list exit 2', async (t) => {
  const server = await startKubeApiServer();
  t.teardown(() => server.close());
  server.forbid((attributes) => attributes.resource === 'pods');
  const run = await audit(['--kubeconfig', server.kubeconfigPath, '--quiet']);
  t.equal(run.code, 2);
  t.match(run.stderr, /^netpol-guard audit: cannot read the cluster: listing Pod objects failed: HTTP 403/);
});

t.test('audit namespace filter on a cluster', async (t) => {
  const server = await startKubeApiServer({ namespaces: ['default', 'kube-system', 'other'] });
  t.teardown(() => server.close());
  const run = await audit(['--kubeconfig', server.kubeconfigPath, '-n', 'default', '-o', 'json']);
  t.equal(run.code, 1);
  const json = JSON.parse(run.stdout) as { namespaces: Array<{ name: string }> };
  t.same(json.namespaces.map((namespace) => namespace.name), ['default']);
});
