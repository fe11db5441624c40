/**
 * `npm run bench`: measures the webhook against a bare fastify baseline and
 * prints markdown tables; `--write` puts them into docs/benchmarks.md.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_OPTIONS, runBench, type BenchOptions } from './harness.js';
import { formatProfileSummary, readProfile, summarizeProfile } from './profile-summary.js';
import { formatReport, replaceResults } from './report.js';
import { repositoryRoot } from './paths.js';
import { SCENARIOS } from './scenarios.js';

const HELP = `Usage: npm run bench -- [--quick] [--write] [--seconds N] [--connections N] [--only IDS] [--profile DIR]

Starts a bare fastify HTTPS baseline and the webhook with each state in child processes on 127.0.0.1,
loads them with autocannon and prints markdown tables. A full run takes about 4 minutes.

Options:
  --quick            short run: 2 s per load in 2 rounds after 0.5 s of warm-up, 0.5 s per engine measurement
  --write            also write the tables into docs/benchmarks.md between the results markers
  --seconds N        measured seconds per load run (default ${DEFAULT_OPTIONS.seconds})
  --warmup N         seconds of discarded load before each run (default ${DEFAULT_OPTIONS.warmupSeconds})
  --rounds N         turns in which a scenario alternates with its baseline, sharing --seconds (default ${DEFAULT_OPTIONS.rounds})
  --engine N         seconds of Reviewer.review calls per payload and state, 0 to skip (default ${DEFAULT_OPTIONS.engineSeconds})
  --connections N    keep-alive connections per load run (default ${DEFAULT_OPTIONS.connections})
  --only IDS         comma-separated scenario ids to run: ${SCENARIOS.map((scenario) => scenario.id).join(', ')}
  --profile DIR      write a V8 CPU profile of each server process into DIR and print their top frames
  --log-file FILE    where the servers log (default: a temporary file, removed afterwards)
  -h, --help         show this help`;

function positiveNumber(value: string | undefined, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new Error(`${option} ${JSON.stringify(value)} is invalid; give a positive number`);
  return number;
}

function commandLine(argv: string[]): string {
  const args = argv.length === 0 ? '' : ` -- ${argv.join(' ')}`;
  return process.env.npm_lifecycle_event === 'bench' ? `npm run bench${args}` : `node dist/bench/run.js${argv.length === 0 ? '' : ` ${argv.join(' ')}`}`;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      write: { type: 'boolean', default: false },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      engine: { type: 'string' },
      connections: { type: 'string' },
      only: { type: 'string' },
      profile: { type: 'string' },
      'log-file': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }

  const defaults: BenchOptions = values.quick ? { ...DEFAULT_OPTIONS, seconds: 2, warmupSeconds: 0.5, rounds: 2, engineSeconds: 0.5 } : DEFAULT_OPTIONS;
  const profileDir = values.profile === undefined ? undefined : resolve(values.profile);
  const options: BenchOptions = {
    ...defaults,
    seconds: positiveNumber(values.seconds, '--seconds', defaults.seconds),
    warmupSeconds: values.warmup === '0' ? 0 : positiveNumber(values.warmup, '--warmup', defaults.warmupSeconds),
    engineSeconds: values.engine === '0' ? 0 : positiveNumber(values.engine, '--engine', defaults.engineSeconds),
    rounds: Math.round(positiveNumber(values.rounds, '--rounds', defaults.rounds)),
    connections: Math.round(positiveNumber(values.connections, '--connections', defaults.connections)),
    ...(values.only ? { only: values.only.split(',').map((id) => id.trim()) } : {}),
    ...(profileDir ? { profileDir } : {}),
    ...(values['log-file'] ? { logFile: resolve(values['log-file']) } : {}),
    progress: (line) => process.stderr.write(`bench: ${line}\n`),
  };

  const report = await runBench(options);
  const results = formatReport(report, commandLine(argv));
  process.stdout.write(`${results}\n`);

  if (profileDir) {
    for (const file of readdirSync(profileDir).filter((name) => name.endsWith('.cpuprofile')).sort()) {
      process.stdout.write(`\n${formatProfileSummary(file, summarizeProfile(readProfile(join(profileDir, file))))}\n`);
    }
  }

  if (values.write) {
    const page = join(repositoryRoot(), 'docs', 'benchmarks.md');
    const current = existsSync(page) ? readFileSync(page, 'utf8') : '# Benchmarks\n';
    writeFileSync(page, replaceResults(current, results));
    process.stderr.write(`bench: wrote ${page}\n`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
