/**
 * Measures the heap the StateStore needs per 10,000 Pods, against the heap
 * the same Pods take as whole API objects (what an informer cache such as
 * @kubernetes/client-node's ListWatch keeps).
 *
 * Run with a garbage collector the script can call:
 *   npm run build && node --expose-gc dist/bench/state-memory.js [pods]
 * or without building:
 *   node --expose-gc --import=./node_modules/@tapjs/typescript/dist/esm/import.mjs bench/state-memory.ts [pods]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { StateStore } from '../src/state/store.js';
import { describeMachine } from './machine.js';

const POD_FIXTURE = fileURLToPath(new URL('../examples/reviews/pod-create-shop.json', import.meta.url));
const PODS_PER_NAMESPACE = 100;

type Json = Record<string, unknown>;

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run node with --expose-gc so the measurement can collect garbage first');
  for (let round = 0; round < 3; round++) gc();
}

function heapUsed(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** A Pod shaped like one the API server returns: the fixture with a unique name, labels, owner, IP and status. */
function podObject(template: Json, index: number): Json {
  const pod = structuredClone(template);
  const namespace = `team-${Math.floor(index / PODS_PER_NAMESPACE)}`;
  const app = `app-${index % 37}`;
  const metadata = (pod.metadata ?? {}) as Json;
  pod.metadata = {
    ...metadata,
    name: `${app}-7d9f8c6b5-${index.toString(36).padStart(5, '0')}`,
    namespace,
    uid: `00000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}`,
    resourceVersion: String(100_000 + index),
    labels: { app, 'app.kubernetes.io/part-of': 'shop', 'pod-template-hash': '7d9f8c6b5', tier: index % 2 === 0 ? 'web' : 'api' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-7d9f8c6b5`, uid: 'owner', controller: true, blockOwnerDeletion: true }],
  };
  pod.status = {
    phase: 'Running',
    podIP: `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`,
    hostIP: '192.0.2.10',
    conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-15T12:00:00Z' }],
    containerStatuses: [{ name: 'main', ready: true, restartCount: 0, image: 'registry.example/app:1', started: true }],
  };
  return pod;
}

function main(): void {
  const count = Number(process.argv[2] ?? 10_000);
  const review = JSON.parse(readFileSync(POD_FIXTURE, 'utf8')) as { request: { object: Json } };
  const template = review.request.object;
  const wireBytes = JSON.stringify(podObject(template, 0)).length;

  // The store alone: objects are created, reduced to facts and dropped, as the informers do.
  const before = heapUsed();
  const store = new StateStore();
  for (let index = 0; index < count; index++) store.putWorkload('Pod', podObject(template, index));
  store.podsIn('team-0');
  const storeBytes = heapUsed() - before;

  // The reflectors' name index (namespace to names), used to find deletions on relist.
  const beforeIndex = heapUsed();
  const index = new Map<string, Set<string>>();
  for (let position = 0; position < count; position++) {
    const metadata = podObject(template, position).metadata as { namespace: string; name: string };
    let names = index.get(metadata.namespace);
    if (!names) index.set(metadata.namespace, (names = new Set()));
    names.add(metadata.name);
  }
  const indexBytes = heapUsed() - beforeIndex;

  // For comparison: the whole objects, as an informer cache keeps them.
  const beforeObjects = heapUsed();
  const objects = Array.from({ length: count }, (_, position) => JSON.parse(JSON.stringify(podObject(template, position))) as Json);
  const objectBytes = heapUsed() - beforeObjects;

  const per10k = (bytes: number): number => Math.round(((bytes / count) * 10_000) / 2 ** 20 * 10) / 10;
  const result = {
    machine: describeMachine(),
    pods: count,
    podJsonBytes: wireBytes,
    storeMiBPer10kPods: per10k(storeBytes),
    nameIndexMiBPer10kPods: per10k(indexBytes),
    wholeObjectsMiBPer10kPods: per10k(objectBytes),
    counts: store.counts(),
  };
  // Keep the measured structures alive until after the last measurement.
  if (objects.length + index.size < 0) console.log(store);
  console.log(JSON.stringify(result, null, 2));
}

main();
