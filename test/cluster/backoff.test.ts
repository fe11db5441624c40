import t from 'tap';
import { backoffDelay } from '../../src/cluster/backoff.js';

t.test('backoffDelay grows, caps and jitters', async (t) => {
  const policy = { initialMs: 100, maxMs: 1000 };
  t.same([1, 2, 3, 4, 5, 10].map((attempt) => backoffDelay(policy, attempt, () => 1)), [100, 200, 400, 800, 1000, 1000]);
  t.same([1, 2, 5].map((attempt) => backoffDelay(policy, attempt, () => 0)), [50, 100, 500]);
});
