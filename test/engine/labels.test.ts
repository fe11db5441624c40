import t from 'tap';
import { labelKeyProblem, labelValueProblem } from '../../src/engine/labels.js';

const NAME_RULE =
  'the name must be 1 to 63 alphanumeric characters, "-", "_" or ".", starting and ending with an alphanumeric character';
const PREFIX_RULE = 'the prefix must be a DNS subdomain of at most 253 characters';
const VALUE_RULE =
  'it must be empty or at most 63 alphanumeric characters, "-", "_" or ".", starting and ending with an alphanumeric character';

const keyProblem = (key: string, rule: string): string => `label key ${JSON.stringify(key)} is invalid: ${rule}`;

t.test('labelKeyProblem', async (t) => {
  const cases: Array<[string, string, string | undefined]> = [
    ['plain name', 'app', undefined],
    ['single character', 'a', undefined],
    ['name with dot, dash and underscore', 'Tier_1.front-end', undefined],
    ['prefixed name', 'app.kubernetes.io/name', undefined],
    ['63-character name', 'a'.repeat(63), undefined],
    ['253-character prefix', `${'a'.repeat(61)}.${'b'.repeat(61)}.${'c'.repeat(61)}.${'d'.repeat(67)}/x`, undefined],
    ['empty key', '', keyProblem('', NAME_RULE)],
    ['two slashes', 'a/b/c', keyProblem('a/b/c', 'it may contain at most one "/"')],
    ['empty prefix', '/app', keyProblem('/app', PREFIX_RULE)],
    ['empty name after prefix', 'example.com/', keyProblem('example.com/', NAME_RULE)],
    ['uppercase prefix', 'Example.com/app', keyProblem('Example.com/app', PREFIX_RULE)],
    ['254-character prefix', `${'a'.repeat(254)}/x`, keyProblem(`${'a'.repeat(254)}/x`, PREFIX_RULE)],
    ['64-character name', 'a'.repeat(64), keyProblem('a'.repeat(64), NAME_RULE)],
    ['leading dash', '-app', keyProblem('-app', NAME_RULE)],
    ['trailing dot', 'app.', keyProblem('app.', NAME_RULE)],
    ['space inside', 'my app', keyProblem('my app', NAME_RULE)],
  ];
  for (const [name, key, expected] of cases) {
    t.equal(labelKeyProblem(key), expected, name);
  }
});

t.test('labelValueProblem', async (t) => {
  const cases: Array<[string, unknown, string | undefined]> = [
    ['empty value', '', undefined],
    ['plain value', 'web', undefined],
    ['value with dot, dash and underscore', 'v1.2_rc-3', undefined],
    ['63-character value', 'v'.repeat(63), undefined],
    ['64-character value', 'v'.repeat(64), `label value ${JSON.stringify('v'.repeat(64))} is invalid: ${VALUE_RULE}`],
    ['slash in value', 'a/b', `label value "a/b" is invalid: ${VALUE_RULE}`],
    ['trailing dash', 'web-', `label value "web-" is invalid: ${VALUE_RULE}`],
    ['number instead of string', 5, 'label value 5 is invalid: it must be a string'],
    ['null instead of string', null, 'label value null is invalid: it must be a string'],
  ];
  for (const [name, value, expected] of cases) {
    t.equal(labelValueProblem(value), expected, name);
  }
});
