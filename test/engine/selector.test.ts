import t from 'tap';
import { compileSelector, selectorMatches } from '../../src/engine/selector.js';
import type { LabelSelector, Labels } from '../../src/engine/types.js';

const web: Labels = { app: 'web', tier: 'front' };
const db: Labels = { app: 'db', tier: 'back' };
const bare: Labels = {};

t.test('compileSelector matching', async (t) => {
  // Each case lists whether the selector matches web, db and a pod without labels.
  const cases: Array<[string, LabelSelector | null | undefined, [boolean, boolean, boolean]]> = [
    ['missing selector matches everything', undefined, [true, true, true]],
    ['null selector matches everything', null, [true, true, true]],
    ['empty selector matches everything', {}, [true, true, true]],
    ['empty matchLabels and matchExpressions match everything', { matchLabels: {}, matchExpressions: [] }, [true, true, true]],
    ['matchLabels requires the exact value', { matchLabels: { app: 'web' } }, [true, false, false]],
    ['matchLabels requires every pair', { matchLabels: { app: 'web', tier: 'back' } }, [false, false, false]],
    ['In matches any listed value', { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'db'] }] }, [true, true, false]],
    ['In does not match a missing key', { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] }, [true, false, false]],
    ['NotIn matches other values and a missing key', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, [false, true, true]],
    ['Exists matches any value of the key', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, [true, true, false]],
    ['Exists accepts an empty values list', { matchExpressions: [{ key: 'tier', operator: 'Exists', values: [] }] }, [true, true, false]],
    ['DoesNotExist matches only without the key', { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, [false, false, true]],
    [
      'matchLabels and matchExpressions are ANDed',
      { matchLabels: { tier: 'back' }, matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'db'] }] },
      [false, true, false],
    ],
    [
      'several expressions are ANDed',
      {
        matchExpressions: [
          { key: 'app', operator: 'Exists' },
          { key: 'tier', operator: 'NotIn', values: ['front'] },
        ],
      },
      [false, true, false],
    ],
    ['matchLabels with an empty value matches only an empty value', { matchLabels: { app: '' } }, [false, false, false]],
  ];
  for (const [name, selector, [matchesWeb, matchesDb, matchesBare]] of cases) {
    const compiled = compileSelector(selector, 'spec.podSelector');
    t.same(compiled.problems, [], `${name}: no problems`);
    t.equal(compiled.matches(web), matchesWeb, `${name}: web`);
    t.equal(compiled.matches(db), matchesDb, `${name}: db`);
    t.equal(compiled.matches(bare), matchesBare, `${name}: no labels`);
  }
});

t.test('compileSelector matchesAll', async (t) => {
  t.equal(compileSelector(undefined, 'p').matchesAll, true, 'missing selector');
  t.equal(compileSelector({}, 'p').matchesAll, true, 'empty selector');
  t.equal(compileSelector({ matchLabels: {}, matchExpressions: [] }, 'p').matchesAll, true, 'empty lists');
  t.equal(compileSelector({ matchLabels: { app: 'web' } }, 'p').matchesAll, false, 'matchLabels');
  t.equal(compileSelector({ matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] }, 'p').matchesAll, false, 'expression');
});

t.test('compileSelector problems', async (t) => {
  const path = 'spec.ingress[0].from[0].podSelector';
  const cases: Array<[string, unknown, Array<{ field: string; message: string }>]> = [
    [
      'unknown operator',
      { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['web'] }] },
      [{ field: `${path}.matchExpressions[0].operator`, message: 'unknown operator "Equals"; use In, NotIn, Exists or DoesNotExist' }],
    ],
    [
      'operator in lowercase',
      { matchExpressions: [{ key: 'app', operator: 'in', values: ['web'] }] },
      [{ field: `${path}.matchExpressions[0].operator`, message: 'unknown operator "in"; use In, NotIn, Exists or DoesNotExist' }],
    ],
    [
      'In without values',
      { matchExpressions: [{ key: 'app', operator: 'In' }] },
      [{ field: `${path}.matchExpressions[0].values`, message: 'operator In requires at least one value' }],
    ],
    [
      'NotIn with an empty values list',
      { matchExpressions: [{ key: 'app', operator: 'NotIn', values: [] }] },
      [{ field: `${path}.matchExpressions[0].values`, message: 'operator NotIn requires at least one value' }],
    ],
    [
      'Exists with values',
      { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['web'] }] },
      [{ field: `${path}.matchExpressions[0].values`, message: 'operator Exists takes no values' }],
    ],
    [
      'DoesNotExist with values',
      { matchExpressions: [{ key: 'app', operator: 'DoesNotExist', values: ['web'] }] },
      [{ field: `${path}.matchExpressions[0].values`, message: 'operator DoesNotExist takes no values' }],
    ],
    [
      'invalid key in matchLabels',
      { matchLabels: { 'bad key': 'web' } },
      [
        {
          field: `${path}.matchLabels["bad key"]`,
          message:
            'label key "bad key" is invalid: the name must be 1 to 63 alphanumeric characters, "-", "_" or ".", starting and ending with an alphanumeric character',
        },
      ],
    ],
    [
      'invalid value in matchLabels',
      { matchLabels: { app: 'web/v1' } },
      [
        {
          field: `${path}.matchLabels["app"]`,
          message:
            'label value "web/v1" is invalid: it must be empty or at most 63 alphanumeric characters, "-", "_" or ".", starting and ending with an alphanumeric character',
        },
      ],
    ],
    [
      'invalid key in an expression',
      { matchExpressions: [{ key: 'a/b/c', operator: 'Exists' }] },
      [{ field: `${path}.matchExpressions[0].key`, message: 'label key "a/b/c" is invalid: it may contain at most one "/"' }],
    ],
    [
      'invalid value in an expression',
      { matchExpressions: [{ key: 'app', operator: 'In', values: ['ok', '-bad'] }] },
      [
        {
          field: `${path}.matchExpressions[0].values[1]`,
          message:
            'label value "-bad" is invalid: it must be empty or at most 63 alphanumeric characters, "-", "_" or ".", starting and ending with an alphanumeric character',
        },
      ],
    ],
    [
      'expression without key',
      { matchExpressions: [{ operator: 'Exists' }] },
      [{ field: `${path}.matchExpressions[0].key`, message: 'key is missing' }],
    ],
    ['selector that is a string', 'app=web', [{ field: path, message: 'must be a label selector object' }]],
    ['matchLabels that is a list', { matchLabels: ['app'] }, [{ field: `${path}.matchLabels`, message: 'must be a map of label keys to values' }]],
    [
      'matchExpressions that is a map',
      { matchExpressions: { key: 'app' } },
      [{ field: `${path}.matchExpressions`, message: 'must be a list of requirements' }],
    ],
    [
      'requirement that is a string',
      { matchExpressions: ['app in (web)'] },
      [{ field: `${path}.matchExpressions[0]`, message: 'must be an object with key, operator and values' }],
    ],
    [
      'values that is a string',
      { matchExpressions: [{ key: 'app', operator: 'In', values: 'web' }] },
      [{ field: `${path}.matchExpressions[0].values`, message: 'must be a list of label values' }],
    ],
    [
      'every problem is reported',
      {
        matchLabels: { 'bad key': 'web' },
        matchExpressions: [
          { key: 'app', operator: 'Equals' },
          { key: 'tier', operator: 'In', values: [] },
        ],
      },
      [
        {
          field: `${path}.matchLabels["bad key"]`,
          message:
            'label key "bad key" is invalid: the name must be 1 to 63 alphanumeric characters, "-", "_" or ".", starting and ending with an alphanumeric character',
        },
        { field: `${path}.matchExpressions[0].operator`, message: 'unknown operator "Equals"; use In, NotIn, Exists or DoesNotExist' },
        { field: `${path}.matchExpressions[1].values`, message: 'operator In requires at least one value' },
      ],
    ],
  ];
  for (const [name, selector, expected] of cases) {
    const compiled = compileSelector(selector as LabelSelector, path);
    t.same(compiled.problems, expected, `${name}: problems`);
    t.equal(compiled.matches(web), false, `${name}: an invalid selector matches nothing`);
    t.equal(compiled.matchesAll, false, `${name}: not matchesAll`);
  }
});

t.test('selectorMatches', async (t) => {
  t.equal(selectorMatches({ matchLabels: { app: 'web' } }, web), true, 'matching labels');
  t.equal(selectorMatches({ matchLabels: { app: 'web' } }, db), false, 'other labels');
  t.equal(selectorMatches({}, bare), true, 'empty selector');
});
