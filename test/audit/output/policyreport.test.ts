import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import t from 'tap';
import { parse } from 'yaml';
import { POLICY_REPORT_API_VERSION, policyReportList, policyReportYaml } from '../../../src/cli/audit-output/policyreport.js';
import { auditFixture, FINDINGS } from '../helpers.js';

type Schema = Record<string, unknown>;

/**
 * Returns the v1alpha2 openAPIV3Schema of a vendored CRD with unknown fields
 * rejected, so a misspelt field fails here instead of being pruned silently
 * by the API server.
 */
function crdSchema(file: string): Schema {
  const crd = parse(readFileSync(`test/fixtures/audit/schemas/${file}`, 'utf8')) as {
    spec: { versions: Array<{ name: string; schema: { openAPIV3Schema: Schema } }> };
  };
  const version = crd.spec.versions.find((entry) => entry.name === 'v1alpha2')!;
  return strict(version.schema.openAPIV3Schema);
}

function strict(schema: Schema): Schema {
  const copy: Schema = { ...schema };
  if (copy.properties !== undefined) {
    const properties = copy.properties as Record<string, Schema>;
    copy.properties = Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, strict(value)]));
    // metadata is `type: object` without properties in the CRD; the API server validates it.
    if (copy.additionalProperties === undefined) copy.additionalProperties = false;
  }
  if (copy.items !== undefined) copy.items = strict(copy.items as Schema);
  return copy;
}

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addFormat('int32', { type: 'number', validate: (value: number) => Number.isInteger(value) && Math.abs(value) < 2 ** 31 });
ajv.addFormat('int64', { type: 'number', validate: (value: number) => Number.isInteger(value) });
const validators = {
  PolicyReport: ajv.compile(crdSchema('wgpolicyk8s.io_policyreports.yaml')),
  ClusterPolicyReport: ajv.compile(crdSchema('wgpolicyk8s.io_clusterpolicyreports.yaml')),
};

const report = await auditFixture(FINDINGS);
const list = parse(policyReportYaml(report)) as { apiVersion: string; kind: string; items: Array<Record<string, any>> };

t.test('policyReportYaml parses to the built list', async (t) => {
  t.same(list, policyReportList(report));
  t.equal(list.apiVersion, 'v1');
  t.equal(list.kind, 'List');
});

t.test('policy reports validate against the CRD schemas', async (t) => {
  for (const item of list.items) {
    const validate = validators[item.kind as keyof typeof validators];
    t.ok(validate, `known kind ${item.kind}`);
    t.ok(validate(item), `${item.kind} ${item.metadata.namespace ?? ''}: ${ajv.errorsText(validate.errors)}`);
  }
});

t.test('policy reports one cluster report then one per namespace', async (t) => {
  t.same(
    list.items.map((item) => [item.kind, item.metadata.namespace ?? null]),
    [
      ['ClusterPolicyReport', null],
      ['PolicyReport', 'broken'],
      ['PolicyReport', 'excused'],
      ['PolicyReport', 'lapsed'],
      ['PolicyReport', 'nodns'],
      ['PolicyReport', 'open'],
      ['PolicyReport', 'udponly'],
    ],
  );
  for (const item of list.items) {
    t.equal(item.apiVersion, POLICY_REPORT_API_VERSION);
    t.equal(item.metadata.name, 'netpol-guard-audit');
    t.same(item.metadata.labels, { 'app.kubernetes.io/managed-by': 'netpol-guard' });
  }
});

t.test('policy report result fields', async (t) => {
  const nodns = list.items.find((item) => item.metadata.namespace === 'nodns')!;
  t.same(nodns.summary, { pass: 0, fail: 2, warn: 0, error: 0, skip: 0 });
  const [result] = nodns.results;
  t.same(result, {
    policy: 'dns-egress',
    rule: 'dns-egress-allowed',
    result: 'fail',
    severity: 'high',
    source: 'netpol-guard',
    category: 'NetworkPolicy',
    message:
      'pods of Deployment "web" (app=web) are egress-isolated by nodns/default-deny-all and no egress rule allows UDP and TCP 53 to DNS, so name lookups fail',
    timestamp: { seconds: 1748779200, nanos: 0 },
    resources: [
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'nodns', name: 'web' },
      { apiVersion: 'v1', kind: 'Pod', namespace: 'nodns', name: 'web-5d8f7c9b6d-abcde' },
    ],
    properties: {
      location: 'test/fixtures/audit/findings/nodns.yaml:16',
      udp: 'blocked',
      tcp: 'blocked',
      isolatingPolicies: 'nodns/default-deny-all',
    },
  });
});

t.test('cluster policy report holds namespace results', async (t) => {
  const cluster = list.items[0]!;
  const open = cluster.results.filter((result: { resources: Array<{ name: string }> }) => result.resources[0]!.name === 'open');
  t.same(
    open.map((result: { policy: string; result: string }) => [result.policy, result.result]),
    [
      ['namespace-mode', 'pass'],
      ['default-deny', 'fail'],
    ],
  );
  t.same(open[1].properties, { location: 'test/fixtures/audit/findings/open.yaml:2', missingDirections: 'Ingress,Egress' });
  t.same(cluster.summary, { pass: 9, fail: 6, warn: 2, error: 0, skip: 2 });
});
