// Hostile request bodies sent over real HTTPS to a webhook started with
// startServer. Each must get the right HTTP status and a one-line reason (or
// the right decision), the server must decide the next valid review
// correctly, and the heap must return to its level once the garbage is collected.
import t, { type Test } from 'tap';
import type { RunningServer } from '../../src/server/start.js';
import type { StateStore } from '../../src/state/store.js';
import { quoteValue } from '../../src/engine/quote.js';
import {
  connectRaw,
  httpsPost,
  INVALID_LABEL_VALUES,
  jsonOf,
  nestedArrayJson,
  nestedObjectJson,
  readUntilClosed,
  settledHeapUsed,
  startHostileServer,
  type HttpsReply,
} from '../helpers/hostile.js';
import {
  exampleReview,
  loadExampleState,
  namespaceReview,
  networkPolicyReview,
  nextUid,
  responseOf,
  workloadReview,
  type AdmissionReviewBody,
} from '../helpers/reviews.js';

const MIB = 1024 * 1024;
const VALIDATE = '/validate?timeout=10s';
const MUTATE = '/mutate?timeout=10s';

/** Heap growth allowed after a round of hostile requests: 10% of the settled heap, at least 2 MiB for allocator noise. */
function heapTolerance(before: number): number {
  return Math.max(before * 0.1, 2 * MIB);
}

/** Returns a Deployment in `legacy`, which has no NetworkPolicy, so the webhook denies it. */
function deniedProbe(): AdmissionReviewBody {
  return workloadReview('Deployment', { namespace: 'legacy', name: 'invoice-export', podLabels: { app: 'invoice-export' } });
}

/** Returns a Pod in `shop`, which has its baseline and allows DNS, so the webhook allows it. */
function allowedProbe(): AdmissionReviewBody {
  const review = exampleReview('pod-create-shop.json');
  review.request.uid = nextUid();
  return review;
}

/** Sends one denied and one allowed review and checks both decisions, so a hostile request left nothing behind. */
async function assertStillAnswers(t: Test, server: RunningServer, after: string): Promise<void> {
  const denied = deniedProbe();
  const deniedReply = await httpsPost(server.port, VALIDATE, JSON.stringify(denied));
  t.equal(deniedReply.statusCode, 200, `valid review after ${after}: status`);
  const deniedResponse = responseOf(JSON.parse(deniedReply.body));
  t.equal(deniedResponse.uid, denied.request.uid, `valid review after ${after}: uid`);
  t.equal(deniedResponse.allowed, false, `valid review after ${after}: denied`);
  t.equal(deniedResponse.status?.code, 403, `valid review after ${after}: code`);

  const allowed = allowedProbe();
  const allowedReply = await httpsPost(server.port, VALIDATE, JSON.stringify(allowed));
  t.equal(allowedReply.statusCode, 200, `allowed review after ${after}: status`);
  t.strictSame(
    responseOf(JSON.parse(allowedReply.body)),
    { uid: allowed.request.uid, allowed: true, auditAnnotations: { mode: 'enforce', exemption: 'none', decision: 'allowed' } },
    `allowed review after ${after}: response`,
  );
}

/** Checks an HTTP error response: the status, the exact one-line body, and no stack. */
function assertHttpError(t: Test, reply: HttpsReply, statusCode: number, message: string | RegExp): void {
  t.equal(reply.statusCode, statusCode, 'status');
  t.match(reply.headers['content-type'], /^application\/json/, 'content type');
  const body = jsonOf(reply) as { code: number; message: string };
  t.equal(body.code, statusCode, 'code');
  if (typeof message === 'string') t.equal(body.message, message, 'message');
  else t.match(body.message, message, 'message');
  t.notMatch(reply.body, /\n|\bat [\w.<>]+ \(|node_modules/, 'one line without a stack');
}

/** Returns the JSON text of `review` with `"__hostile__"` keys renamed to `key`; JSON.stringify cannot write `__proto__` itself. */
function withKey(review: unknown, key: string): string {
  return JSON.stringify(review).replaceAll('"__hostile__"', JSON.stringify(key));
}

/** Places a `__hostile__` key holding `value` at one level of a Pod review. */
const LEVELS: ReadonlyArray<{ name: string; place: (review: AdmissionReviewBody, value: unknown) => void }> = [
  { name: 'the review', place: (review, value) => Object.assign(review, { __hostile__: value }) },
  { name: 'request', place: (review, value) => Object.assign(review.request, { __hostile__: value }) },
  { name: 'request.userInfo', place: (review, value) => Object.assign(review.request.userInfo, { __hostile__: value }) },
  { name: 'request.object', place: (review, value) => Object.assign(review.request.object!, { __hostile__: value }) },
  { name: 'request.object.metadata', place: (review, value) => Object.assign(review.request.object!.metadata as object, { __hostile__: value }) },
  {
    name: 'request.object.metadata.labels',
    place: (review, value) => Object.assign((review.request.object!.metadata as { labels: object }).labels, { __hostile__: value }),
  },
  {
    name: 'request.object.spec.containers[0]',
    place: (review, value) => Object.assign((review.request.object!.spec as { containers: object[] }).containers[0]!, { __hostile__: value }),
  },
];

interface BodyCase {
  name: string;
  payload: () => string | Buffer;
  contentType?: string;
  statusCode: number;
  message: string | RegExp;
}

const AN_AD = 'admission.k8s.io/v1';

const HTTP_ERROR_CASES: BodyCase[] = [
  { name: 'empty body', payload: () => '', statusCode: 400, message: 'request body is empty; send an AdmissionReview' },
  { name: 'truncated JSON', payload: () => JSON.stringify(deniedProbe()).slice(0, 200), statusCode: 400, message: 'request body is not valid JSON' },
  { name: 'invalid JSON', payload: () => '{"apiVersion": admission.k8s.io/v1}', statusCode: 400, message: 'request body is not valid JSON' },
  { name: 'trailing garbage', payload: () => `${JSON.stringify(deniedProbe())}}`, statusCode: 400, message: 'request body is not valid JSON' },
  {
    name: 'invalid UTF-8',
    payload: () => Buffer.from('{"apiVersion":"\xff\xfe","kind":"AdmissionReview","request":{}}', 'latin1'),
    statusCode: 400,
    message: 'invalid AdmissionReview: apiVersion must be one of admission.k8s.io/v1, admission.k8s.io/v1beta1',
  },
  {
    name: 'JSON array',
    payload: () => '[]',
    statusCode: 400,
    message: 'invalid AdmissionReview: body must be a JSON object of kind AdmissionReview',
  },
  {
    name: 'JSON string',
    payload: () => '"AdmissionReview"',
    statusCode: 400,
    message: 'invalid AdmissionReview: body must be a JSON object of kind AdmissionReview',
  },
  { name: 'JSON null', payload: () => 'null', statusCode: 400, message: 'invalid AdmissionReview: body must be a JSON object of kind AdmissionReview' },
  { name: 'JSON number', payload: () => '1e999', statusCode: 400, message: 'invalid AdmissionReview: body must be a JSON object of kind AdmissionReview' },
  {
    name: 'unknown API version',
    payload: () => JSON.stringify({ ...deniedProbe(), apiVersion: 'admission.k8s.io/v2' }),
    statusCode: 400,
    message: 'invalid AdmissionReview: apiVersion must be one of admission.k8s.io/v1, admission.k8s.io/v1beta1',
  },
  {
    name: 'another kind than AdmissionReview',
    payload: () => JSON.stringify({ ...deniedProbe(), kind: 'TokenReview' }),
    statusCode: 400,
    message: 'invalid AdmissionReview: body is a TokenReview, not an AdmissionReview; send the object inside an AdmissionReview request, as the files in examples/reviews/ show',
  },
  {
    name: 'request of the wrong type',
    payload: () => JSON.stringify({ apiVersion: AN_AD, kind: 'AdmissionReview', request: [] }),
    statusCode: 400,
    message: 'invalid AdmissionReview: request must be of type object',
  },
  {
    name: 'unknown operation',
    payload: () => {
      const review = deniedProbe();
      review.request.operation = 'PATCH';
      return JSON.stringify(review);
    },
    statusCode: 400,
    message: 'invalid AdmissionReview: request.operation must be one of CREATE, UPDATE, DELETE, CONNECT',
  },
  {
    name: 'text content type',
    contentType: 'text/plain',
    payload: () => JSON.stringify(deniedProbe()),
    statusCode: 415,
    message: 'unsupported content type; send the AdmissionReview as Content-Type: application/json',
  },
  {
    name: 'objects nested 10,000 levels deep',
    payload: () => nestedObjectJson(10_000),
    statusCode: 400,
    message: 'invalid AdmissionReview: apiVersion is missing',
  },
  {
    name: 'arrays nested 10,000 levels deep',
    payload: () => nestedArrayJson(10_000),
    statusCode: 400,
    message: 'invalid AdmissionReview: body must be a JSON object of kind AdmissionReview',
  },
  ...LEVELS.map((level) => ({
    name: `__proto__ key in ${level.name}`,
    payload: () => {
      const review = allowedProbe();
      level.place(review, { allowed: true, polluted: 'yes' });
      return withKey(review, '__proto__');
    },
    statusCode: 400,
    // NOTE: the reason does not name the forbidden key; fastify 5 reports every parser rejection as invalid JSON.
    message: 'request body is not valid JSON',
  })),
  ...LEVELS.map((level) => ({
    name: `constructor.prototype key in ${level.name}`,
    payload: () => {
      const review = allowedProbe();
      level.place(review, { prototype: { allowed: true, polluted: 'yes' } });
      return withKey(review, 'constructor');
    },
    statusCode: 400,
    message: 'request body is not valid JSON',
  })),
];

async function startExampleServer(t: Test, configure?: (state: StateStore) => void, requestTimeoutMs?: number): Promise<RunningServer> {
  const store = await loadExampleState();
  configure?.(store);
  return startHostileServer(t, {
    state: { store },
    ...(requestTimeoutMs === undefined ? {} : { configure: (config) => void (config.server.requestTimeoutMs = requestTimeoutMs) }),
  });
}

t.test('hostile bodies get an HTTP error with a one-line reason', async (t) => {
  const server = await startExampleServer(t);
  for (const entry of HTTP_ERROR_CASES) {
    await t.test(entry.name, async (t) => {
      const reply = await httpsPost(server.port, VALIDATE, entry.payload(), {
        headers: entry.contentType === undefined ? {} : { 'content-type': entry.contentType },
      });
      assertHttpError(t, reply, entry.statusCode, entry.message);
      await assertStillAnswers(t, server, entry.name);
    });
  }
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is not polluted');
  t.equal(({} as Record<string, unknown>).allowed, undefined, 'Object.prototype has no allowed key');
});

t.test('hostile bodies leave the heap at its level', async (t) => {
  const server = await startExampleServer(t);
  const round = async (): Promise<void> => {
    for (const entry of HTTP_ERROR_CASES) {
      await httpsPost(server.port, VALIDATE, entry.payload(), { headers: entry.contentType === undefined ? {} : { 'content-type': entry.contentType } });
    }
    await streamOversizedBody(server.port);
  };
  // The first round warms up compiled code, TLS session state and lazy caches.
  await round();
  const before = await settledHeapUsed();
  await round();
  await round();
  const after = await settledHeapUsed();
  t.ok(after - before <= heapTolerance(before), `heap grew by ${after - before} bytes from ${before}; tolerance ${heapTolerance(before)}`);
  await assertStillAnswers(t, server, 'two rounds of hostile bodies');
});

/**
 * Streams a chunked body of up to 100 MiB of whitespace and returns what the
 * server sent and how much the client wrote before the server closed the connection.
 */
async function streamOversizedBody(port: number): Promise<{ received: string; written: number }> {
  const socket = await connectRaw(port);
  socket.write(`POST ${VALIDATE} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
  let closed = false;
  const received = readUntilClosed(socket).then((text) => {
    closed = true;
    return text;
  });
  const chunk = Buffer.alloc(256 * 1024, 0x20);
  const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
  let written = 0;
  while (!closed && written < 100 * MIB) {
    const flushed = socket.write(frame);
    written += chunk.length;
    if (!flushed) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), received]);
  }
  if (!closed) socket.end('0\r\n\r\n');
  return { received: await received, written };
}

t.test('100 MiB body is rejected with 413', async (t) => {
  const server = await startExampleServer(t);

  await t.test('declared in Content-Length', async (t) => {
    const socket = await connectRaw(server.port);
    socket.write(`POST ${VALIDATE} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${100 * MIB}\r\n\r\n{`);
    const received = await readUntilClosed(socket);
    t.match(received, /^HTTP\/1\.1 413 Payload Too Large\r\n/);
    t.match(received, /\r\nconnection: close\r\n/i);
    t.match(received, /\r\n\r\n\{"code":413,"message":"request body is larger than the limit of 8388608 bytes \(server\.bodyLimit\)"\}$/);
  });

  await t.test('streamed without a length', async (t) => {
    const { received, written } = await streamOversizedBody(server.port);
    t.match(received, /^HTTP\/1\.1 413 Payload Too Large\r\n/);
    t.match(received, /\r\nconnection: close\r\n/i);
    t.match(received, /\r\n\r\n\{"code":413,"message":"request body is larger than the limit of 8388608 bytes \(server\.bodyLimit\)"\}$/);
    // The limit is 8 MiB; what the client wrote past it sat in socket buffers when the server closed.
    t.ok(written < 16 * MIB, `server stopped reading after ${written} bytes of 100 MiB`);
  });

  await assertStillAnswers(t, server, 'a 100 MiB body');
});

t.test('body slower than the request timeout is cut off with 408', async (t) => {
  const server = await startExampleServer(t, undefined, 500);
  const socket = await connectRaw(server.port);
  // 30 bytes at one every 100 ms take 3 s, six times the 500 ms request timeout.
  const body = `{${' '.repeat(28)}}`;
  socket.write(`POST ${VALIDATE} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
  let sent = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || sent === body.length) return;
    socket.write(body[sent++]!);
    // Half-closing after the last byte makes the server close too, instead of keeping the connection alive.
    if (sent === body.length) socket.end();
  }, 100);
  const received = await readUntilClosed(socket);
  clearInterval(timer);
  t.match(received, /^HTTP\/1\.1 408 Request Timeout\r\n/, 'the server answers 408 before the body is complete');
  t.ok(sent < body.length, `the server closed the connection after ${sent} of ${body.length} body bytes`);
  await assertStillAnswers(t, server, 'a slow body');
});

t.test('request whose object disagrees with it gets a 400 decision', async (t) => {
  const server = await startExampleServer(t);
  const cases: Array<{ name: string; review: () => AdmissionReviewBody; message: string }> = [
    {
      name: 'object kind disagrees with request.kind',
      review: () => {
        const review = deniedProbe();
        review.request.object!.kind = 'Pod';
        return review;
      },
      message: 'request.object.kind "Pod" disagrees with request.kind.kind "Deployment"',
    },
    {
      name: 'oldObject kind disagrees with request.kind',
      review: () => {
        const review = workloadReview('Deployment', { namespace: 'legacy', name: 'invoice-export', podLabels: { app: 'invoice-export' }, operation: 'UPDATE' });
        review.request.oldObject!.kind = 'Secret';
        return review;
      },
      message: 'request.oldObject.kind "Secret" disagrees with request.kind.kind "Deployment"',
    },
    {
      name: 'UPDATE without oldObject',
      review: () => {
        const review = workloadReview('Deployment', { namespace: 'shop', name: 'frontend', podLabels: { app: 'frontend' }, operation: 'UPDATE' });
        review.request.oldObject = null;
        return review;
      },
      message: 'request.oldObject is missing; UPDATE requests carry the stored object',
    },
    {
      name: 'CREATE without object',
      review: () => {
        const review = allowedProbe();
        review.request.object = null;
        return review;
      },
      message: 'request.object is missing; CREATE requests carry the object',
    },
    {
      name: 'metadata that is not an object',
      review: () => {
        const review = allowedProbe();
        review.request.object!.metadata = 'shop' as never;
        return review;
      },
      message: 'request.object.metadata must be an object',
    },
  ];
  for (const entry of cases) {
    const review = entry.review();
    const reply = await httpsPost(server.port, VALIDATE, JSON.stringify(review));
    t.equal(reply.statusCode, 200, `${entry.name}: status`);
    t.strictSame(
      responseOf(JSON.parse(reply.body)),
      { uid: review.request.uid, allowed: false, status: { status: 'Failure', code: 400, reason: 'BadRequest', message: entry.message } },
      `${entry.name}: response`,
    );
  }
  await assertStillAnswers(t, server, 'requests whose object disagrees');
});

t.test('DELETE with a null object is decided on the old object', async (t) => {
  const server = await startExampleServer(t);

  const policyDelete = networkPolicyReview({
    namespace: 'shop',
    name: 'default-deny-all',
    operation: 'DELETE',
    oldSpec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  });
  t.equal(policyDelete.request.object, null);
  const policyReply = await httpsPost(server.port, VALIDATE, JSON.stringify(policyDelete));
  t.equal(policyReply.statusCode, 200);
  const policyResponse = responseOf(JSON.parse(policyReply.body));
  t.equal(policyResponse.allowed, false, 'deleting the default-deny policy is denied');
  t.equal(policyResponse.status?.code, 403);
  t.match(policyResponse.status?.message, /^default-deny: deleting NetworkPolicy shop\/default-deny-all would leave namespace "shop" without default-deny/);

  const podDelete = workloadReview('Pod', { namespace: 'legacy', name: 'web-0', podLabels: { app: 'web' }, operation: 'DELETE' });
  const podReply = await httpsPost(server.port, VALIDATE, JSON.stringify(podDelete));
  t.equal(podReply.statusCode, 200);
  t.equal(responseOf(JSON.parse(podReply.body)).allowed, true, 'deleting a Pod is allowed even in a namespace without policies');

  const bothNull = networkPolicyReview({ namespace: 'shop', name: 'default-deny-all', operation: 'DELETE' });
  bothNull.request.oldObject = null;
  const bothNullReply = await httpsPost(server.port, VALIDATE, JSON.stringify(bothNull));
  t.equal(bothNullReply.statusCode, 200, 'DELETE without object and oldObject: status');
  const bothNullResponse = responseOf(JSON.parse(bothNullReply.body));
  t.equal(bothNullResponse.allowed, false, 'DELETE of the default-deny policy without oldObject is still denied');
  await assertStillAnswers(t, server, 'DELETE requests');
});

t.test('thousands of labels are decided like a few', async (t) => {
  const server = await startExampleServer(t);
  const manyLabels = (base: Record<string, string>): Record<string, string> => {
    const labels: Record<string, string> = { ...base };
    for (let index = 0; index < 5000; index++) labels[`example.com/label-${index}`] = `value-${index}`;
    return labels;
  };

  const pod = allowedProbe();
  const metadata = pod.request.object!.metadata as { labels: Record<string, string>; annotations?: Record<string, string> };
  metadata.labels = manyLabels(metadata.labels);
  metadata.annotations = Object.fromEntries(Object.entries(manyLabels({})).map(([key, value]) => [`${key}-note`, value]));
  const podReply = await httpsPost(server.port, VALIDATE, JSON.stringify(pod));
  t.equal(podReply.statusCode, 200);
  t.strictSame(responseOf(JSON.parse(podReply.body)), {
    uid: pod.request.uid,
    allowed: true,
    auditAnnotations: { mode: 'enforce', exemption: 'none', decision: 'allowed' },
  });

  const deployment = workloadReview('Deployment', { namespace: 'legacy', name: 'wide', podLabels: manyLabels({ app: 'wide' }) });
  const deploymentReply = await httpsPost(server.port, VALIDATE, JSON.stringify(deployment));
  const deploymentResponse = responseOf(JSON.parse(deploymentReply.body));
  t.equal(deploymentResponse.allowed, false);
  t.equal(deploymentResponse.status?.code, 403);

  const policy = networkPolicyReview({
    namespace: 'shop',
    name: 'wide-selector',
    operation: 'CREATE',
    spec: { podSelector: { matchLabels: manyLabels({ app: 'frontend' }) }, policyTypes: ['Ingress'], ingress: [{}] },
  });
  const policyReply = await httpsPost(server.port, VALIDATE, JSON.stringify(policy));
  t.equal(policyReply.statusCode, 200);
  t.equal(responseOf(JSON.parse(policyReply.body)).allowed, true, 'an ingress-only policy with 5,001 matchLabels is allowed');

  const namespace = namespaceReview('wide', { name: 'wide', labels: manyLabels({}) });
  const mutateReply = await httpsPost(server.port, MUTATE, JSON.stringify(namespace));
  t.equal(responseOf(JSON.parse(mutateReply.body)).patchType, 'JSONPatch', 'a namespace with 5,000 labels still gets its baseline label');
  await assertStillAnswers(t, server, 'thousands of labels');
});

t.test('invalid label values are answered without a crash', async (t) => {
  const server = await startExampleServer(t);
  for (const { name, value } of INVALID_LABEL_VALUES) {
    const policy = networkPolicyReview({
      namespace: 'shop',
      name: 'bad-labels',
      operation: 'CREATE',
      spec: { podSelector: { matchLabels: { app: value } }, policyTypes: ['Ingress'] },
    });
    const policyReply = await httpsPost(server.port, VALIDATE, JSON.stringify(policy));
    t.equal(policyReply.statusCode, 200, `policy with a ${name} label value: status`);
    const policyResponse = responseOf(JSON.parse(policyReply.body));
    t.equal(policyResponse.allowed, false, `policy with a ${name} label value: rejected`);
    t.equal(policyResponse.status?.code, 400, `policy with a ${name} label value: code`);
    t.equal(
      policyResponse.status?.message.startsWith(`invalid NetworkPolicy shop/bad-labels: spec.podSelector.matchLabels["app"]: label value ${quoteValue(value)} is invalid`),
      true,
      `policy with a ${name} label value: message ${policyResponse.status?.message}`,
    );

    // Pod labels that are not strings are dropped, so the pod is judged on the others.
    const pod = allowedProbe();
    (pod.request.object!.metadata as { labels: Record<string, unknown> }).labels['example.com/bad'] = value;
    const podReply = await httpsPost(server.port, VALIDATE, JSON.stringify(pod));
    t.equal(podReply.statusCode, 200, `pod with a ${name} label value: status`);
    t.equal(responseOf(JSON.parse(podReply.body)).allowed, true, `pod with a ${name} label value: decided on its valid labels`);

    const namespace = namespaceReview('odd', { name: 'odd', labels: { team: value } });
    const mutateReply = await httpsPost(server.port, MUTATE, JSON.stringify(namespace));
    t.equal(mutateReply.statusCode, 200, `namespace with a ${name} label value: status`);
    t.equal(responseOf(JSON.parse(mutateReply.body)).patchType, 'JSONPatch', `namespace with a ${name} label value: patched`);
  }
  await assertStillAnswers(t, server, 'invalid label values');
});

t.test('objects nested 10,000 levels deep inside a review', async (t) => {
  const server = await startExampleServer(t);
  // JSON.stringify itself overflows the stack on such an object, so the nesting is spliced into the text.
  const DEEP = '__deep__';
  const deep = (): never => DEEP as never;
  const cases: Array<{ name: string; review: () => AdmissionReviewBody; expected: 'allowed' | 'bad-request'; todo?: string }> = [
    {
      name: 'as a Pod label value',
      review: () => {
        const review = allowedProbe();
        (review.request.object!.metadata as { labels: Record<string, unknown> }).labels.deep = deep();
        return review;
      },
      expected: 'allowed',
    },
    {
      name: 'as the Pod spec',
      review: () => {
        const review = allowedProbe();
        review.request.object!.spec = deep();
        return review;
      },
      expected: 'allowed',
    },
    {
      name: 'as request.object.kind',
      review: () => {
        const review = allowedProbe();
        review.request.object!.kind = deep();
        return review;
      },
      expected: 'bad-request',
    },
    {
      name: 'as a NetworkPolicy matchLabels value',
      review: () =>
        networkPolicyReview({ namespace: 'shop', name: 'deep', operation: 'CREATE', spec: { podSelector: { matchLabels: { app: deep() } }, policyTypes: ['Ingress'] } }),
      expected: 'bad-request',
    },
  ];
  for (const entry of cases) {
    const review = entry.review();
    const reply = await httpsPost(server.port, VALIDATE, JSON.stringify(review).replace(JSON.stringify(DEEP), nestedObjectJson(10_000)));
    if (entry.expected === 'bad-request') t.notMatch(reply.body, /"allowed":true/, `${entry.name}: never allowed`);
    t.equal(reply.statusCode, 200, `${entry.name}: status`, entry.todo === undefined ? {} : { todo: entry.todo });
    if (reply.statusCode === 500) {
      t.strictSame(
        jsonOf(reply),
        { code: 500, message: `internal error while reviewing request ${review.request.uid}; see the webhook log` },
        `${entry.name}: the 500 names the uid`,
      );
      continue;
    }
    const response = responseOf(JSON.parse(reply.body));
    t.equal(response.uid, review.request.uid, `${entry.name}: uid`);
    t.equal(response.allowed, entry.expected === 'allowed', `${entry.name}: decision`);
    if (entry.expected === 'bad-request') t.equal(response.status?.code, 400, `${entry.name}: code`);
  }
  await assertStillAnswers(t, server, 'deeply nested fields');
});
