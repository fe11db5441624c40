import t from 'tap';
import { clusterHealth } from '../../src/cluster/health.js';
import type { ReflectorStatus } from '../../src/cluster/reflector.js';

const NOW = 1_000_000;

function status(name: string, change: Partial<ReflectorStatus> = {}): ReflectorStatus {
  return { name, synced: true, watching: true, failures: 0, relists: 0, watchRestarts: 0, ...change };
}

t.test('clusterHealth decides readiness', async (t) => {
  t.same(clusterHealth([status('pods'), status('namespaces')], NOW, 300), { ready: true, ageSeconds: 0 });
  t.same(clusterHealth([status('pods', { staleSince: NOW - 10_000 })], NOW, 300), { ready: true, ageSeconds: 10 });
  t.same(clusterHealth([status('pods', { synced: false }), status('jobs', { synced: false }), status('namespaces')], NOW, 300), {
    ready: false,
    ageSeconds: 0,
    reason: 'the cluster state is not synced yet: waiting for the first list of pods, jobs',
  });
  t.same(clusterHealth([status('pods', { staleSince: NOW - 301_000 }), status('namespaces', { staleSince: NOW - 5_000 })], NOW, 300), {
    ready: false,
    ageSeconds: 301,
    reason: 'the cluster state is 301 s old, over the limit of 300 s (state.maxAgeSeconds): the watch of pods is down',
  });
});
