import type { WorkloadFacts } from '../state/objects.js';
import type { ObjectIndex } from './object-index.js';
import type { Finding } from './types.js';

/** How many owner links are followed: Pod, ReplicaSet or Job, Deployment or CronJob. */
const MAX_OWNER_DEPTH = 3;

const CRONJOB_JOB_NAME = /^(.+)-\d+$/;

export interface WorkloadFinding {
  workload: WorkloadFacts;
  finding: Finding;
}

/**
 * Returns the owners of a workload, nearest first, as `Kind/name`. Owners come
 * from `metadata.ownerReferences`. Where the owner itself is missing from the
 * state, the Deployment of a ReplicaSet is inferred from the
 * `pod-template-hash` suffix of its name. The CronJob of a Job is inferred from
 * a numeric suffix, when a workload of that name exists.
 */
export function ownerChain(workload: WorkloadFacts, index: ObjectIndex, known: ReadonlySet<string>): string[] {
  const chain: string[] = [];
  let kind: string = workload.kind;
  let name = workload.name;
  for (let depth = 0; depth < MAX_OWNER_DEPTH; depth++) {
    const owner =
      index.ownerOf(kind, workload.namespace, name) ??
      (depth === 0 ? workload.owner : undefined) ??
      inferredOwner(kind, name, workload.podLabels['pod-template-hash'], known);
    if (owner === undefined) break;
    chain.push(owner);
    const slash = owner.indexOf('/');
    kind = owner.slice(0, slash);
    name = owner.slice(slash + 1);
  }
  return chain;
}

function inferredOwner(kind: string, name: string, templateHash: string | undefined, known: ReadonlySet<string>): string | undefined {
  if (kind === 'ReplicaSet' && templateHash !== undefined && name.endsWith(`-${templateHash}`)) {
    const deployment = `Deployment/${name.slice(0, -templateHash.length - 1)}`;
    return known.has(deployment) ? deployment : undefined;
  }
  const job = kind === 'Job' ? CRONJOB_JOB_NAME.exec(name) : null;
  if (job) {
    const cronJob = `CronJob/${job[1]}`;
    return known.has(cronJob) ? cronJob : undefined;
  }
  return undefined;
}

/** Tells whether two findings report the same result, so one can represent both. */
function outcomeKey(finding: Finding): string {
  return JSON.stringify([finding.result, finding.skippedBecause ?? '', finding.details ?? null]);
}

/**
 * Folds each finding into the finding of its farthest owner with the same
 * outcome, so a Deployment's Pods and ReplicaSet are listed under the
 * Deployment. An object whose outcome differs from its owners' stays apart.
 * Returns the findings that remain, in input order.
 */
export function groupByOwner(entries: readonly WorkloadFinding[], index: ObjectIndex): Finding[] {
  const byKey = new Map<string, WorkloadFinding>();
  for (const entry of entries) byKey.set(`${entry.workload.kind}/${entry.workload.name}`, entry);
  const known = new Set(byKey.keys());

  const absorbed = new Set<Finding>();
  for (const entry of entries) {
    const key = outcomeKey(entry.finding);
    let target: Finding | undefined;
    for (const owner of ownerChain(entry.workload, index, known)) {
      const candidate = byKey.get(owner);
      if (candidate && outcomeKey(candidate.finding) === key) target = candidate.finding;
    }
    if (target === undefined) continue;
    // The farthest owner with this outcome has no owner with the same outcome, so it is never absorbed itself.
    target.grouped.push(entry.finding.resource);
    absorbed.add(entry.finding);
  }
  return entries.map((entry) => entry.finding).filter((finding) => !absorbed.has(finding));
}
