import t from 'tap';
import { countActiveExemptions } from '../../src/rules/exemptions.js';
import { StateStore } from '../../src/state/store.js';

const NOW = new Date('2026-12-04T12:00:00Z');

function namespace(name: string, annotations: Record<string, string>): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, annotations } };
}

function deployment(name: string, annotations: Record<string, string>): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop', annotations },
    spec: { template: { metadata: { labels: { app: name } }, spec: { containers: [] } } },
  };
}

t.test('countActiveExemptions counts valid unexpired ones', async (t) => {
  const state = new StateStore();
  state.apply(namespace('shop', { 'netpol-guard.io/exempt': 'dns-egress', 'netpol-guard.io/exempt-reason': 'migration' }));
  state.apply(namespace('old', { 'netpol-guard.io/exempt': 'all', 'netpol-guard.io/exempt-reason': 'done', 'netpol-guard.io/exempt-until': '2026-01-01' }));
  state.apply(namespace('broken', { 'netpol-guard.io/exempt': 'all' }));
  state.apply(namespace('plain', {}));
  state.apply(deployment('batch', { 'netpol-guard.io/exempt': 'default-deny', 'netpol-guard.io/exempt-reason': 'reviewed' }));
  state.apply(deployment('web', {}));

  t.same(countActiveExemptions(state, NOW), { namespace: 1, workload: 1 });
});
