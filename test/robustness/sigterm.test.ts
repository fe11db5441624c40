// SIGTERM under load, against the real CLI in its own process: reviews in
// flight complete with the right decision, new connections are refused, and
// the process exits with code 0.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t from 'tap';
import { createTestPki } from '../helpers/certificates.js';
import { connectRaw, httpsPost, readUntilClosed } from '../helpers/hostile.js';
import { EXAMPLE_CLUSTER, PROJECT_ROOT, responseOf, workloadReview, exampleReview, nextUid } from '../helpers/reviews.js';

const VALIDATE = '/validate?timeout=10s';
const IN_FLIGHT = 5;
const LOAD_WORKERS = 4;

/**
 * Returns the TypeScript loader options tap runs this file with, so the child
 * runs src/cli/bin.ts from source and the test needs no build. Coverage hooks are left out.
 */
function typescriptLoader(): string[] {
  return process.execArgv.filter((argument) => argument.includes('@tapjs/typescript') || argument === '--enable-source-maps');
}

interface LogLine {
  level: number;
  msg: string;
  port?: number;
  [key: string]: unknown;
}

t.test('SIGTERM lets in-flight reviews finish and exits with 0', async (t) => {
  const pki = createTestPki();
  const child = spawn(
    process.execPath,
    [
      ...typescriptLoader(),
      join(PROJECT_ROOT, 'src/cli/bin.ts'),
      'serve',
      '--state',
      EXAMPLE_CLUSTER,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--metrics-port',
      '0',
      '--tls-cert',
      pki.certFile,
      '--tls-key',
      pki.keyFile,
    ],
    { cwd: PROJECT_ROOT, env: { ...process.env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const stderr: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));

  const lines: LogLine[] = [];
  const waiters: Array<{ msg: string; resolve: (line: LogLine) => void }> = [];
  createInterface({ input: child.stdout }).on('line', (text) => {
    const line = JSON.parse(text) as LogLine;
    lines.push(line);
    for (const waiter of waiters.filter((entry) => entry.msg === line.msg)) waiter.resolve(line);
  });
  const logged = (msg: string): Promise<LogLine> => {
    const found = lines.find((line) => line.msg === msg);
    if (found) return Promise.resolve(found);
    return Promise.race([
      new Promise<LogLine>((resolve) => waiters.push({ msg, resolve })),
      exited.then(([code]) => Promise.reject(new Error(`the server exited with ${code} before logging "${msg}": ${stderr.join('')}`))),
    ]);
  };

  const { port } = await logged('netpol-guard webhook listening');
  t.type(port, 'number', 'the listening line names the port');

  // Reviews in flight: headers read (the server's 100 Continue proves it) and half of the body sent.
  const inFlight = await Promise.all(
    Array.from({ length: IN_FLIGHT }, async (_, index) => {
      const review = workloadReview('Deployment', { namespace: 'legacy', name: `slow-${index}`, podLabels: { app: `slow-${index}` } });
      const body = JSON.stringify(review);
      const socket = await connectRaw(port!, pki.caPem);
      const continued = once(socket, 'data');
      socket.write(
        `POST ${VALIDATE} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          'Expect: 100-continue\r\nConnection: close\r\n\r\n',
      );
      const [first] = (await continued) as [Buffer];
      const half = Math.floor(body.length / 2);
      socket.write(body.slice(0, half));
      return { socket, rest: body.slice(half), uid: review.request.uid, interim: first.toString('latin1') };
    }),
  );
  for (const request of inFlight) t.match(request.interim, /^HTTP\/1\.1 100 Continue\r\n/, 'the server has read the headers');

  // Load: workers send allowed reviews back to back until the server refuses them.
  const outcomes: string[] = [];
  let stopLoad = false;
  const load = Array.from({ length: LOAD_WORKERS }, async () => {
    while (!stopLoad) {
      const review = exampleReview('pod-create-shop.json');
      review.request.uid = nextUid();
      try {
        const reply = await httpsPost(port!, VALIDATE, JSON.stringify(review), { ca: pki.caPem });
        if (reply.statusCode === 200) {
          const response = responseOf(JSON.parse(reply.body));
          outcomes.push(response.uid === review.request.uid && response.allowed === true ? 'answered' : `wrong answer: ${reply.body.slice(0, 200)}`);
        } else {
          outcomes.push(`status ${reply.statusCode}`);
        }
      } catch (error) {
        const code = (error as { code?: string }).code ?? (error as Error).message;
        outcomes.push(code);
        if (code === 'ECONNREFUSED') return;
      }
    }
  });
  // The signal waits until the load has had ten reviews decided.
  while (outcomes.filter((outcome) => outcome === 'answered').length < 10) await new Promise((resolve) => setTimeout(resolve, 20));

  child.kill('SIGTERM');
  await logged('shutting down: finishing in-flight reviews');
  await Promise.all(load);
  stopLoad = true;
  await t.rejects(httpsPost(port!, VALIDATE, '{}', { ca: pki.caPem }), { code: 'ECONNREFUSED' }, 'new connections are refused');

  for (const request of inFlight) {
    const received = readUntilClosed(request.socket);
    request.socket.write(request.rest);
    const text = await received;
    t.match(text, /^HTTP\/1\.1 200 OK\r\n/, `in-flight review ${request.uid}: status`);
    const response = responseOf(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)));
    t.equal(response.uid, request.uid, 'in-flight review: uid');
    t.equal(response.allowed, false, 'in-flight review: decided');
    t.equal(response.status?.code, 403, 'in-flight review: denied by default-deny');
  }

  const [code, signal] = await exited;
  t.equal(code, 0, 'exit code');
  t.equal(signal, null, 'not killed by the signal');
  t.ok(lines.some((line) => line.msg === 'shutdown complete'), 'shutdown completed');
  t.strictSame(stderr, [], 'nothing on stderr');

  const tally: Record<string, number> = {};
  for (const outcome of outcomes) tally[outcome] = (tally[outcome] ?? 0) + 1;
  t.comment(`load outcomes: ${JSON.stringify(tally)}`);
  const wrong = outcomes.filter((outcome) => outcome !== 'answered' && outcome !== 'ECONNREFUSED' && outcome !== 'ECONNRESET' && outcome !== 'status 503');
  t.strictSame(wrong, [], 'load requests were answered correctly, refused, or cut before a request began');
  t.ok(outcomes.filter((outcome) => outcome === 'answered').length >= 10, 'the load was answered before the signal');
});
