import { symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { parseWithYamlPackage } from '../../src/state/parse-yaml-package.js';
import { ManifestError, parseManifestText, readManifests, type ManifestDocument } from '../../src/state/read-manifests.js';

const fixtures = fileURLToPath(new URL('../fixtures/manifests/', import.meta.url));
const examples = fileURLToPath(new URL('../../examples/', import.meta.url));

function summarize(documents: ManifestDocument[]): Array<[string, string, number, number]> {
  return documents.map(({ object, source }) => {
    const metadata = object.metadata as { name?: string } | undefined;
    return [`${String(object.kind)}/${metadata?.name ?? ''}`, path.basename(source.file), source.line, source.documentIndex];
  });
}

// Runs `action` and returns the ManifestError it throws, failing the test when it throws anything else.
async function catchManifestError(t: Test, action: () => unknown): Promise<ManifestError | undefined> {
  try {
    await action();
  } catch (error) {
    if (error instanceof ManifestError) {
      return error;
    }
    t.fail(`expected a ManifestError, got ${String(error)}`);
    return undefined;
  }
  t.fail('expected a ManifestError, nothing was thrown');
  return undefined;
}

t.test('readManifests multi-document YAML', async (t) => {
  const file = path.join(fixtures, 'multi-document.yaml');
  const documents = await readManifests([file]);

  t.same(summarize(documents), [
    ['Namespace/shop', 'multi-document.yaml', 2, 0],
    ['NetworkPolicy/default-deny-all', 'multi-document.yaml', 11, 3],
    ['Namespace/legacy', 'multi-document.yaml', 22, 4],
  ]);
  t.equal(documents[0]?.source.file, file);
  t.same(documents[1]?.object, {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'default-deny-all', namespace: 'shop' },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  });
});

t.test('readManifests flattens lists with item lines', async (t) => {
  const documents = await readManifests([path.join(fixtures, 'list.yaml')]);

  t.same(summarize(documents), [
    ['Namespace/shop', 'list.yaml', 7, 0],
    ['Namespace/legacy', 'list.yaml', 11, 0],
    ['NetworkPolicy/default-deny-all', 'list.yaml', 22, 1],
  ]);
});

t.test('readManifests typed list items get the list type', async (t) => {
  const documents = await readManifests([path.join(fixtures, 'list.yaml')]);

  t.same(documents[2]?.object, {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'default-deny-all', namespace: 'shop' },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  });
});

t.test('parseManifestText list cases', async (t) => {
  const cases: Array<{ name: string; text: string; expected: Array<[string, string, number, number]> }> = [
    {
      name: 'nested List',
      text: 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items:\n  - {apiVersion: v1, kind: Pod, metadata: {name: a}}\n',
      expected: [['Pod/a', 'in.yaml', 7, 0]],
    },
    {
      name: 'List without items',
      text: 'apiVersion: v1\nkind: List\nitems: null\n',
      expected: [],
    },
    {
      name: 'kind ending in List without items is an object',
      text: 'apiVersion: example.com/v1\nkind: AllowList\nmetadata: {name: a}\n',
      expected: [['AllowList/a', 'in.yaml', 1, 0]],
    },
    {
      name: 'item kind kept over list type',
      text: 'apiVersion: v1\nkind: PodList\nitems:\n- {apiVersion: v1, kind: Secret, metadata: {name: s}}\n',
      expected: [['Secret/s', 'in.yaml', 4, 0]],
    },
    {
      name: 'items from an alias use the list line',
      text: 'apiVersion: v1\nkind: List\npods: &pods\n- {apiVersion: v1, kind: Pod, metadata: {name: a}}\nitems: *pods\n',
      expected: [['Pod/a', 'in.yaml', 1, 0]],
    },
  ];

  for (const { name, text, expected } of cases) {
    t.same(summarize(parseManifestText(text, 'in.yaml')), expected, name);
  }
});

t.test('readManifests JSON file', async (t) => {
  const file = path.join(fixtures, 'network-policy.json');
  const documents = await readManifests([file]);

  t.same(summarize(documents), [['NetworkPolicy/allow-dns-egress', 'network-policy.json', 1, 0]]);
  t.same(documents[0]?.object.spec, {
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
            podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
          },
        ],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ],
  });
});

t.test('readManifests folder recursion order', async (t) => {
  const namespace = (name: string): string => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;
  const dir = t.testdir({
    'b.yaml': namespace('b'),
    a: {
      'z.yml': namespace('a-z'),
      'Y.json': JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a-upper-y' } }),
      '.hidden.yaml': namespace('hidden-file'),
    },
    '.hidden-folder': { 'x.yaml': namespace('hidden-folder') },
    'c.YAML': namespace('c'),
    'notes.txt': 'not a manifest',
    'README.md': '# not a manifest',
  });

  const documents = await readManifests([dir]);

  t.same(
    documents.map(({ source }) => path.relative(dir, source.file)),
    [path.join('a', 'Y.json'), path.join('a', 'z.yml'), 'b.yaml', 'c.YAML'],
  );
  t.same(
    documents.map(({ object }) => (object.metadata as { name: string }).name),
    ['a-upper-y', 'a-z', 'b', 'c'],
  );
});

t.test('readManifests follows links and reads each file once', async (t) => {
  // The layout of a ConfigMap mounted as a volume: visible names link into a hidden folder.
  const dir = t.testdir({
    '..data': { 'shop.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n' },
  });
  await symlink(path.join('..data', 'shop.yaml'), path.join(dir, 'shop.yaml'));
  await symlink('.', path.join(dir, 'loop'));

  const documents = await readManifests([dir, path.join(dir, 'shop.yaml')]);

  t.same(summarize(documents), [['Namespace/shop', 'shop.yaml', 1, 0]]);
  t.equal(documents[0]?.source.file, path.join(dir, 'shop.yaml'));
});

t.test('readManifests keeps the order of its paths', async (t) => {
  const documents = await readManifests([path.join(fixtures, 'network-policy.json'), path.join(fixtures, 'list.yaml')]);

  t.same(
    documents.map(({ source }) => path.basename(source.file)),
    ['network-policy.json', 'list.yaml', 'list.yaml', 'list.yaml'],
  );
});

t.test('readManifests empty documents skipped', async (t) => {
  const dir = t.testdir({
    'empty.yaml': '',
    'comments.yaml': '# nothing here yet\n---\n---\n# still nothing\n',
    'nulls.yml': 'null\n---\n~\n',
  });

  t.same(await readManifests([dir]), []);
});

t.test('readManifests invalid YAML names file and line', async (t) => {
  const dir = t.testdir({
    'broken.yaml': 'apiVersion: v1\nkind: Namespace\n---\napiVersion: v1\nkind: Secret\nstringData:\n  password: "hunter2\n',
  });
  const file = path.join(dir, 'broken.yaml');

  const error = await catchManifestError(t, () => readManifests([file]));

  t.equal(error?.file, file);
  t.equal(error?.line, 7);
  t.equal(error?.message, `${file}:7: invalid YAML: Missing closing "quote`);
});

t.test('parseManifestText errors never quote values', async (t) => {
  const cases = [
    { name: 'unexpected token', text: 'apiVersion: v1\nkind: Secret\ndata:\n  token: abc\n hunter2: : x\n' },
    { name: 'duplicate key', text: 'apiVersion: v1\nkind: Secret\ndata:\n  hunter2: a\n  hunter2: b\n' },
    { name: 'flow error', text: '{"apiVersion": "v1", "kind": "Secret", "data": {"hunter2" "x"}}' },
    { name: 'value of an invalid kind', text: 'apiVersion: v1\nkind: [hunter2]\n' },
    { name: 'scalar document', text: 'hunter2\n' },
  ];

  for (const { name, text } of cases) {
    const error = await catchManifestError(t, () => parseManifestText(text, 'secret.yaml'));
    t.ok(error?.message.startsWith('secret.yaml:'), `${name}: message starts with the file`);
    t.notMatch(error?.message ?? '', /hunter2/, `${name}: message without the value`);
    t.notMatch(error?.message ?? '', /\n/, `${name}: message is one line`);
  }
});

t.test('parseManifestText error messages', async (t) => {
  const cases = [
    {
      name: 'invalid JSON',
      text: '{\n  "apiVersion": "v1",\n  "kind": "Namespace",\n}\n}',
      fileName: 'ns.json',
      line: 5,
      message: 'ns.json:5: invalid JSON: Unexpected flow-map-end token in YAML stream',
    },
    {
      name: 'duplicate key',
      text: 'apiVersion: v1\nkind: Namespace\nkind: Pod\n',
      fileName: 'ns.yaml',
      line: 3,
      message: 'ns.yaml:3: invalid YAML: Map keys must be unique',
    },
    {
      name: 'document without kind',
      text: 'apiVersion: v1\nkind: Namespace\n---\napiVersion: v1\nmetadata:\n  name: x\n',
      fileName: 'ns.yaml',
      line: 4,
      message: 'ns.yaml:4: document 2 has no kind; every manifest needs apiVersion and kind',
    },
    {
      name: 'document without apiVersion',
      text: 'kind: Namespace\n',
      fileName: 'ns.yaml',
      line: 1,
      message: 'ns.yaml:1: document 1 has no apiVersion; every manifest needs apiVersion and kind',
    },
    {
      name: 'empty kind',
      text: 'apiVersion: v1\nkind: ""\n',
      fileName: 'ns.yaml',
      line: 1,
      message: 'ns.yaml:1: document 1 has no kind; every manifest needs apiVersion and kind',
    },
    {
      name: 'kind not a string',
      text: 'apiVersion: v1\nkind: 7\n',
      fileName: 'ns.yaml',
      line: 1,
      message: 'ns.yaml:1: document 1 has a number as kind, expected a string',
    },
    {
      name: 'document is a list',
      text: '- apiVersion: v1\n  kind: Namespace\n',
      fileName: 'ns.yaml',
      line: 1,
      message: 'ns.yaml:1: document 1 is a list, not an object; every manifest needs apiVersion and kind',
    },
    {
      name: 'document is a string',
      text: '---\n---\nhello\n',
      fileName: 'ns.yaml',
      line: 3,
      message: 'ns.yaml:3: document 2 is a string, not an object; every manifest needs apiVersion and kind',
    },
    {
      name: 'List item without kind',
      text: 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n- apiVersion: v1\n  metadata: {name: x}\n',
      fileName: 'list.yaml',
      line: 6,
      message: 'list.yaml:6: document 1, item 2 has no kind; every manifest needs apiVersion and kind',
    },
    {
      name: 'List item null',
      text: 'apiVersion: v1\nkind: List\nitems:\n- null\n',
      fileName: 'list.yaml',
      line: 4,
      message: 'list.yaml:4: document 1, item 1 is null, not an object; every manifest needs apiVersion and kind',
    },
    {
      name: 'List items not a list',
      text: 'apiVersion: v1\nkind: List\nitems: {a: 1}\n',
      fileName: 'list.yaml',
      line: 1,
      message: 'list.yaml:1: document 1 is a List whose items field is a mapping, not a list',
    },
    {
      name: 'alias expansion past the limit',
      text: 'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n',
      fileName: 'bomb.yaml',
      line: 1,
      message: 'bomb.yaml:1: invalid YAML: Excessive alias count indicates a resource exhaustion attack',
    },
  ];

  for (const { name, text, fileName, line, message } of cases) {
    const error = await catchManifestError(t, () => parseManifestText(text, fileName));
    t.equal(error?.file, fileName, `${name}: file`);
    t.equal(error?.line, line, `${name}: line`);
    t.equal(error?.message, message, `${name}: message`);
  }
});

t.test('readManifests missing file', async (t) => {
  const dir = t.testdir({});
  const file = path.join(dir, 'missing.yaml');

  const error = await catchManifestError(t, () => readManifests([file]));

  t.equal(error?.name, 'ManifestError');
  t.equal(error?.file, file);
  t.equal(error?.line, undefined);
  t.equal(error?.message, `cannot read ${file}: not found`);
});

t.test('readManifests named file with other extension', async (t) => {
  const dir = t.testdir({ 'notes.txt': 'apiVersion: v1\nkind: Namespace\n' });
  const file = path.join(dir, 'notes.txt');

  const error = await catchManifestError(t, () => readManifests([file]));

  t.equal(error?.line, undefined);
  t.equal(error?.message, `cannot read ${file}: unsupported file extension; manifest files end in .yaml, .yml or .json`);
});

t.test('parseManifestText stdin text', async (t) => {
  const documents = parseManifestText('{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}', '<stdin>');

  t.same(documents, [
    {
      object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
      source: { file: '<stdin>', line: 1, documentIndex: 0 },
    },
  ]);
});

t.test('examples folder parses', async (t) => {
  // examples/config contains configuration files, which are not manifests.
  const documents = await readManifests([path.join(examples, 'cluster'), path.join(examples, 'reviews')]);
  const files = new Set(documents.map(({ source }) => path.relative(examples, source.file)));

  t.ok(files.has(path.join('cluster', 'kube-system.yaml')), 'reads the cluster state');
  t.ok(files.has(path.join('reviews', 'pod-create-shop.json')), 'reads the reviews');

  const objects = documents.flatMap(({ object, source }) => {
    const where = `${path.relative(examples, source.file)}:${source.line}`;
    if (object.kind !== 'AdmissionReview') {
      return [{ where, object }];
    }
    const request = object.request as { object: unknown; oldObject: unknown };
    return [request.object, request.oldObject]
      .filter((embedded) => embedded !== null)
      .map((embedded) => ({ where: `${where} (review)`, object: embedded as Record<string, unknown> }));
  });

  for (const { where, object } of objects) {
    const metadata = object.metadata as { name?: unknown } | undefined;
    t.type(object.apiVersion, 'string', `${where}: apiVersion`);
    t.type(object.kind, 'string', `${where}: kind`);
    t.type(metadata?.name, 'string', `${where}: metadata.name`);
  }
});

t.test('examples reviews have the admission request shape', async (t) => {
  const documents = await readManifests([path.join(examples, 'reviews')]);

  t.same(
    documents.map(({ source }) => path.basename(source.file)),
    [
      'deployment-create-legacy.json',
      'deployment-create-payments.json',
      'deployment-create-shop-v1beta1.json',
      'namespace-create.json',
      'networkpolicy-delete-shop-default-deny.json',
      'pod-create-shop.json',
    ],
  );

  for (const { object, source } of documents) {
    const name = path.basename(source.file);
    const request = object.request as Record<string, unknown>;
    t.equal(object.kind, 'AdmissionReview', `${name}: kind`);
    t.equal(object.apiVersion, name.endsWith('v1beta1.json') ? 'admission.k8s.io/v1beta1' : 'admission.k8s.io/v1', `${name}: apiVersion`);
    t.match(request.uid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, `${name}: uid`);
    t.equal(request.dryRun, false, `${name}: dryRun`);
    for (const field of ['kind', 'resource', 'requestKind', 'requestResource', 'userInfo', 'options']) {
      t.type(request[field], 'object', `${name}: request.${field}`);
    }
    const target = (request.operation === 'DELETE' ? request.oldObject : request.object) as {
      metadata: { name: string; generateName?: string };
    };
    // The API server fills in request.name before it generates a name, so it is absent for generateName.
    const expectedName = target.metadata.generateName === undefined ? target.metadata.name : undefined;
    t.equal(request.name, expectedName, `${name}: name`);
  }
});

t.test('readManifests JSON list item lines', async (t) => {
  const dir = t.testdir({
    'pods.json': JSON.stringify(
      {
        apiVersion: 'v1',
        kind: 'PodList',
        items: [{ metadata: { name: 'a', labels: { items: 'x' } } }, { metadata: { name: 'b' } }],
      },
      null,
      2,
    ),
  });

  const documents = await readManifests([path.join(dir, 'pods.json')]);

  t.same(summarize(documents), [
    ['Pod/a', 'pods.json', 5, 0],
    ['Pod/b', 'pods.json', 13, 0],
  ]);
  t.same(documents[1]?.object, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b' } });
});

t.test('readManifests JSON list of 150,000 items', async (t) => {
  // Spreading this many items into push() overflows the call stack.
  const items = Array.from({ length: 150_000 }, (_, index) => `{"metadata":{"name":"p${index}"}}`);
  const dir = t.testdir({});
  const file = path.join(dir, 'pods.json');
  await writeFile(file, `{"apiVersion":"v1","kind":"PodList","items":[\n${items.join(',\n')}\n]}\n`);

  const documents = await readManifests([file]);

  t.equal(documents.length, 150_000);
  t.same(summarize(documents.slice(-1)), [['Pod/p149999', 'pods.json', 150_001, 0]]);
});

t.test('parseManifestText JSON error messages', async (t) => {
  const cases = [
    {
      name: 'duplicate key',
      text: '{\n  "apiVersion": "v1",\n  "kind": "Namespace",\n  "kind": "Pod"\n}\n',
      line: 4,
      message: 'ns.json:4: invalid JSON: Map keys must be unique',
    },
    {
      name: 'list item without kind',
      text: '{"apiVersion": "v1", "kind": "List", "items": [\n  {"apiVersion": "v1", "kind": "Pod"},\n  {"apiVersion": "v1"}\n]}\n',
      line: 3,
      message: 'ns.json:3: document 1, item 2 has no kind; every manifest needs apiVersion and kind',
    },
  ];

  for (const { name, text, line, message } of cases) {
    const error = await catchManifestError(t, () => parseManifestText(text, 'ns.json'));
    t.equal(error?.line, line, `${name}: line`);
    t.equal(error?.message, message, `${name}: message`);
  }
});

t.test('parseManifestText YAML 1.2 core scalars', async (t) => {
  const cases: Array<[string, unknown]> = [
    ['0644', 644],
    ['0o17', 15],
    ['0x1F', 31],
    ['+12', 12],
    ['1_000', '1_000'],
    ['0b101', '0b101'],
    ['1e3', 1000],
    ['.5', 0.5],
    ['-.inf', -Infinity],
    ['.NaN', NaN],
    ['yes', 'yes'],
    ['True', true],
    ['NULL', null],
    ['~', null],
    ['nULL', 'nULL'],
    ['2024-01-01', '2024-01-01'],
    ['"12"', '12'],
  ];

  for (const [scalar, expected] of cases) {
    const [document] = parseManifestText(`apiVersion: v1\nkind: ConfigMap\ndata:\n  value: ${scalar}\n`, 'in.yaml');
    const data = document?.object.data as { value: unknown } | undefined;
    t.same(data?.value, expected, scalar);
  }
});

// Each case would come out differently from js-yaml or JSON.parse, so parseManifestText must hand
// it to the yaml package, and the result must equal the yaml package's own.
t.test('parseManifestText matches the yaml package', async (t) => {
  const head = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n';
  const cases = [
    { name: 'null key', text: `${head}data:\n  ~: a\n  b: c\n`, fileName: 'in.yaml' },
    { name: 'flow null key', text: `${head}data: {~: a}\n`, fileName: 'in.yaml' },
    { name: 'collection key', text: `${head}data: {[a, b]: c}\n`, fileName: 'in.yaml' },
    { name: 'explicit key', text: `${head}data:\n  ? [a]\n  : b\n`, fileName: 'in.yaml' },
    { name: 'key past 1024 characters', text: `${head}data:\n  ${'k'.repeat(1100)}: v\n`, fileName: 'in.yaml' },
    { name: 'long value line', text: `${head}data:\n  a: |\n    {"${'x'.repeat(1100)}":"y"}\n`, fileName: 'in.yaml' },
    { name: 'anchor and alias', text: `${head}data:\n  a: &x 1\n  b: *x\n`, fileName: 'in.yaml' },
    { name: 'merge key', text: `${head}base: &b {a: 1}\ndata:\n  <<: *b\n  c: 2\n`, fileName: 'in.yaml' },
    { name: 'unknown tag', text: `${head}data:\n  a: !custom x\n`, fileName: 'in.yaml' },
    { name: 'duplicate NaN keys', text: `${head}data:\n  .nan: a\n  .NaN: b\n`, fileName: 'in.yaml' },
    { name: 'number and string key', text: `${head}data:\n  1: a\n  "1": b\n`, fileName: 'in.yaml' },
    { name: 'document end marker', text: `---\n${head}...\n---\n${head}`, fileName: 'in.yaml' },
    { name: 'directive', text: `%YAML 1.2\n---\n${head}`, fileName: 'in.yaml' },
    { name: 'content on the marker line', text: `--- {apiVersion: v1, kind: Pod}\n---\n${head}`, fileName: 'in.yaml' },
    { name: 'byte order mark', text: `\uFEFF${head}`, fileName: 'in.yaml' },
    { name: 'CRLF line breaks', text: `${head}---\r\n${head}`.replace(/\n/g, '\r\n').replace(/\r\r/g, '\r'), fileName: 'in.yaml' },
    { name: 'markers with trailing space', text: `--- \n${head}---\t\n\n# c\n${head}`, fileName: 'in.yaml' },
    { name: 'marker inside a block scalar', text: `${head}data:\n  a: |\n    ---\n    b\n`, fileName: 'in.yaml' },
    { name: 'marker inside a quoted string', text: `${head}data:\n  a: "x\n---\n  y"\n`, fileName: 'in.yaml' },
    { name: 'document as a list', text: `${head}---\n- a\n`, fileName: 'in.yaml' },
    { name: 'list with typed items', text: `apiVersion: v1\nkind: PodList\nitems:\n  - metadata: {name: a}\n---\n${head}`, fileName: 'in.yaml' },
    { name: 'JSON list nested in a list', text: '{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"List","items":[\n{"apiVersion":"v1","kind":"Pod"}]}]}', fileName: 'in.json' },
    { name: 'JSON items key with escapes', text: '{"apiVersion":"v1","kind":"List","\\u0069tems":[\n{"apiVersion":"v1","kind":"Pod"}]}', fileName: 'in.json' },
    { name: 'JSON proto key', text: '{"apiVersion":"v1","kind":"Pod","__proto__":{"x":1}}', fileName: 'in.json' },
    { name: 'JSON numbers', text: '{"apiVersion":"v1","kind":"Pod","n":[1.0,-0,1e400,12345678901234567890]}', fileName: 'in.json' },
    { name: 'two JSON values', text: '{"apiVersion":"v1","kind":"Pod"}\n{"apiVersion":"v1","kind":"Pod"}', fileName: 'in.json' },
    { name: 'JSON in a YAML file', text: '\n{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"}}', fileName: 'in.yaml' },
  ];

  const outcome = (parse: () => ManifestDocument[]): unknown => {
    try {
      return parse();
    } catch (error) {
      return error instanceof ManifestError ? { line: error.line, message: error.message } : String(error);
    }
  };
  for (const { name, text, fileName } of cases) {
    const expected = outcome(() => parseWithYamlPackage(text, fileName).manifests);
    t.strictSame(outcome(() => parseManifestText(text, fileName)), expected, name);
  }
});
