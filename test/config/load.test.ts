import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { defaultConfig } from '../../src/config/defaults.js';
import { ConfigError, loadConfig, resolveConfig } from '../../src/config/load.js';

const TOP_KEYS = 'mode, rules, dns, webhookNamespace, exemptions, approvers, baseline, server, state';
const ONE_OF_TARGET = 'must set either namespace and podLabels (DNS pods) or ip (a fixed address)';
const DNS_NAME = 'must be a lowercase RFC 1123 DNS subdomain name (letters a-z, digits, "-" and "."), such as default-deny-all';
const UDP53 = [{ protocol: 'UDP', port: 53 }];

/** Returns the ConfigError message a call throws, so tests compare whole messages. */
function configErrorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return '(no error)';
}

async function rejectionOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return '(no error)';
}

t.test('resolveConfig rejects invalid input with the key path', async (t) => {
  const cases: Array<[string, unknown, string]> = [
    ['unknown top-level key', { moed: 'audit' }, `moed is not a known key; use one of ${TOP_KEYS}`],
    [
      'unknown key at depth',
      { rules: { 'default-deny': { enabeld: false } } },
      'rules.default-deny.enabeld is not a known key; use one of enabled, directions',
    ],
    [
      'unknown rule id',
      { rules: { 'dns-egres': { enabled: false } } },
      'rules.dns-egres is not a known key; use one of default-deny, dns-egress, baseline-protection, exemption-approval, namespace-mode',
    ],
    ['wrong type', { rules: { 'dns-egress': { requireTcp: 'yes' } } }, 'rules.dns-egress.requireTcp must be boolean'],
    ['wrong type for a list', { exemptions: { usernames: 'ci-bot' } }, 'exemptions.usernames must be array'],
    ['empty string in a list', { approvers: { groups: [''] } }, 'approvers.groups.0 must NOT have fewer than 1 characters'],
    ['invalid mode', { mode: 'block' }, 'mode must be one of "enforce", "warn", "audit"'],
    ['invalid direction', { rules: { 'default-deny': { directions: ['Inbound'] } } }, 'rules.default-deny.directions.0 must be one of "Ingress", "Egress"'],
    ['empty directions', { rules: { 'default-deny': { directions: [] } } }, 'rules.default-deny.directions must NOT have fewer than 1 items'],
    ['DNS target without address or pods', { dns: { targets: [{ name: 'dns', ports: UDP53 }] } }, `dns.targets.0 ${ONE_OF_TARGET}`],
    ['DNS target with namespace but no podLabels', { dns: { targets: [{ name: 'dns', namespace: 'kube-system', ports: UDP53 }] } }, `dns.targets.0 ${ONE_OF_TARGET}`],
    ['DNS target with podLabels but no namespace', { dns: { targets: [{ name: 'dns', podLabels: { app: 'dns' }, ports: UDP53 }] } }, `dns.targets.0 ${ONE_OF_TARGET}`],
    [
      'DNS target with both pods and address',
      { dns: { targets: [{ name: 'dns', namespace: 'kube-system', podLabels: { app: 'dns' }, ip: '10.96.0.10', ports: UDP53 }] } },
      `dns.targets.0 ${ONE_OF_TARGET}`,
    ],
    ['DNS target address that is no IP', { dns: { targets: [{ name: 'dns', ip: '10.96.0', ports: UDP53 }] } }, 'dns.targets.0.ip "10.96.0" must be an IPv4 or IPv6 address, such as 169.254.20.10'],
    ['DNS target without ports', { dns: { targets: [{ name: 'dns', ip: '10.96.0.10', ports: [] }] } }, 'dns.targets.0.ports must NOT have fewer than 1 items'],
    ['DNS port out of range', { dns: { targets: [{ name: 'dns', ip: '10.96.0.10', ports: [{ protocol: 'UDP', port: 70000 }] }] } }, 'dns.targets.0.ports.0.port must be <= 65535'],
    ['DNS port protocol', { dns: { targets: [{ name: 'dns', ip: '10.96.0.10', ports: [{ protocol: 'ICMP', port: 53 }] }] } }, 'dns.targets.0.ports.0.protocol must be one of "TCP", "UDP", "SCTP"'],
    ['DNS service without name', { dns: { service: { namespace: 'kube-system' } } }, "dns.service must have required property 'name'"],
    ['policy name in capitals', { baseline: { denyAllName: 'Default-Deny' } }, `baseline.denyAllName ${DNS_NAME}`],
    ['same name for both baseline policies', { baseline: { allowDnsName: 'default-deny-all' } }, 'baseline.allowDnsName "default-deny-all" must differ from baseline.denyAllName'],
    [
      'extra policy with a taken name',
      { baseline: { extraPolicies: [{ name: 'allow-dns-egress', spec: { podSelector: {} } }] } },
      'baseline.extraPolicies.0.name "allow-dns-egress" is already the name of another baseline policy; use a unique name',
    ],
    [
      'invalid extra baseline policy',
      { baseline: { extraPolicies: [{ name: 'allow-monitoring', spec: { podSelector: {}, policyTypes: ['Inbound'] } }] } },
      'baseline.extraPolicies.0.spec.policyTypes[0] unknown policy type "Inbound"; use Ingress or Egress',
    ],
    ['extra baseline policy without spec', { baseline: { extraPolicies: [{ name: 'allow-monitoring' }] } }, "baseline.extraPolicies.0 must have required property 'spec'"],
    ['pod wait too long', { baseline: { podWaitMs: 60000 } }, 'baseline.podWaitMs must be <= 10000'],
    ['fractional seconds', { state: { maxAgeSeconds: 1.5 } }, 'state.maxAgeSeconds must be integer'],
    ['port as text', { server: { port: '8443' } }, 'server.port must be integer'],
    ['document that is no map', ['mode: audit'], '(top level) must be object'],
    [
      'every problem at once',
      { mode: 'strict', server: { port: -1 }, approvers: { rbac: 'true' } },
      'mode must be one of "enforce", "warn", "audit"; approvers.rbac must be boolean; server.port must be >= 0',
    ],
  ];
  for (const [name, input, message] of cases) {
    t.equal(
      configErrorOf(() => resolveConfig(input, 'configuration file /etc/netpol-guard/config.yaml')),
      `invalid configuration file /etc/netpol-guard/config.yaml: ${message}`,
      name,
    );
  }
});

t.test('resolveConfig merges over the defaults', async (t) => {
  t.same(resolveConfig(undefined), defaultConfig(), 'no document gives the defaults');
  t.same(resolveConfig(null), defaultConfig(), 'empty document gives the defaults');
  t.same(resolveConfig({}), defaultConfig(), 'empty map gives the defaults');

  const config = resolveConfig({ mode: 'warn', rules: { 'dns-egress': { requireTcp: true } }, exemptions: { groups: ['platform'] } });
  t.equal(config.mode, 'warn', 'scalar replaces');
  t.same(config.rules['dns-egress'], { enabled: true, requireTcp: true }, 'objects merge key by key');
  t.same(config.exemptions, { namespaces: ['kube-system', 'kube-public', 'kube-node-lease', 'netpol-guard'], usernames: [], groups: ['platform'] }, 'untouched lists keep defaults');

  const replaced = resolveConfig({ exemptions: { namespaces: ['monitoring'] } });
  t.same(replaced.exemptions.namespaces, ['monitoring'], 'a list replaces the default list');
  t.same(defaultConfig().exemptions.namespaces, ['kube-system', 'kube-public', 'kube-node-lease', 'netpol-guard'], 'defaults stay unchanged');
});

t.test('loadConfig', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'netpol-guard-config-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));

  await t.test('no file gives the defaults', async (t) => {
    t.same(await loadConfig(undefined), defaultConfig());
  });

  await t.test('missing file', async (t) => {
    const file = join(dir, 'absent.yaml');
    t.equal(await rejectionOf(loadConfig(file)), `cannot read configuration file ${file}: not found`);
  });

  await t.test('invalid YAML names the line', async (t) => {
    const file = join(dir, 'broken.yaml');
    await writeFile(file, 'mode: enforce\nrules:\n  default-deny: [\n');
    t.equal(await rejectionOf(loadConfig(file)), `${file}:4:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`);
  });

  await t.test('duplicate key is invalid YAML', async (t) => {
    const file = join(dir, 'duplicate.yaml');
    await writeFile(file, 'mode: enforce\nmode: audit\n');
    t.equal(await rejectionOf(loadConfig(file)), `${file}:2:1: invalid YAML: Map keys must be unique`);
  });

  await t.test('schema problem names the file and the path', async (t) => {
    const file = join(dir, 'typo.yaml');
    await writeFile(file, 'approvers:\n  usernames: [lead@example.com]\n  grups: [netsec]\n');
    t.equal(
      await rejectionOf(loadConfig(file)),
      `invalid configuration file ${file}: approvers.grups is not a known key; use one of usernames, groups, rbac`,
    );
  });

  await t.test('empty file gives the defaults', async (t) => {
    const file = join(dir, 'empty.yaml');
    await writeFile(file, '# nothing set\n');
    t.same(await loadConfig(file), defaultConfig());
  });
});

t.test('example configuration files', async (t) => {
  const dir = new URL('../../examples/config/', import.meta.url).pathname;
  const files = (await readdir(dir)).filter((file) => file.endsWith('.yaml')).sort();
  t.same(files, ['audit.yaml', 'config.yaml', 'node-local-dns.yaml', 'openshift-dns.yaml'], 'examples present');

  t.same(await loadConfig(join(dir, 'config.yaml')), defaultConfig(), 'config.yaml states every default');

  const audit = await loadConfig(join(dir, 'audit.yaml'));
  t.equal(audit.mode, 'audit', 'audit.yaml sets audit mode');

  const openshift = await loadConfig(join(dir, 'openshift-dns.yaml'));
  t.same(openshift.dns.service, { namespace: 'openshift-dns', name: 'dns-default' }, 'OpenShift DNS Service');
  t.same(
    openshift.dns.targets,
    [
      {
        name: 'openshift-dns/dns-default',
        namespace: 'openshift-dns',
        podLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' },
        ports: [
          { protocol: 'UDP', port: 5353, name: 'dns' },
          { protocol: 'TCP', port: 5353, name: 'dns-tcp' },
        ],
      },
    ],
    'OpenShift DNS pods listen on 5353',
  );

  const nodeLocal = await loadConfig(join(dir, 'node-local-dns.yaml'));
  t.equal(nodeLocal.dns.discover, false, 'NodeLocal DNSCache turns discovery off');
  t.same(nodeLocal.dns.targets.map((target) => ('ip' in target ? target.ip : target.namespace)), ['169.254.20.10', 'kube-system'], 'cache address and CoreDNS');
});
