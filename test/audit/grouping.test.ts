import t from 'tap';
import { ownerChain } from '../../src/audit/grouping.js';
import { ObjectIndex } from '../../src/audit/object-index.js';
import type { WorkloadFacts } from '../../src/state/objects.js';

function facts(kind: WorkloadFacts['kind'], name: string, extra: Partial<WorkloadFacts> = {}): WorkloadFacts {
  return { kind, namespace: 'shop', name, podLabels: {}, annotations: {}, ports: [], ...extra };
}

const cases: Array<{ name: string; workload: WorkloadFacts; objects?: Array<Record<string, unknown>>; known: string[]; chain: string[] }> = [
  {
    name: 'pod to deployment by template hash',
    workload: facts('Pod', 'web-5d8f-x', { owner: 'ReplicaSet/web-5d8f', podLabels: { 'pod-template-hash': '5d8f' } }),
    known: ['Deployment/web'],
    chain: ['ReplicaSet/web-5d8f', 'Deployment/web'],
  },
  {
    name: 'hash suffix without a deployment stops',
    workload: facts('Pod', 'web-5d8f-x', { owner: 'ReplicaSet/web-5d8f', podLabels: { 'pod-template-hash': '5d8f' } }),
    known: [],
    chain: ['ReplicaSet/web-5d8f'],
  },
  {
    name: 'pod to cronjob by job name',
    workload: facts('Pod', 'report-28001-abc', { owner: 'Job/report-28001' }),
    known: ['CronJob/report'],
    chain: ['Job/report-28001', 'CronJob/report'],
  },
  {
    name: 'owner references win over names',
    workload: facts('ReplicaSet', 'api-1', { podLabels: { 'pod-template-hash': '1' } }),
    objects: [
      {
        kind: 'ReplicaSet',
        metadata: { name: 'api-1', namespace: 'shop', ownerReferences: [{ kind: 'Deployment', name: 'backend', controller: true }] },
      },
    ],
    known: ['Deployment/api', 'Deployment/backend'],
    chain: ['Deployment/backend'],
  },
  {
    name: 'bare pod has no owner',
    workload: facts('Pod', 'debug'),
    known: [],
    chain: [],
  },
];

for (const entry of cases) {
  t.test(`ownerChain ${entry.name}`, async (t) => {
    const index = new ObjectIndex();
    for (const object of entry.objects ?? []) index.add(object);
    t.same(ownerChain(entry.workload, index, new Set(entry.known)), entry.chain);
  });
}
