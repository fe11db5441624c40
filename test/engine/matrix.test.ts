import t from 'tap';
import { podKey, reachabilityMatrix, resolvePort } from '../../src/engine/matrix.js';
import { pod, policy, sourceOf } from '../helpers/engine-builders.js';

const web = pod('prod', 'web', { app: 'web' }, '10.1.0.5', [{ name: 'http', containerPort: 8080 }]);
const api = pod('prod', 'api', { app: 'api' }, '10.1.0.6', [
  { name: 'http', containerPort: 9000 },
  { name: 'stats', containerPort: 9125, protocol: 'UDP' },
]);
const client = pod('dev', 'client', { app: 'client' }, '10.2.0.7');

t.test('podKey', async (t) => {
  t.equal(podKey(web), 'prod/web', 'named pod');
  t.equal(podKey({ kind: 'pod', namespace: 'prod', labels: {} }), 'prod/', 'pod template');
});

t.test('resolvePort', async (t) => {
  const cases: Array<[string, Parameters<typeof resolvePort>, number | undefined]> = [
    ['number is returned as is', [web, 443, 'TCP'], 443],
    ['number without a destination', [undefined, 443, 'TCP'], 443],
    ['name resolves on the destination', [api, 'http', 'TCP'], 9000],
    ['same name resolves per pod', [web, 'http', 'TCP'], 8080],
    ['UDP name', [api, 'stats', 'UDP'], 9125],
    ['name on another protocol', [api, 'stats', 'TCP'], undefined],
    ['unknown name', [client, 'http', 'TCP'], undefined],
    ['name without a destination', [undefined, 'http', 'TCP'], undefined],
  ];
  for (const [name, args, expected] of cases) {
    t.equal(resolvePort(...args), expected, name);
  }
});

t.test('reachabilityMatrix', async (t) => {
  const source = sourceOf([
    policy('prod', 'deny', { podSelector: {} }),
    policy('prod', 'http-from-dev', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'dev' } } }], ports: [{ port: 'http' }] }] }),
  ], { dev: { env: 'dev' } });
  const pods = [web, api, client];

  t.same(
    reachabilityMatrix(source, pods, 'http', 'TCP'),
    {
      'prod/web': { 'prod/web': true, 'prod/api': false, 'dev/client': false },
      'prod/api': { 'prod/web': false, 'prod/api': true, 'dev/client': false },
      'dev/client': { 'prod/web': true, 'prod/api': true, 'dev/client': false },
    },
    'named port resolves per destination; a pod without the name is unreachable, even from itself',
  );
  t.same(
    reachabilityMatrix(source, pods, 8080, 'TCP'),
    {
      'prod/web': { 'prod/web': true, 'prod/api': false, 'dev/client': true },
      'prod/api': { 'prod/web': false, 'prod/api': true, 'dev/client': true },
      'dev/client': { 'prod/web': true, 'prod/api': false, 'dev/client': true },
    },
    'numeric port',
  );
  t.same(reachabilityMatrix(source, [], 80, 'TCP'), {}, 'no pods');
});
