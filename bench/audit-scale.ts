/**
 * Times `netpol-guard audit -f DIR -o json` on a generated state of 10,000
 * namespaces, 50,000 NetworkPolicies and 100,000 Pods (plus 25,000
 * Deployments). Run after `npm run build`:
 *
 *   node dist/bench/audit-scale.js [--keep]
 *
 * It prints the date, Node version, CPU model, core count, the exact command,
 * the wall time, the CPU time of the command and the load average, since
 * other work on a shared machine stretches the wall time. With --keep the
 * generated folder is left in place.
 */
import { spawnSync } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateState, SCALE_STATE } from './generate-state.js';

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('model name'));
    return line?.split(':')[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Returns the CPU seconds used by waited-for child processes, from fields 16
 * and 17 (cutime, cstime) of /proc/self/stat. They are in clock ticks; 100 per
 * second is the USER_HZ of Linux on x86 and arm64.
 */
function childCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // The command name in field 2 may contain spaces, so fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

async function main(): Promise<void> {
  const keep = process.argv.includes('--keep');
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const dir = await mkdtemp(path.join(tmpdir(), 'netpol-guard-audit-scale-'));
  try {
    const started = performance.now();
    const objects = await generateState(dir);
    const generateSeconds = (performance.now() - started) / 1000;

    const command = ['node', 'dist/src/cli/bin.js', 'audit', '-f', dir, '-o', 'json'];
    const devNull = openSync('/dev/null', 'w');
    const loadBefore = loadavg()[0]!;
    const cpuBefore = childCpuSeconds();
    const start = performance.now();
    const run = spawnSync(command[0]!, command.slice(1), { cwd: root, stdio: ['ignore', devNull, 'inherit'] });
    const seconds = (performance.now() - start) / 1000;
    const cpuSeconds = childCpuSeconds() - cpuBefore;
    const loadAfter = loadavg()[0]!;
    closeSync(devNull);

    console.log(`date: ${new Date().toISOString()}`);
    console.log(`node: ${process.version}`);
    console.log(`cpu: ${cpuModel()}, ${availableParallelism()} cores`);
    console.log(`state: ${SCALE_STATE.namespaces} namespaces, ${SCALE_STATE.namespaces * SCALE_STATE.policiesPerNamespace} NetworkPolicies, ${SCALE_STATE.namespaces * SCALE_STATE.podsPerNamespace} Pods, ${objects} objects in all (generated in ${generateSeconds.toFixed(1)} s)`);
    console.log(`command: ${command.join(' ')} > /dev/null`);
    console.log(`exit code: ${run.status} (1 means violations were found, as the generated state has some)`);
    console.log(`wall time: ${seconds.toFixed(1)} s`);
    console.log(`cpu time (user + system): ${cpuSeconds.toFixed(1)} s`);
    console.log(`load average (1 min) before and after: ${loadBefore.toFixed(2)}, ${loadAfter.toFixed(2)}`);
  } finally {
    if (keep) console.log(`kept: ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

await main();
