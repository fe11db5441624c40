import { readFileSync } from 'node:fs';
import path from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import t from 'tap';
import { artifactUri, auditSarif, SARIF_SCHEMA_URI } from '../../../src/cli/audit-output/sarif.js';
import { auditFixture, FINDINGS } from '../helpers.js';

// ajv-draft-04 is CommonJS with a default export; its class is the module's `default`.
const ajv = new AjvDraft04.default({ allErrors: true, strict: false });
addFormats.default(ajv);
const validate = ajv.compile(JSON.parse(readFileSync('test/fixtures/audit/schemas/sarif-schema-2.1.0.subset.json', 'utf8')) as object);

const report = await auditFixture(FINDINGS);
const log = auditSarif(report, process.cwd()) as Record<string, any>;
const run = log.runs[0];

t.test('auditSarif validates against the SARIF 2.1.0 schema', async (t) => {
  t.ok(validate(log), ajv.errorsText(validate.errors));
  t.equal(log.version, '2.1.0');
  t.equal(log.$schema, SARIF_SCHEMA_URI);
});

t.test('auditSarif rules', async (t) => {
  t.equal(run.tool.driver.name, 'netpol-guard');
  t.same(
    run.tool.driver.rules.map((rule: { id: string }) => rule.id),
    ['default-deny', 'dns-egress', 'namespace-mode', 'invalid-network-policy', 'expired-exemption', 'invalid-exemption'],
  );
  const [defaultDeny, dnsEgress] = run.tool.driver.rules;
  t.equal(defaultDeny.name, 'DefaultDeny');
  t.equal(defaultDeny.shortDescription.text, 'Namespace has a default-deny NetworkPolicy');
  t.match(defaultDeny.help.text, /podSelector: \{\}/);
  t.same(defaultDeny.defaultConfiguration, { level: 'error' });
  t.equal(dnsEgress.shortDescription.text, 'Egress-isolated pods can reach cluster DNS');
  t.match(dnsEgress.help.text, /UDP 53 and TCP 53/);
});

t.test('auditSarif result with file and line', async (t) => {
  const result = run.results.find((entry: { ruleId: string; message: { text: string } }) => entry.ruleId === 'dns-egress' && entry.message.text.includes('Deployment "web"'));
  t.same(result, {
    ruleId: 'dns-egress',
    ruleIndex: 1,
    level: 'error',
    message: {
      text: 'pods of Deployment "web" (app=web) are egress-isolated by nodns/default-deny-all and no egress rule allows UDP and TCP 53 to DNS, so name lookups fail (also Pod/web-5d8f7c9b6d-abcde)',
    },
    locations: [
      {
        logicalLocations: [{ fullyQualifiedName: 'nodns/Deployment/web', kind: 'resource' }],
        physicalLocation: { artifactLocation: { uri: 'test/fixtures/audit/findings/nodns.yaml' }, region: { startLine: 16 } },
      },
    ],
    partialFingerprints: { 'netpolGuardResource/v1': 'dns-egress:nodns/Deployment/web' },
  });
});

t.test('auditSarif exempted result is suppressed', async (t) => {
  const result = run.results.find((entry: { ruleId: string; locations: Array<{ logicalLocations: Array<{ fullyQualifiedName: string }> }> }) =>
    entry.locations[0]!.logicalLocations[0]!.fullyQualifiedName === 'excused/CronJob/report',
  );
  t.equal(result.level, 'error');
  t.same(result.suppressions, [{ kind: 'external', justification: 'exempt by namespace excused: batch jobs resolve nothing' }]);
});

t.test('auditSarif leaves out passes and exempt namespaces', async (t) => {
  t.equal(run.results.length, 14);
  const names = run.results.map((entry: { locations: Array<{ logicalLocations: Array<{ fullyQualifiedName: string }> }> }) => entry.locations[0]!.logicalLocations[0]!.fullyQualifiedName);
  t.notOk(names.includes('Namespace/kube-system'));
  const levels = run.results.map((entry: { level: string }) => entry.level);
  t.equal(levels.filter((level: string) => level === 'error').length, 10);
  t.equal(levels.filter((level: string) => level === 'warning').length, 4);
});

t.test('artifactUri', async (t) => {
  t.equal(artifactUri('manifests/a b.yaml', '/repo'), 'manifests/a%20b.yaml');
  t.equal(artifactUri('/repo/x/y.yaml', '/repo'), 'x/y.yaml');
  t.equal(artifactUri('/elsewhere/y.yaml', '/repo'), 'file:///elsewhere/y.yaml');
  t.equal(artifactUri(path.join('..', 'up.yaml'), '/repo/sub'), 'file:///repo/up.yaml');
});
