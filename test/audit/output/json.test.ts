import t from 'tap';
import { AUDIT_JSON_SCHEMA_VERSION, auditJson } from '../../../src/cli/audit-output/json.js';
import { auditFixture, FINDINGS } from '../helpers.js';

const report = await auditFixture(FINDINGS);
const json = auditJson(report, { type: 'files', paths: [FINDINGS] }) as Record<string, any>;

t.test('auditJson top-level fields', async (t) => {
  t.same(Object.keys(json), ['schemaVersion', 'generatedAt', 'source', 'mode', 'objects', 'counts', 'namespaces']);
  t.equal(json.schemaVersion, AUDIT_JSON_SCHEMA_VERSION);
  t.equal(json.schemaVersion, 1);
  t.equal(json.generatedAt, '2025-06-01T12:00:00.000Z');
  t.same(json.source, { type: 'files', paths: [FINDINGS] });
  t.equal(json.mode, 'enforce');
  t.same(json.objects, { namespaces: 9, networkPolicies: 6, invalidNetworkPolicies: 1, workloads: 5, pods: 3 });
  t.same(json.counts, { pass: 11, fail: 10, warn: 4, skip: 3 });
});

t.test('auditJson namespace fields', async (t) => {
  const nodns = json.namespaces.find((namespace: { name: string }) => namespace.name === 'nodns');
  t.same(Object.keys(nodns), ['name', 'exempt', 'mode', 'modeSource', 'defaultDeny', 'pendingBaselinePolicies', 'exemptions', 'counts', 'findings']);
  t.equal(nodns.exempt, null);
  t.equal(nodns.mode, 'enforce');
  t.equal(nodns.modeSource, 'cluster');
  t.same(nodns.defaultDeny.egress, { defaultDeny: true, policies: ['nodns/default-deny-all'], openedBy: [] });
  t.same(nodns.pendingBaselinePolicies, []);
  t.same(nodns.counts, { pass: 2, fail: 3, warn: 0, skip: 0 });
  const kubeSystem = json.namespaces.find((namespace: { name: string }) => namespace.name === 'kube-system');
  t.equal(kubeSystem.exempt, 'listed in exemptions.namespaces of the configuration');
});

t.test('auditJson finding fields without passes', async (t) => {
  const nodns = json.namespaces.find((namespace: { name: string }) => namespace.name === 'nodns');
  t.equal(nodns.findings.length, 2);
  const [first] = nodns.findings;
  t.same(Object.keys(first), ['rule', 'result', 'severity', 'resource', 'grouped', 'message', 'location', 'skippedBecause', 'details']);
  t.equal(first.rule, 'dns-egress');
  t.equal(first.result, 'fail');
  t.equal(first.severity, 'high');
  t.same(first.resource, { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'nodns', name: 'web' });
  t.same(first.grouped, [{ apiVersion: 'v1', kind: 'Pod', namespace: 'nodns', name: 'web-5d8f7c9b6d-abcde' }]);
  t.same(first.location, { file: 'test/fixtures/audit/findings/nodns.yaml', line: 16 });
  t.equal(first.skippedBecause, null);
  t.equal(first.details.kind, 'dns-egress');
});
