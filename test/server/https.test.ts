// End-to-end over real HTTPS on 127.0.0.1: the client verifies the serving
// certificate against the test CA for the Service name, as the API server does.
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { defaultConfig } from '../../src/config/defaults.js';
import { startServer, type RunningServer, type StateProvider } from '../../src/server/start.js';
import { createTestPki } from '../helpers/certificates.js';
import { loadExampleState, namespaceReview, responseOf, workloadReview, type AdmissionReviewBody } from '../helpers/reviews.js';

const SERVICE_NAME = 'netpol-guard.netpol-guard.svc';

interface HttpReply {
  statusCode: number;
  contentType: string | undefined;
  body: string;
}

async function startTestServer(t: Test, provider: Omit<StateProvider, 'health'> & { health?: StateProvider['health'] }): Promise<RunningServer> {
  const pki = createTestPki();
  const config = defaultConfig();
  config.server.port = 0;
  config.server.metricsPort = 0;
  config.server.host = '127.0.0.1';
  const server = await startServer({
    config,
    logger: pino({ level: 'silent' }),
    state: { health: () => ({ ready: true }), ...provider },
    tls: { certFile: pki.certFile, keyFile: pki.keyFile },
  });
  t.teardown(() => server.close());
  return server;
}

/** Sends one request over HTTPS to 127.0.0.1, checking the certificate for the Service name against the test CA. */
async function httpsRequest(port: number, method: string, path: string, body?: unknown): Promise<HttpReply> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const request = https.request({
    host: '127.0.0.1',
    port,
    method,
    path,
    ca: createTestPki().caPem,
    servername: SERVICE_NAME,
    agent: false,
    headers: payload === undefined ? {} : { 'content-type': 'application/json', accept: 'application/json, */*', 'content-length': Buffer.byteLength(payload) },
  });
  request.end(payload);
  return readReply(request);
}

async function httpGet(port: number, path: string): Promise<HttpReply> {
  const request = http.request({ host: '127.0.0.1', port, method: 'GET', path, agent: false });
  request.end();
  return readReply(request);
}

async function readReply(request: http.ClientRequest): Promise<HttpReply> {
  const [response] = (await once(request, 'response')) as [http.IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return { statusCode: response.statusCode ?? 0, contentType: response.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') };
}

t.test('server reviews over verified HTTPS', async (t) => {
  const server = await startTestServer(t, { store: await loadExampleState() });
  const review = workloadReview('Deployment', { namespace: 'legacy', name: 'invoice-export', podLabels: { app: 'invoice-export' } });

  const reply = await httpsRequest(server.port, 'POST', '/validate?timeout=10s', review);
  t.equal(reply.statusCode, 200);
  t.match(reply.contentType, /^application\/json/);
  const body = JSON.parse(reply.body) as { apiVersion: string; kind: string };
  t.equal(body.apiVersion, 'admission.k8s.io/v1');
  t.equal(body.kind, 'AdmissionReview');
  const response = responseOf(body);
  t.equal(response.uid, review.request.uid);
  t.equal(response.allowed, false);
  t.equal(response.status?.code, 403);
  t.match(response.status?.message, /^default-deny: namespace "legacy" has no default-deny NetworkPolicy for Ingress and Egress/);

  const mutate = namespaceReview('team-a', { name: 'team-a' });
  const patched = responseOf(JSON.parse((await httpsRequest(server.port, 'POST', '/mutate?timeout=10s', mutate)).body));
  t.equal(patched.patchType, 'JSONPatch');
});

t.test('health endpoints over HTTPS', async (t) => {
  const server = await startTestServer(t, { store: await loadExampleState() });
  const healthz = await httpsRequest(server.port, 'GET', '/healthz');
  t.equal(healthz.statusCode, 200);
  t.strictSame(JSON.parse(healthz.body), { status: 'ok' });
  const readyz = await httpsRequest(server.port, 'GET', '/readyz');
  t.equal(readyz.statusCode, 200);
  t.strictSame(JSON.parse(readyz.body), { status: 'ready' });
});

t.test('readyz reports unready state', async (t) => {
  const server = await startTestServer(t, { store: await loadExampleState(), health: () => ({ ready: false, reason: 'informers not synced' }) });
  const readyz = await httpsRequest(server.port, 'GET', '/readyz');
  t.equal(readyz.statusCode, 503);
  t.strictSame(JSON.parse(readyz.body), { status: 'not ready', reason: 'informers not synced' });
});

t.test('metrics listener counts reviews', async (t) => {
  const server = await startTestServer(t, { store: await loadExampleState() });
  t.type(server.metricsPort, 'number');
  const review = workloadReview('Deployment', { namespace: 'legacy', name: 'invoice-export', podLabels: { app: 'invoice-export' } });
  await httpsRequest(server.port, 'POST', '/validate?timeout=10s', review);

  const metrics = await httpGet(server.metricsPort!, '/metrics');
  t.equal(metrics.statusCode, 200);
  t.match(metrics.contentType, /^text\/plain/);
  t.match(metrics.body, /^# TYPE netpol_guard_reviews_total counter$/m);
  t.match(
    metrics.body,
    /^netpol_guard_reviews_total\{endpoint="validate",operation="CREATE",kind="Deployment",decision="denied",mode="enforce"\} 1$/m,
  );
  t.match(metrics.body, /^netpol_guard_violations_total\{rule="default-deny",mode="enforce"\} 1$/m);
  t.match(metrics.body, /^netpol_guard_state_synced 1$/m);
});

t.test('close lets a review in flight complete', async (t) => {
  const state = await loadExampleState();
  // A namespace whose baseline is enabled but not yet applied: a Pod CREATE there waits for ensure().
  state.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fresh', labels: { 'netpol-guard.io/baseline': 'enabled' } } });
  let release: (applied: boolean) => void = () => {};
  let markWaiting: () => void = () => {};
  const waiting = new Promise<void>((resolve) => (markWaiting = resolve));
  const baseline = {
    ensure: () =>
      new Promise<boolean>((resolve) => {
        release = resolve;
        markWaiting();
      }),
  };
  const server = await startTestServer(t, { store: state, baseline });

  const review: AdmissionReviewBody = workloadReview('Pod', { namespace: 'fresh', name: 'web-0', podLabels: { app: 'web' } });
  const inFlight = httpsRequest(server.port, 'POST', '/validate?timeout=10s', review);
  await waiting;

  const closed = server.close();
  release(true);
  const reply = await inFlight;
  await closed;

  t.equal(reply.statusCode, 200);
  t.strictSame(responseOf(JSON.parse(reply.body)), {
    uid: review.request.uid,
    allowed: true,
    auditAnnotations: { mode: 'enforce', exemption: 'none', decision: 'allowed' },
  });
  await t.rejects(httpsRequest(server.port, 'GET', '/healthz'), { code: 'ECONNREFUSED' }, 'no new connections after close');
});
