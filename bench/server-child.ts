/** The driver's handle on one forked server process (bench/server-process). */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DriverMessage, EngineMeasurement, MemorySample, ServerMessage } from './protocol.js';

export interface ServerChildOptions {
  /** File that receives the server's stdout, and so its log lines. */
  logFile: string;
  /** Writes a V8 CPU profile named `<profileName>.cpuprofile` into this folder when the process exits. */
  profileDir?: string;
  profileName?: string;
  /** Seconds to wait for each reply, long enough for loading 100,000 pods on a slow machine. */
  timeoutSeconds?: number;
}

type Ready = Extract<ServerMessage, { type: 'ready' }>;

// The same extension as this module: .ts under tap, .js after the build.
const SERVER_MODULE = join(fileURLToPath(new URL('.', import.meta.url)), `server-process${extname(fileURLToPath(import.meta.url))}`);

export class ServerChild {
  private readonly child: ChildProcess;
  private readonly timeoutMs: number;
  private readonly exited: Promise<unknown>;

  constructor(options: ServerChildOptions) {
    const logFd = openSync(options.logFile, 'a');
    const profile = options.profileDir
      ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`, `--cpu-prof-name=${options.profileName ?? 'server'}.cpuprofile`]
      : [];
    this.child = fork(SERVER_MODULE, [], {
      // process.execArgv carries tap's TypeScript loader into the child.
      execArgv: [...process.execArgv, '--expose-gc', ...profile],
      stdio: ['ignore', logFd, 'inherit', 'ipc'],
    });
    closeSync(logFd);
    this.timeoutMs = (options.timeoutSeconds ?? 300) * 1000;
    this.exited = once(this.child, 'exit');
  }

  private async request<T extends ServerMessage['type']>(message: DriverMessage, expected: T): Promise<Extract<ServerMessage, { type: T }>> {
    const replied = new Promise<ServerMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`benchmark server did not reply to ${message.type} within ${this.timeoutMs / 1000} s`)), this.timeoutMs);
      const onExit = (code: number | null) => {
        clearTimeout(timer);
        reject(new Error(`benchmark server exited with code ${code} while handling ${message.type}`));
      };
      this.child.once('exit', onExit);
      this.child.once('message', (reply: ServerMessage) => {
        clearTimeout(timer);
        this.child.off('exit', onExit);
        resolve(reply);
      });
    });
    this.child.send(message);
    const reply = await replied;
    if (reply.type === 'failed') throw new Error(`benchmark server failed on ${message.type}: ${reply.message}`);
    if (reply.type !== expected) throw new Error(`benchmark server replied ${reply.type} to ${message.type}; expected ${expected}`);
    return reply as Extract<ServerMessage, { type: T }>;
  }

  start(message: Extract<DriverMessage, { type: 'start' }>): Promise<Ready> {
    return this.request(message, 'ready');
  }

  async engine(message: Extract<DriverMessage, { type: 'engine' }>): Promise<EngineMeasurement[]> {
    return (await this.request(message, 'engine-result')).results;
  }

  /** Stops the server, returns its memory after the traffic, and waits for the process to exit. */
  async stop(): Promise<MemorySample> {
    const { memory } = await this.request({ type: 'stop' }, 'stopped');
    await this.exited;
    return memory;
  }

  /** Kills the process without waiting for a reply, after a failure. */
  kill(): void {
    if (this.child.exitCode === null) this.child.kill();
  }
}
