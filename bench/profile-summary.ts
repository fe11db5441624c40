/**
 * Summarises a V8 CPU profile (`node --cpu-prof`) by self time: the top
 * functions, and the share of each package, so the hot spots of a benchmark
 * run can be read without a profiler UI.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface FrameTime {
  name: string;
  /** Milliseconds spent in the frame itself, not in what it called. */
  selfMs: number;
  /** Share of the busy time: all samples except `(idle)`. */
  share: number;
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  functions: FrameTime[];
  packages: FrameTime[];
}

/** Names the package a frame belongs to: an npm package, node internals, netpol-guard itself, or a V8 category such as `(garbage collector)`. */
export function packageOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (url.startsWith('node:')) return 'node internals';
  const source = /\/(src|bench)\/([^/]+)\//.exec(url);
  return source ? `netpol-guard ${source[1]}/${source[2]}` : url;
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) return url.slice(modules + 'node_modules/'.length);
  const source = /\/((?:dist\/)?(?:src|bench)\/.+)$/.exec(url);
  return source ? source[1]! : url.replace(/^file:\/\//, '');
}

function ranked(times: Map<string, number>, busyMs: number, limit: number): FrameTime[] {
  return [...times.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, selfMs]) => ({ name, selfMs, share: busyMs === 0 ? 0 : selfMs / busyMs }));
}

export function summarizeProfile(profile: CpuProfile, limit = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  let busyMs = 0;
  let idleMs = 0;
  profile.samples.forEach((id, index) => {
    // timeDeltas[i] is the time before sample i; it is the best estimate of the sample's duration.
    const deltaMs = (profile.timeDeltas[index] ?? 0) / 1000;
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') {
      idleMs += deltaMs;
      return;
    }
    busyMs += deltaMs;
    const name = url === '' ? functionName : `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + deltaMs);
    const owner = packageOf(url, functionName);
    packages.set(owner, (packages.get(owner) ?? 0) + deltaMs);
  });
  return { busyMs, idleMs, functions: ranked(functions, busyMs, limit), packages: ranked(packages, busyMs, limit) };
}

export function readProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

/** Formats a summary as two markdown tables. */
export function formatProfileSummary(title: string, summary: ProfileSummary): string {
  const row = (entry: FrameTime) => `| ${entry.name.replace(/\|/g, '\\|')} | ${entry.selfMs.toFixed(0)} | ${(entry.share * 100).toFixed(1)}% |`;
  return [
    `#### ${title}: ${(summary.busyMs / 1000).toFixed(1)} s busy, ${(summary.idleMs / 1000).toFixed(1)} s idle`,
    '',
    '| Package | Self ms | Share of busy time |',
    '| --- | --- | --- |',
    ...summary.packages.map(row),
    '',
    '| Function | Self ms | Share of busy time |',
    '| --- | --- | --- |',
    ...summary.functions.map(row),
  ].join('\n');
}
