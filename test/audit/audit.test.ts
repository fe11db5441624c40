import t from 'tap';
import { hasFailures } from '../../src/audit/index.js';
import { defaultConfig } from '../../src/config/defaults.js';
import { auditFixture, CLEAN, FINDINGS, findingsOf } from './helpers.js';

const report = await auditFixture(FINDINGS);

t.test('auditState namespaces', async (t) => {
  t.same(
    report.namespaces.map((namespace) => namespace.name),
    ['broken', 'excused', 'kube-system', 'lapsed', 'nodns', 'open', 'trial', 'typo', 'udponly'],
  );
  t.same(report.counts, { pass: 11, fail: 10, warn: 4, skip: 3 });
  t.equal(hasFailures(report), true);
});

t.test('default-deny missing in both directions', async (t) => {
  const [finding] = findingsOf(report, 'open').filter((entry) => entry.rule === 'default-deny');
  t.equal(finding?.result, 'fail');
  t.equal(finding?.severity, 'high');
  t.same(finding?.resource, { apiVersion: 'v1', kind: 'Namespace', name: 'open' });
  t.equal(finding?.message, 'namespace open has no default-deny NetworkPolicy for Ingress and Egress');
  t.same(finding?.location, { file: 'test/fixtures/audit/findings/open.yaml', line: 2 });
  t.same(finding?.details, { kind: 'default-deny', missing: ['Ingress', 'Egress'], openedBy: [] });
});

t.test('default-deny missing for egress only', async (t) => {
  const namespace = report.namespaces.find((entry) => entry.name === 'trial')!;
  t.same(namespace.defaultDeny.ingress, { defaultDeny: true, policies: ['trial/default-deny-ingress'], openedBy: [] });
  t.same(namespace.defaultDeny.egress, { defaultDeny: false, policies: [], openedBy: [] });
  const finding = namespace.findings.find((entry) => entry.rule === 'default-deny');
  t.equal(finding?.message, 'namespace trial has no default-deny NetworkPolicy for Egress');
});

t.test('dns-egress blocked groups owned pods', async (t) => {
  const findings = findingsOf(report, 'nodns').filter((entry) => entry.rule === 'dns-egress');
  t.equal(findings.length, 2);
  const [deployment, pod] = findings;
  t.equal(deployment?.result, 'fail');
  t.same(deployment?.resource, { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'nodns', name: 'web' });
  t.same(deployment?.grouped, [{ apiVersion: 'v1', kind: 'Pod', namespace: 'nodns', name: 'web-5d8f7c9b6d-abcde' }]);
  t.same(deployment?.details, {
    kind: 'dns-egress',
    udp: 'blocked',
    tcp: 'blocked',
    isolatingPolicies: ['nodns/default-deny-all'],
    ingressDenied: [],
  });
  t.equal(
    deployment?.message,
    'pods of Deployment "web" (app=web) are egress-isolated by nodns/default-deny-all and no egress rule allows UDP and TCP 53 to DNS, so name lookups fail',
  );
  t.same(deployment?.location, { file: 'test/fixtures/audit/findings/nodns.yaml', line: 16 });
  t.same(pod?.resource, { apiVersion: 'v1', kind: 'Pod', namespace: 'nodns', name: 'debug' });
  t.same(pod?.grouped, []);
  t.equal(pod?.message, 'Pod "debug" (run=debug) is egress-isolated by nodns/default-deny-all and no egress rule allows UDP and TCP 53 to DNS, so name lookups fail');
});

t.test('dns-egress over UDP only warns', async (t) => {
  const [finding] = findingsOf(report, 'udponly').filter((entry) => entry.rule === 'dns-egress');
  t.equal(finding?.result, 'warn');
  t.equal(finding?.severity, 'medium');
  t.match(finding?.details, { udp: 'allowed', tcp: 'blocked' });
});

t.test('dns-egress over UDP only fails with requireTcp', async (t) => {
  const config = defaultConfig();
  config.rules['dns-egress'].requireTcp = true;
  const strict = await auditFixture(FINDINGS, config);
  const [finding] = findingsOf(strict, 'udponly').filter((entry) => entry.rule === 'dns-egress');
  t.equal(finding?.result, 'fail');
});

t.test('exemption in force skips the finding', async (t) => {
  const namespace = report.namespaces.find((entry) => entry.name === 'excused')!;
  t.same(namespace.exemptions, [
    {
      source: 'namespace excused',
      resource: { apiVersion: 'v1', kind: 'Namespace', name: 'excused' },
      rules: ['dns-egress'],
      reason: 'batch jobs resolve nothing',
      until: '2100-01-01T00:00:00.000Z',
      ticket: 'NET-42',
      expired: false,
    },
  ]);
  const finding = namespace.findings.find((entry) => entry.rule === 'dns-egress');
  t.equal(finding?.result, 'skip');
  t.equal(finding?.skippedBecause, 'exempt by namespace excused: batch jobs resolve nothing');
  t.same(finding?.resource, { apiVersion: 'batch/v1', kind: 'CronJob', namespace: 'excused', name: 'report' });
});

t.test('expired exemption warns and no longer applies', async (t) => {
  const findings = findingsOf(report, 'lapsed');
  const expired = findings.find((entry) => entry.rule === 'expired-exemption');
  t.equal(expired?.result, 'warn');
  t.equal(
    expired?.message,
    'the exemption on namespace lapsed expired at 2020-02-01T00:00:00.000Z and no longer applies (reason: migration in progress)',
  );
  const defaultDeny = findings.find((entry) => entry.rule === 'default-deny');
  t.equal(defaultDeny?.result, 'fail');
  t.equal(defaultDeny?.skippedBecause, undefined);
});

t.test('invalid exemption warns', async (t) => {
  const finding = findingsOf(report, 'lapsed').find((entry) => entry.rule === 'invalid-exemption');
  t.equal(finding?.result, 'warn');
  t.same(finding?.resource, { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'lapsed', name: 'legacy' });
  t.same(finding?.details, {
    kind: 'invalid-exemption',
    problems: ['annotation netpol-guard.io/exempt-reason on Deployment "legacy" is missing or empty; every exemption needs a reason'],
  });
});

t.test('namespace-mode warn and invalid label', async (t) => {
  const warn = findingsOf(report, 'trial').find((entry) => entry.rule === 'namespace-mode');
  t.equal(warn?.result, 'warn');
  t.same(warn?.details, { kind: 'namespace-mode', mode: 'warn', modeSource: 'namespace' });
  const invalid = findingsOf(report, 'typo').find((entry) => entry.rule === 'namespace-mode');
  t.equal(invalid?.result, 'fail');
  t.same(invalid?.details, { kind: 'namespace-mode', mode: 'enforce', modeSource: 'cluster', invalidLabel: 'enforced' });
});

t.test('namespace-mode from the cluster default', async (t) => {
  const config = defaultConfig();
  config.mode = 'audit';
  const audited = await auditFixture(CLEAN, config);
  const finding = findingsOf(audited, 'tidy').find((entry) => entry.rule === 'namespace-mode');
  t.equal(finding?.result, 'warn');
  t.equal(finding?.message, 'namespace tidy is in audit mode (from the cluster-wide mode), so the webhook lets violations through');
  t.equal(hasFailures(audited), false);
});

t.test('invalid NetworkPolicy with its location', async (t) => {
  const finding = findingsOf(report, 'broken').find((entry) => entry.rule === 'invalid-network-policy');
  t.equal(finding?.result, 'fail');
  t.same(finding?.resource, { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: 'broken', name: 'bad-port' });
  t.same(finding?.location, { file: 'test/fixtures/audit/findings/broken.yaml', line: 7 });
  t.same(finding?.details, {
    kind: 'invalid-network-policy',
    errors: [{ field: 'spec.ingress[0].ports[0].port', message: 'port 70000 is invalid: use 1 to 65535 or a port name' }],
  });
});

t.test('statically exempt namespace is skipped', async (t) => {
  const namespace = report.namespaces.find((entry) => entry.name === 'kube-system')!;
  t.equal(namespace.exempt, 'listed in exemptions.namespaces of the configuration');
  t.same(
    namespace.findings.map((entry) => [entry.rule, entry.result]),
    [
      ['default-deny', 'skip'],
      ['dns-egress', 'skip'],
    ],
  );
});

t.test('clean state has no failures', async (t) => {
  const clean = await auditFixture(CLEAN);
  t.same(clean.counts, { pass: 3, fail: 0, warn: 0, skip: 2 });
  t.equal(hasFailures(clean), false);
});

t.test('namespace filter audits only those', async (t) => {
  const { auditState } = await import('../../src/audit/index.js');
  const { readFileInput } = await import('../../src/audit/read-files.js');
  const filtered = auditState(await readFileInput([FINDINGS]), { config: defaultConfig(), now: new Date(0), namespaces: ['open'] });
  t.same(filtered.namespaces.map((namespace) => namespace.name), ['open']);
});

t.test('disabled rule is not checked', async (t) => {
  const config = defaultConfig();
  config.rules['default-deny'].enabled = false;
  const relaxed = await auditFixture(FINDINGS, config);
  t.same(findingsOf(relaxed, 'open').filter((entry) => entry.rule === 'default-deny'), []);
});
