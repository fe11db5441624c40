import t from 'tap';
import { auditTable, colourEnabled } from '../../../src/cli/audit-output/table.js';
import { auditFixture, CLEAN, FINDINGS } from '../helpers.js';

t.test('auditTable clean state', async (t) => {
  const report = await auditFixture(CLEAN);
  t.equal(
    auditTable(report, false),
    [
      'kube-system exempt: listed in exemptions.namespaces of the configuration',
      '',
      'tidy mode enforce (cluster default)',
      '  default-deny  ingress: yes (tidy/default-deny-all)  egress: yes (tidy/allow-dns-egress, tidy/default-deny-all)',
      '  no violations',
      '',
      'Summary: 2 namespaces (1 exempt); checks by object: 0 failed, 0 warnings, 2 skipped, 3 passed',
    ].join('\n'),
  );
});

t.test('auditTable namespace with findings', async (t) => {
  const report = await auditFixture(FINDINGS);
  const text = auditTable(report, false);
  const block = text.split('\n\n').find((entry) => entry.startsWith('nodns '));
  t.equal(
    block,
    [
      'nodns mode enforce (cluster default)',
      '  default-deny  ingress: yes (nodns/default-deny-all)  egress: yes (nodns/default-deny-all)',
      '  FAIL  dns-egress  Deployment/web (+1 owned: Pod/web-5d8f7c9b6d-abcde)',
      '        pods of Deployment "web" (app=web) are egress-isolated by nodns/default-deny-all and no egress rule allows UDP and TCP 53 to DNS, so name lookups fail',
      '        at test/fixtures/audit/findings/nodns.yaml:16',
      '  FAIL  dns-egress  Pod/debug',
      '        Pod "debug" (run=debug) is egress-isolated by nodns/default-deny-all and no egress rule allows UDP and TCP 53 to DNS, so name lookups fail',
      '        at test/fixtures/audit/findings/nodns.yaml:51',
    ].join('\n'),
  );
  t.match(text.split('\n').at(-1), /^Summary: 9 namespaces \(1 exempt\); checks by object: 10 failed, 4 warnings, 3 skipped, 11 passed$/);
});

t.test('auditTable colour codes', async (t) => {
  const report = await auditFixture(FINDINGS);
  const text = auditTable(report, true);
  t.ok(text.includes('\u001b[31mFAIL\u001b[39m'));
  t.ok(text.includes('\u001b[33mWARN\u001b[39m'));
  t.notOk(auditTable(report, false).includes('\u001b['));
});

t.test('colourEnabled', async (t) => {
  t.equal(colourEnabled({ isTTY: true }, {}), true);
  t.equal(colourEnabled({ isTTY: true }, { NO_COLOR: '1' }), false);
  t.equal(colourEnabled({ isTTY: true }, { NO_COLOR: '' }), true);
  t.equal(colourEnabled({ isTTY: false }, {}), false);
  t.equal(colourEnabled({}, {}), false);
});
