import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import t from 'tap';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { EXAMPLE_CLUSTER, EXAMPLE_REVIEWS, decodePatch, exampleReview, responseOf } from '../helpers/reviews.js';

interface CapturedIo extends CliIo {
  out(): string;
  err(): string;
}

function captureIo(stdinText = ''): CapturedIo {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const outChunks: string[] = [];
  const errChunks: string[] = [];
  stdout.on('data', (chunk: Buffer) => outChunks.push(chunk.toString('utf8')));
  stderr.on('data', (chunk: Buffer) => errChunks.push(chunk.toString('utf8')));
  return {
    stdout,
    stderr,
    stdin: Readable.from([Buffer.from(stdinText)]),
    env: {},
    out: () => outChunks.join(''),
    err: () => errChunks.join(''),
  };
}

const reviewFile = (name: string): string => join(EXAMPLE_REVIEWS, name);

async function runReview(args: string[], stdinText?: string): Promise<{ code: number; io: CapturedIo }> {
  const io = captureIo(stdinText);
  const code = await main(['review', ...args], io);
  return { code, io };
}

t.test('review exit code per example', async (t) => {
  const cases = [
    { file: 'pod-create-shop.json', code: 0, allowed: true },
    { file: 'deployment-create-shop-v1beta1.json', code: 0, allowed: true },
    { file: 'namespace-create.json', code: 0, allowed: true },
    { file: 'deployment-create-legacy.json', code: 1, allowed: false, rule: 'default-deny' },
    { file: 'deployment-create-payments.json', code: 1, allowed: false, rule: 'dns-egress' },
    { file: 'networkpolicy-delete-shop-default-deny.json', code: 1, allowed: false, rule: 'default-deny' },
  ];
  for (const testCase of cases) {
    const { code, io } = await runReview(['--state', EXAMPLE_CLUSTER, reviewFile(testCase.file)]);
    t.equal(code, testCase.code, `${testCase.file}: exit code`);
    t.equal(io.err(), '', `${testCase.file}: nothing on stderr`);
    const body = JSON.parse(io.out()) as { apiVersion: string };
    const request = exampleReview(testCase.file);
    t.equal(body.apiVersion, request.apiVersion, `${testCase.file}: apiVersion`);
    const response = responseOf(body);
    t.equal(response.uid, request.request.uid, `${testCase.file}: uid`);
    t.equal(response.allowed, testCase.allowed, `${testCase.file}: allowed`);
    if (testCase.rule) t.match(response.status?.message, new RegExp(`^${testCase.rule}: `), `${testCase.file}: rule`);
    t.notOk('patch' in response, `${testCase.file}: no patch from validate`);
  }
});

t.test('review prints indented JSON', async (t) => {
  const { code, io } = await runReview(['--state', EXAMPLE_CLUSTER, reviewFile('pod-create-shop.json')]);
  t.equal(code, 0);
  const expected = {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: {
      uid: '0df28fbd-5f5f-4a9b-a5a4-3f6c2b1e8d01',
      allowed: true,
      auditAnnotations: { mode: 'enforce', exemption: 'none', decision: 'allowed' },
    },
  };
  t.equal(io.out(), `${JSON.stringify(expected, null, 2)}\n`);
});

t.test('review reads stdin with -', async (t) => {
  const text = JSON.stringify(exampleReview('deployment-create-legacy.json'));
  const { code, io } = await runReview(['--state', EXAMPLE_CLUSTER, '-'], text);
  t.equal(code, 1);
  t.equal(responseOf(JSON.parse(io.out())).uid, '5c1e8a3b-9d2f-4e6a-b7c8-1d0e9f8a7b12');
});

t.test('review --mutate prints the namespace patch', async (t) => {
  const { code, io } = await runReview(['--mutate', '--state', EXAMPLE_CLUSTER, reviewFile('namespace-create.json')]);
  t.equal(code, 0);
  const response = responseOf(JSON.parse(io.out()));
  t.equal(response.patchType, 'JSONPatch');
  t.strictSame(decodePatch(response), [
    { op: 'add', path: '/metadata/labels/netpol-guard.io~1baseline', value: 'enabled' },
    { op: 'add', path: '/metadata/annotations', value: { 'netpol-guard.io/baseline-policies': 'default-deny-all,allow-dns-egress' } },
  ]);
});

t.test('review --mutate ignores validating rules', async (t) => {
  const { code, io } = await runReview(['--mutate', '--state', EXAMPLE_CLUSTER, reviewFile('deployment-create-legacy.json')]);
  t.equal(code, 0);
  t.strictSame(responseOf(JSON.parse(io.out())), { uid: '5c1e8a3b-9d2f-4e6a-b7c8-1d0e9f8a7b12', allowed: true });
});

t.test('review without --state denies', async (t) => {
  const { code, io } = await runReview([reviewFile('pod-create-shop.json')]);
  t.equal(code, 1);
  t.match(responseOf(JSON.parse(io.out())).status?.message, /^default-deny: namespace "shop" has no default-deny NetworkPolicy/);
});

t.test('review exits 2 on bad input', async (t) => {
  const missing = join(EXAMPLE_REVIEWS, 'does-not-exist.json');
  const cases: Array<{ name: string; args: string[]; stdin?: string; stderr?: string; stdout?: unknown }> = [
    { name: 'missing request file', args: ['--state', EXAMPLE_CLUSTER, missing], stderr: `netpol-guard review: cannot read ${missing}: not found\n` },
    {
      name: 'no request argument',
      args: ['--state', EXAMPLE_CLUSTER],
      stderr: 'netpol-guard review: expected exactly one REQUEST file (or - for standard input); see --help\n',
    },
    {
      name: 'two request arguments',
      args: [reviewFile('pod-create-shop.json'), reviewFile('namespace-create.json')],
      stderr: 'netpol-guard review: expected exactly one REQUEST file (or - for standard input); see --help\n',
    },
    { name: 'invalid JSON on stdin', args: ['-'], stdin: '{"kind":', stderr: undefined },
    {
      name: 'JSON that is not an AdmissionReview',
      args: ['-'],
      stdin: '[]',
      stderr: 'netpol-guard review: standard input: invalid AdmissionReview: body must be a JSON object of kind AdmissionReview\n',
    },
    {
      name: 'AdmissionReview without uid',
      args: ['-'],
      stdin: JSON.stringify({ ...exampleReview('pod-create-shop.json'), request: { ...exampleReview('pod-create-shop.json').request, uid: undefined } }),
      stderr: 'netpol-guard review: standard input: invalid AdmissionReview: request.uid is missing\n',
    },
    { name: 'unknown option', args: ['--states', EXAMPLE_CLUSTER, reviewFile('pod-create-shop.json')] },
  ];
  for (const testCase of cases) {
    const { code, io } = await runReview(testCase.args, testCase.stdin);
    t.equal(code, 2, `${testCase.name}: exit code`);
    if (testCase.stderr !== undefined) t.equal(io.err(), testCase.stderr, `${testCase.name}: stderr`);
    if (testCase.stdout !== undefined) t.strictSame(JSON.parse(io.out()), testCase.stdout, `${testCase.name}: stdout`);
    if (testCase.stdout === undefined) {
      t.equal(io.out(), '', `${testCase.name}: nothing on stdout`);
      t.match(io.err(), /^netpol-guard review: [^\n]+\n$/, `${testCase.name}: one line on stderr`);
    }
  }
});

t.test('review exits 2 on kind mismatch', async (t) => {
  // The webhook returns allowed false with status code 400, which marks invalid input rather than a policy denial.
  const review = exampleReview('pod-create-shop.json');
  review.request.object!.kind = 'Deployment';
  const { code, io } = await runReview(['-'], JSON.stringify(review));
  t.equal(code, 2);
  t.strictSame(responseOf(JSON.parse(io.out())), {
    uid: review.request.uid,
    allowed: false,
    status: { status: 'Failure', code: 400, reason: 'BadRequest', message: 'request.object.kind "Deployment" disagrees with request.kind.kind "Pod"' },
  });
});

t.test('review --help prints usage', async (t) => {
  const { code, io } = await runReview(['--help']);
  t.equal(code, 0);
  t.match(io.out(), /^Usage: netpol-guard review /);
  t.match(io.out(), /Exit codes: 0 allowed, 1 denied, 2 invalid input or an internal error\./);
});

t.test('review stops on invalid policy in state', async (t) => {
  const dir = t.testdir({
    'policy.yaml': [
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata: {name: broken, namespace: shop}',
      'spec:',
      '  podSelector:',
      '    matchExpressions: [{key: app, operator: Equals, values: [web]}]',
      '',
    ].join('\n'),
  });

  const { code, io } = await runReview(['--state', dir, reviewFile('pod-create-shop.json')]);

  t.equal(code, 2);
  t.equal(io.out(), '');
  t.match(io.err(), /^netpol-guard review: \S+policy\.yaml:1: invalid NetworkPolicy shop\/broken: spec\.podSelector\.matchExpressions\[0\]\.operator: unknown operator "Equals"; use In, NotIn, Exists or DoesNotExist\n$/);
});
