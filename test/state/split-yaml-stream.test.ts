import t from 'tap';
import { splitYamlStream } from '../../src/state/split-yaml-stream.js';

t.test('splitYamlStream documents and lines', async (t) => {
  const cases: Array<{ name: string; text: string; expected: Array<[string, number, number | undefined]> }> = [
    { name: 'empty stream', text: '', expected: [] },
    { name: 'comments only', text: '# a\n\n# b\n', expected: [] },
    { name: 'one document without marker', text: 'a: 1\n', expected: [['a: 1\n', 1, 1]] },
    { name: 'comments before the first marker', text: '# c\n---\na: 1\n', expected: [['---\na: 1\n', 2, 3]] },
    {
      name: 'content before the first marker',
      text: 'a: 1\n---\nb: 2',
      expected: [
        ['a: 1\n', 1, 1],
        ['---\nb: 2', 2, 3],
      ],
    },
    {
      name: 'empty documents between markers',
      text: '---\n---\n  # c\n\n---\nb: 2\n---\n',
      expected: [
        ['---\n', 1, undefined],
        ['---\n  # c\n\n', 2, undefined],
        ['---\nb: 2\n', 5, 6],
        ['---\n', 7, undefined],
      ],
    },
    {
      name: 'markers with trailing whitespace and CRLF',
      text: '--- \r\na: 1\r\n---\t\r\nb: 2\r\n',
      expected: [
        ['--- \r\na: 1\r\n', 1, 2],
        ['---\t\r\nb: 2\r\n', 3, 4],
      ],
    },
    { name: 'hyphens that are no marker', text: 'a: |\n  ---\n----\n---x\n', expected: [['a: |\n  ---\n----\n---x\n', 1, 1]] },
  ];

  for (const { name, text, expected } of cases) {
    const documents = splitYamlStream(text);
    t.same(
      documents?.map((document) => [document.text, document.firstLine, document.contentLine]),
      expected,
      name,
    );
  }
});

t.test('splitYamlStream max line length', async (t) => {
  const documents = splitYamlStream('a: 1\n---\nbb: 22\r\nc: 3\n');

  t.same(
    documents?.map((document) => document.maxLineLength),
    [4, 7],
  );
});

t.test('splitYamlStream needs the full parser', async (t) => {
  const cases = [
    { name: 'content on a marker line', text: 'a: 1\n--- {b: 2}\n' },
    { name: 'comment on a marker line', text: '--- # c\na: 1\n' },
    { name: 'document end marker', text: 'a: 1\n...\n' },
    { name: 'directive', text: '%YAML 1.2\n---\na: 1\n' },
    { name: 'byte order mark', text: '\uFEFFa: 1\n' },
  ];

  for (const { name, text } of cases) {
    t.equal(splitYamlStream(text), undefined, name);
  }
});
