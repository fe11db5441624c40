import { existsSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import t from 'tap';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

const SHOP = 'test/fixtures/explain/shop';
const INVALID_POLICY = 'test/fixtures/explain/invalid-policy/policies.yaml';
const INVALID_YAML = 'test/fixtures/explain/invalid-yaml';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function explain(...args: string[]): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { stdout: '', stderr: '' };
  stdout.on('data', (chunk: Buffer) => (chunks.stdout += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (chunks.stderr += chunk.toString()));
  const io: CliIo = { stdout, stderr, stdin: new PassThrough(), env: {} };
  const code = await main(['explain', ...args], io);
  return { code, ...chunks };
}

t.test('explain help', async (t) => {
  const run = await explain('--help');
  t.equal(run.code, 0, 'exit code');
  t.match(run.stdout, /^Usage:\n {2}netpol-guard explain -f PATH\.\.\. --from NS\/POD/, 'usage on stdout');
  t.equal(run.stderr, '', 'nothing on stderr');
});

t.test('explain allowed connection as text', async (t) => {
  const run = await explain('-f', SHOP, '--from', 'tools/debug', '--to', 'shop/web', '--port', 'http');
  t.equal(run.code, 0, 'exit code');
  t.equal(
    run.stdout,
    [
      'ALLOWED: tools/debug -> shop/web on 8080/TCP (egress and ingress both allow it)',
      '  egress from tools/debug: allowed (not isolated: no NetworkPolicy selects the pod for egress)',
      '  ingress to shop/web: allowed',
      '    isolated by: shop/default-deny, shop/web',
      '    allowed by: shop/web spec.ingress[0]',
      '',
    ].join('\n'),
  );
  t.equal(run.stderr, '', 'nothing on stderr');
});

t.test('explain denied connection as text', async (t) => {
  const run = await explain('-f', SHOP, '--from', 'shop/db', '--to', 'shop/web', '--port', '8080');
  t.equal(run.code, 0, 'a denial is an answer, not an error');
  t.equal(
    run.stdout,
    [
      'DENIED: shop/db -> shop/web on 8080/TCP (the egress and the ingress policies deny it)',
      '  egress from shop/db: denied',
      '    isolated by: shop/default-deny',
      '    no egress rule of these policies matches this peer, port and protocol',
      '  ingress to shop/web: denied',
      '    isolated by: shop/default-deny, shop/web',
      '    no ingress rule of these policies matches this peer, port and protocol',
      '',
    ].join('\n'),
  );
});

t.test('explain connection as JSON', async (t) => {
  const run = await explain('-f', SHOP, '--from', 'shop/web', '--to', 'shop/db', '--port', 'postgres', '-o', 'json');
  t.equal(run.code, 0, 'exit code');
  t.same(JSON.parse(run.stdout), {
    allowed: true,
    reason: 'allowed',
    from: 'shop/web',
    to: 'shop/db',
    port: 5432,
    protocol: 'TCP',
    egress: { isolated: true, allowed: true, isolatingPolicies: ['shop/default-deny', 'shop/web'], allowedBy: ['shop/web spec.egress[0]'] },
    ingress: { isolated: true, allowed: true, isolatingPolicies: ['shop/db', 'shop/default-deny'], allowedBy: ['shop/db spec.ingress[0]'] },
  });
});

t.test('explain to an external IP', async (t) => {
  const run = await explain('-f', SHOP, '--from', 'shop/web', '--to', '203.0.113.9', '--port', '443', '-o', 'json');
  t.equal(run.code, 0, 'exit code');
  t.same(JSON.parse(run.stdout), {
    allowed: false,
    reason: 'denied-by-egress',
    from: 'shop/web',
    to: '203.0.113.9',
    port: 443,
    protocol: 'TCP',
    egress: { isolated: true, allowed: false, isolatingPolicies: ['shop/default-deny', 'shop/web'], allowedBy: [] },
    ingress: null,
  });
});

t.test('explain from an external IP as text', async (t) => {
  const run = await explain('-f', SHOP, '--from', '203.0.113.9', '--to', 'tools/debug', '--port', '22');
  t.equal(run.code, 0, 'exit code');
  t.equal(
    run.stdout,
    [
      'ALLOWED: 203.0.113.9 -> tools/debug on 22/TCP (egress and ingress both allow it)',
      '  egress from 203.0.113.9: not restricted (not a pod, so no NetworkPolicy applies)',
      '  ingress to tools/debug: allowed (not isolated: no NetworkPolicy selects the pod for ingress)',
      '',
    ].join('\n'),
  );
});

t.test('explain to the IP of a known pod', async (t) => {
  const run = await explain('-f', SHOP, '--from', 'shop/web', '--to', '10.1.0.6', '--port', 'postgres', '-o', 'json');
  t.equal(run.code, 0, 'exit code');
  const verdict = JSON.parse(run.stdout) as { to: string; allowed: boolean };
  t.equal(verdict.to, 'shop/db', 'the IP resolves to the pod');
  t.equal(verdict.allowed, true, 'named port resolves on that pod');
});

t.test('explain from a workload template', async (t) => {
  const run = await explain('-f', SHOP, '--from', 'shop/worker', '--to', 'tools/debug', '--port', '80', '-o', 'json');
  t.equal(run.code, 0, 'exit code');
  t.same(JSON.parse(run.stdout), {
    allowed: false,
    reason: 'denied-by-egress',
    from: 'shop/worker',
    to: 'tools/debug',
    port: 80,
    protocol: 'TCP',
    egress: { isolated: true, allowed: false, isolatingPolicies: ['shop/default-deny'], allowedBy: [] },
    ingress: { isolated: false, allowed: true, isolatingPolicies: [], allowedBy: [] },
  });
});

t.test('explain UDP with a lowercase protocol', async (t) => {
  const run = await explain('-f', SHOP, '--from', 'shop/web', '--to', 'shop/db', '--port', '53', '--protocol', 'udp', '-o', 'json');
  t.equal(run.code, 0, 'exit code');
  const verdict = JSON.parse(run.stdout) as { protocol: string; reason: string };
  t.equal(verdict.protocol, 'UDP', 'protocol');
  t.equal(verdict.reason, 'denied-by-both', 'reason');
});

t.test('explain a pod to itself', async (t) => {
  const run = await explain('-f', SHOP, '--from', 'shop/db', '--to', 'shop/db', '--port', '5432');
  t.equal(run.code, 0, 'exit code');
  t.equal(run.stdout, 'ALLOWED: shop/db -> shop/db on 5432/TCP (a pod may always connect to itself)\n');
});

t.test('explain matrix as JSON', async (t) => {
  const run = await explain('-f', SHOP, '--matrix', '--port', '5432', '-o', 'json');
  t.equal(run.code, 0, 'exit code');
  t.same(JSON.parse(run.stdout), {
    'shop/web': { 'shop/web': true, 'shop/db': true, 'tools/debug': false },
    'shop/db': { 'shop/web': false, 'shop/db': true, 'tools/debug': false },
    'tools/debug': { 'shop/web': false, 'shop/db': false, 'tools/debug': true },
  });
});

t.test('explain matrix with a named port', async (t) => {
  const run = await explain('-f', SHOP, '--matrix', '--port', 'http', '-o', 'json');
  t.equal(run.code, 0, 'exit code');
  t.same(JSON.parse(run.stdout), {
    'shop/web': { 'shop/web': true, 'shop/db': false, 'tools/debug': false },
    'shop/db': { 'shop/web': false, 'shop/db': false, 'tools/debug': false },
    'tools/debug': { 'shop/web': true, 'shop/db': false, 'tools/debug': false },
  });
});

t.test('explain matrix as text', async (t) => {
  const run = await explain('-f', SHOP, '--matrix', '--port', '5432');
  t.equal(run.code, 0, 'exit code');
  t.equal(
    run.stdout,
    [
      'Reachability on port 5432/TCP (rows: source, columns: destination; "." allowed, "X" denied)',
      '',
      '              1 2 3',
      '1 shop/web    . . X',
      '2 shop/db     X . X',
      '3 tools/debug X X .',
      '',
    ].join('\n'),
  );
});

t.test('explain input errors', async (t) => {
  const cases: Array<[string, string[], string]> = [
    [
      'invalid policy',
      ['-f', INVALID_POLICY, '--matrix', '--port', '80'],
      [
        `netpol-guard explain: ${INVALID_POLICY}:1: invalid NetworkPolicy shop/broken: spec.podSelector.matchExpressions[0].operator: unknown operator "Equals"; use In, NotIn, Exists or DoesNotExist`,
        `netpol-guard explain: ${INVALID_POLICY}:1: invalid NetworkPolicy shop/broken: spec.ingress[0].from[0].ipBlock.except[0]: "192.168.0.0/16" must be a strict subnet of cidr "10.0.0.0/8"`,
        '',
      ].join('\n'),
    ],
    [
      'invalid YAML',
      ['-f', INVALID_YAML, '--matrix', '--port', '80'],
      `netpol-guard explain: ${INVALID_YAML}/bad.yaml:5: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]\n`,
    ],
    [
      'missing file',
      ['-f', 'test/fixtures/explain/missing.yaml', '--matrix', '--port', '80'],
      'netpol-guard explain: cannot read test/fixtures/explain/missing.yaml: not found\n',
    ],
    [
      'unknown pod',
      ['-f', SHOP, '--from', 'shop/api', '--to', 'shop/db', '--port', '80'],
      'netpol-guard explain: --from shop/api: pod not found; known in shop: db, web, worker\n',
    ],
    [
      'unknown namespace',
      ['-f', SHOP, '--from', 'shop/web', '--to', 'billing/api', '--port', '80'],
      'netpol-guard explain: --to billing/api: pod not found; the manifests define no pod or workload in billing\n',
    ],
    [
      'pod without a namespace',
      ['-f', SHOP, '--from', 'web', '--to', 'shop/db', '--port', '80'],
      'netpol-guard explain: invalid --from "web": use NAMESPACE/NAME or an IP address\n',
    ],
    ['port 0', ['-f', SHOP, '--matrix', '--port', '0'], 'netpol-guard explain: invalid --port 0: use 1 to 65535 or a container port name\n'],
    ['port 70000', ['-f', SHOP, '--matrix', '--port', '70000'], 'netpol-guard explain: invalid --port 70000: use 1 to 65535 or a container port name\n'],
    [
      'invalid port name',
      ['-f', SHOP, '--matrix', '--port', 'HTTP'],
      'netpol-guard explain: invalid --port "HTTP": use 1 to 65535 or a container port name such as http\n',
    ],
    [
      'port name the destination lacks',
      ['-f', SHOP, '--from', 'shop/web', '--to', 'tools/debug', '--port', 'http'],
      'netpol-guard explain: --port http: tools/debug has no TCP container port named http\n',
    ],
    [
      'port name on the wrong protocol',
      ['-f', SHOP, '--from', 'tools/debug', '--to', 'shop/web', '--port', 'http', '--protocol', 'UDP'],
      'netpol-guard explain: --port http: shop/web has no UDP container port named http\n',
    ],
    [
      'port name for an IP destination',
      ['-f', SHOP, '--from', 'shop/web', '--to', '203.0.113.9', '--port', 'https'],
      'netpol-guard explain: --port https: a port name needs a pod destination; give the number for 203.0.113.9\n',
    ],
    ['invalid protocol', ['-f', SHOP, '--matrix', '--port', '80', '--protocol', 'ICMP'], 'netpol-guard explain: invalid --protocol "ICMP": use TCP, UDP or SCTP\n'],
    ['invalid output', ['-f', SHOP, '--matrix', '--port', '80', '-o', 'yaml'], 'netpol-guard explain: invalid --output "yaml": use text or json\n'],
    ['missing files', ['--matrix', '--port', '80'], 'netpol-guard explain: missing -f PATH: name at least one manifest file or folder\n'],
    ['missing port', ['-f', SHOP, '--matrix'], 'netpol-guard explain: missing --port: give a port number or a container port name\n'],
    [
      'missing destination',
      ['-f', SHOP, '--from', 'shop/web', '--port', '80'],
      'netpol-guard explain: missing --from and --to: name a source and a destination, or use --matrix\n',
    ],
    [
      'matrix with from',
      ['-f', SHOP, '--matrix', '--from', 'shop/web', '--port', '80'],
      'netpol-guard explain: --matrix cannot be combined with --from or --to\n',
    ],
  ];
  for (const [name, args, stderr] of cases) {
    const run = await explain(...args);
    t.equal(run.code, 2, `${name}: exit code`);
    t.equal(run.stderr, stderr, `${name}: stderr`);
    t.equal(run.stdout, '', `${name}: nothing on stdout`);
  }
});

t.test('explain unknown option', async (t) => {
  const run = await explain('-f', SHOP, '--matrix', '--port', '80', '--namespace', 'shop');
  t.equal(run.code, 2, 'exit code');
  t.match(run.stderr, /^netpol-guard explain: Unknown option '--namespace'/, 'names the option');
});

// examples/ is written alongside this command; these cases run once it exists.
const EXAMPLES = 'examples/cluster';
t.test('explain on examples', { skip: existsSync(EXAMPLES) ? false : 'examples/cluster does not exist yet' }, async (t) => {
  const frontend = await explain('-f', EXAMPLES, '--from', 'legacy/inventory-api-84c9d6f7b5-lz4nd', '--to', 'shop/frontend-6b8d9c7f4d-x7k2p', '--port', '8080', '-o', 'json');
  t.equal(frontend.code, 0, 'frontend: exit code');
  const frontendVerdict = JSON.parse(frontend.stdout) as { allowed: boolean; ingress: { allowedBy: string[] } };
  t.equal(frontendVerdict.allowed, true, 'frontend accepts TCP 8080 from anywhere');
  t.same(frontendVerdict.ingress.allowedBy, ['shop/allow-frontend-ingress spec.ingress[0]'], 'frontend: allowing rule');

  const dns = await explain('-f', EXAMPLES, '--from', 'payments/payment-processor-7f9b8c6d5c-vk8pw', '--to', 'kube-system/coredns-5d78c9869d-8x2kq', '--port', 'dns', '--protocol', 'UDP', '-o', 'json');
  t.equal(dns.code, 0, 'payments DNS: exit code');
  const dnsVerdict = JSON.parse(dns.stdout) as { allowed: boolean; reason: string };
  t.equal(dnsVerdict.allowed, false, 'payments cannot reach the cluster DNS');
  t.equal(dnsVerdict.reason, 'denied-by-egress', 'payments DNS: reason');

  const matrix = await explain('-f', EXAMPLES, '--matrix', '--port', '53', '--protocol', 'UDP', '-o', 'json');
  t.equal(matrix.code, 0, 'matrix: exit code');
  const rows = JSON.parse(matrix.stdout) as Record<string, Record<string, boolean>>;
  t.equal(rows['shop/checkout-5f6d7c8b9d-h2w8t']?.['kube-system/coredns-5d78c9869d-8x2kq'], true, 'shop reaches the cluster DNS');
});
