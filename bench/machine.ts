import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  date: string;
  node: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  /** One-minute load average when the run started and ended: above the core count, something else competed for the CPU. */
  loadAverageStart: number;
  loadAverageEnd?: number;
}

/** Returns the first `model name` of /proc/cpuinfo, or what os.cpus() reports where that file does not exist. */
export function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) return match[1]!.trim();
  } catch {
    // Not Linux: fall through to what libuv reports.
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

export function describeMachine(): MachineInfo {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpuModel: cpuModel(),
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()}`,
    loadAverageStart: os.loadavg()[0]!,
  };
}
