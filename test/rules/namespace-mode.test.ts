import t from 'tap';
import { isMode, namespaceModeRule } from '../../src/rules/namespace-mode.js';
import { namespace, ruleContext } from './fixtures.js';

t.test('namespace-mode rule', async (t) => {
  const cases: Array<[string, Record<string, string>, string[]]> = [
    ['no label passes', {}, []],
    ['enforce passes', { 'netpol-guard.io/mode': 'enforce' }, []],
    ['warn passes', { 'netpol-guard.io/mode': 'warn' }, []],
    ['audit passes', { 'netpol-guard.io/mode': 'audit' }, []],
    ['unknown value fails', { 'netpol-guard.io/mode': 'off' }, ['namespace-mode: label netpol-guard.io/mode on namespace team-a has invalid value "off"; use enforce, warn, audit']],
    ['value in capitals fails', { 'netpol-guard.io/mode': 'Audit' }, ['namespace-mode: label netpol-guard.io/mode on namespace team-a has invalid value "Audit"; use enforce, warn, audit']],
  ];
  for (const [name, labels, messages] of cases) {
    const violations = await namespaceModeRule.check(ruleContext({ operation: 'UPDATE', object: namespace('team-a', labels), oldObject: namespace('team-a') }));
    t.same(
      violations,
      messages.map((message) => ({ rule: 'namespace-mode', severity: 'deny', summary: 'label netpol-guard.io/mode must be enforce, warn or audit', message })),
      name,
    );
  }
  t.equal(namespaceModeRule.exemptable, false, 'not exemptable');
  t.equal(namespaceModeRule.alwaysEnforced, true, 'enforced in every mode');
});

t.test('isMode', async (t) => {
  t.equal(isMode('warn'), true);
  t.equal(isMode('WARN'), false);
  t.equal(isMode(undefined), false);
});
