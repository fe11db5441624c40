import t from 'tap';
import { LEASE_NAME, LeaderElector, leaderIdentity, microTime } from '../../src/cluster/leader.js';
import { loadKubeConfig, makeClients } from '../../src/cluster/kube-client.js';
import type { ClusterState } from '../../src/cluster/runtime.js';
import { FAST_TIMING, WEBHOOK_NAMESPACE, namespace, startHarness, waitFor, type Harness } from './cluster-harness.js';

t.test('microTime has six fractional digits', async (t) => {
  t.equal(microTime(new Date('2026-01-15T12:00:00.123Z')), '2026-01-15T12:00:00.123000Z');
});

t.test('leaderIdentity uses POD_NAME and a random suffix', async (t) => {
  t.match(leaderIdentity({ POD_NAME: 'netpol-guard-7d9f' }), /^netpol-guard-7d9f_[0-9a-f]{8}$/);
  t.not(leaderIdentity({ POD_NAME: 'a' }), leaderIdentity({ POD_NAME: 'a' }));
});

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  renewTime?: string;
  leaseTransitions?: number;
}

function leaseSpec(harness: Harness): LeaseSpec | undefined {
  return harness.server.get('Lease', WEBHOOK_NAMESPACE, LEASE_NAME)?.spec as LeaseSpec | undefined;
}

function leaders(states: ClusterState[]): string[] {
  return states.filter((state) => state.leader.isLeader).map((state) => state.leader.identity);
}

t.test('two replicas elect one leader and fail over on stop', async (t) => {
  const harness = await startHarness(t);
  const first = await harness.start({ identity: 'replica-a' });
  const second = await harness.start({ identity: 'replica-b' });
  await waitFor(first, 'a leader', () => leaders([first, second]).length === 1);

  const [leaderName] = leaders([first, second]);
  const [leader, follower] = leaderName === 'replica-a' ? [first, second] : [second, first];
  await waitFor(leader, 'the leader to reconcile', () => leader.reconciler.isActive);
  t.equal(follower.reconciler.isActive, false, 'only the leader reconciles');
  const lease = leaseSpec(harness);
  t.equal(lease?.holderIdentity, leaderName);
  t.equal(lease?.leaseDurationSeconds, 1);
  t.match(String(lease?.renewTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

  // Both replicas serve: the follower reads the leader's baseline through its own watch.
  harness.server.put(namespace('shop', { 'netpol-guard.io/baseline': 'enabled' }));
  await waitFor(follower, 'baseline policies seen by the follower', () => follower.store.policiesIn('shop').length === 2);

  await leader.stop();
  await waitFor(follower, 'the follower to take over', () => follower.leader.isLeader);
  t.equal(leaseSpec(harness)?.holderIdentity, follower.leader.identity);
  t.equal(leaseSpec(harness)?.leaseTransitions, 1);
  t.ok(harness.lines.some((line) => line.msg === 'released the leader lease' && line.identity === leaderName));
});

t.test('follower takes over a lease that is no longer renewed', async (t) => {
  const harness = await startHarness(t);
  const clients = makeClients(loadKubeConfig(harness.server.kubeconfigPath));
  const changes: string[] = [];
  let leading: () => void = () => {};
  const led = new Promise<void>((resolve) => (leading = resolve));
  const crashed = new LeaderElector({
    api: clients.coordination,
    namespace: WEBHOOK_NAMESPACE,
    identity: 'crashed',
    timing: FAST_TIMING.lease,
    logger: harness.logger,
    onChange: (isLeader) => {
      changes.push(isLeader ? 'leads' : 'follows');
      if (isLeader) leading();
    },
  });
  crashed.start();
  await led;
  const state = await harness.start({ identity: 'survivor' });
  await waitFor(state, 'the survivor to see the lease held', () => state.health().ready);
  t.equal(state.leader.isLeader, false, 'the survivor follows while the lease is renewed');

  await crashed.stop({ release: false });
  t.equal(leaseSpec(harness)?.holderIdentity, 'crashed', 'lease left held');
  await waitFor(state, 'the survivor to take over after the lease duration', () => state.leader.isLeader);

  t.same(changes, ['leads', 'follows']);
  t.equal(leaseSpec(harness)?.holderIdentity, 'survivor');
  t.equal(leaseSpec(harness)?.leaseTransitions, 1);
});
