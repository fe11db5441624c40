// Faults outside the request: a cluster state that is not synced or stale,
// an API server that goes away and comes back, and serving certificate files
// replaced by invalid ones. Reviews must fail closed with a clear 500 while
// the state cannot be trusted, recover without a restart, and TLS must keep
// serving the last valid certificate.
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import t from 'tap';
import { connectTls, createTestPki } from '../helpers/certificates.js';
import { httpsGet, httpsPost, jsonOf, SERVICE_NAME, startHostileServer } from '../helpers/hostile.js';
import { exampleReview, loadExampleState, namespaceReview, nextUid, responseOf, workloadReview } from '../helpers/reviews.js';
import { memoryLogger, namespace, networkPolicy, startHarness, waitFor, waitForReady, waitForWatches } from '../cluster/cluster-harness.js';

const VALIDATE = '/validate?timeout=10s';

function allowedPod() {
  const review = exampleReview('pod-create-shop.json');
  review.request.uid = nextUid();
  return review;
}

t.test('unready or stale state fails reviews closed', async (t) => {
  const reasons = [
    'the cluster state is not synced yet: waiting for the first list of pods',
    'the cluster state is 400 s old, over the limit of 300 s (state.maxAgeSeconds): the watch of networkpolicies is down',
  ];
  for (const reason of reasons) {
    await t.test(reason.slice(0, 40), async (t) => {
      const server = await startHostileServer(t, { state: { store: await loadExampleState(), health: () => ({ ready: false, reason }) } });
      const review = allowedPod();
      const reply = await httpsPost(server.port, VALIDATE, JSON.stringify(review));
      t.equal(reply.statusCode, 500);
      t.strictSame(jsonOf(reply), { code: 500, message: `netpol-guard cannot decide: ${reason}; the webhook's failurePolicy applies` });

      const readyz = await httpsGet(server.port, '/readyz');
      t.equal(readyz.statusCode, 503);
      t.strictSame(jsonOf(readyz), { status: 'not ready', reason });
      const healthz = await httpsGet(server.port, '/healthz');
      t.equal(healthz.statusCode, 200, 'liveness stays up, so the kubelet does not restart a replica that waits for the API server');

      // Labelling a new namespace reads no state, so the mutating webhook keeps working.
      const mutate = await httpsPost(server.port, '/mutate?timeout=10s', JSON.stringify(namespaceReview('team-a', { name: 'team-a' })));
      t.equal(mutate.statusCode, 200);
      t.equal(responseOf(JSON.parse(mutate.body)).patchType, 'JSONPatch');
    });
  }
});

t.test('API server outage: reviews fail closed, then the state resyncs without a restart', async (t) => {
  const harness = await startHarness(t, {
    server: { objects: [namespace('shop'), networkPolicy('shop', 'default-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })] },
    // Any watch that is down makes the state stale at once.
    config: (config) => void (config.state.maxAgeSeconds = 0),
  });
  const state = await harness.start();
  await waitForReady(state);
  await waitForWatches(state);
  const server = await startHostileServer(t, { state: { store: state.store, health: () => state.health() } });

  const deployment = () => workloadReview('Deployment', { namespace: 'shop', name: 'web', podLabels: { app: 'web' } });
  const before = responseOf(JSON.parse((await httpsPost(server.port, VALIDATE, JSON.stringify(deployment()))).body));
  t.equal(before.allowed, false, 'before the outage: decided on the state');
  t.match(before.status?.message, /^dns-egress: /, 'before the outage: denied for DNS, not for default-deny');

  await harness.server.stop();
  await waitFor(state, 'a watch to notice the outage', () => !state.health().ready);
  const during = await httpsPost(server.port, VALIDATE, JSON.stringify(deployment()));
  t.equal(during.statusCode, 500, 'during the outage: status');
  t.match((jsonOf(during) as { message: string }).message, /^netpol-guard cannot decide: the cluster state is \d+ s old, over the limit of 0 s/);
  t.equal((await httpsGet(server.port, '/readyz')).statusCode, 503, 'during the outage: not ready');

  // A change made while the webhook could not see the API server.
  harness.server.put(
    networkPolicy('shop', 'allow-dns-egress', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    }),
  );
  await harness.server.listen();
  await waitFor(state, 'the state to resync after the outage', () => state.health().ready && state.store.policy('shop', 'allow-dns-egress') !== undefined);

  const after = await httpsPost(server.port, VALIDATE, JSON.stringify(deployment()));
  t.equal(after.statusCode, 200, 'after the outage: status');
  t.equal(responseOf(JSON.parse(after.body)).allowed, true, 'after the outage: decided on the change made during it');
  t.equal((await httpsGet(server.port, '/readyz')).statusCode, 200, 'after the outage: ready');
});

t.test('invalid certificate files keep the previous certificate in use', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'netpol-guard-robustness-tls-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const pki = createTestPki(directory);
  const { logger, lines } = memoryLogger();
  // NOTE: a poll interval under TlsSource's 100 ms debounce restarts the debounce on every tick, so no check
  // would ever run; 1 s leaves the file watcher to notice the writes.
  const server = await startHostileServer(t, { state: { store: await loadExampleState() }, pki, logger, tlsPollIntervalMs: 1000 });
  const original = await connectTls({ port: server.port, ca: pki.caPem, servername: SERVICE_NAME });

  const replacements = [
    { name: 'garbage in both files', cert: 'not a certificate\n', key: 'not a key\n' },
    { name: 'an empty certificate file', cert: '', key: pki.keyPem },
    // The CA certificate with the serving key: both files parse, but they are not a pair.
    { name: 'a certificate with the key of another', cert: pki.caPem, key: pki.keyPem },
  ];
  for (const replacement of replacements) {
    const failed = once(server.tls, 'reloadError');
    writeFileSync(pki.certFile, replacement.cert);
    writeFileSync(pki.keyFile, replacement.key);
    await failed;

    const handshake = await connectTls({ port: server.port, ca: pki.caPem, servername: SERVICE_NAME });
    t.equal(handshake.fingerprint256, original.fingerprint256, `${replacement.name}: new connections verify with the previous certificate`);
    const reply = await httpsPost(server.port, VALIDATE, JSON.stringify(allowedPod()));
    t.equal(reply.statusCode, 200, `${replacement.name}: reviews are still answered`);
    t.equal(server.tls.healthy(), true, `${replacement.name}: the source stays healthy`);
  }
  const failures = lines.filter((line) => line.msg === 'tls certificate reload failed, keeping the previous certificate');
  t.equal(failures.length, replacements.length, 'each invalid replacement is logged once');
  t.equal(failures.every((line) => line.level === 50), true, 'at error level');

  // A valid pair after the invalid ones is picked up. The CA's own pair serves as the renewed
  // certificate, because generating a new RSA key with node-forge takes tens of seconds on a busy machine.
  const reloaded = once(server.tls, 'reload');
  writeFileSync(pki.keyFile, pki.caKeyPem);
  writeFileSync(pki.certFile, pki.caPem);
  await reloaded;
  // A CA certificate is not valid for serving, so the client only reads which certificate it is offered.
  const socket = tls.connect({ host: '127.0.0.1', port: server.port, servername: SERVICE_NAME, rejectUnauthorized: false });
  await once(socket, 'secureConnect');
  const renewed = socket.getPeerCertificate().fingerprint256;
  socket.destroy();
  t.not(renewed, original.fingerprint256, 'new connections get the new certificate');
  t.equal(renewed, new X509Certificate(pki.caPem).fingerprint256, 'the certificate offered is the one written');
  t.equal(server.tls.certificate?.subject, 'CN=netpol-guard test CA', 'the source reports the new certificate');
});
