import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Reviewer } from '../admission/reviewer.js';
import { loadConfig } from '../config/load.js';
import { pino } from 'pino';
import { createLogger } from '../server/logger.js';
import { loadStateFromFiles } from '../state/load-files.js';
import { StateStore } from '../state/store.js';
import { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, UsageError, writeLine, type CliIo } from './io.js';

const HELP = `Usage: netpol-guard review [--config FILE] [--state PATH...] [--mutate] REQUEST.json|-

Prints the AdmissionReview response to one request, decided by the same code as
the webhook's /validate (or /mutate with --mutate).

Options:
  --config FILE   configuration file (YAML or JSON); defaults apply without it
  --state PATH    manifests (files or folders) that make up the cluster state; repeatable
  --mutate        answer as the mutating webhook
  -h, --help      show this help

Exit codes: 0 allowed, 1 denied, 2 invalid input or an internal error.`;

async function readRequestText(path: string, io: CliIo): Promise<string> {
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${path}: ${code === 'ENOENT' ? 'not found' : (code ?? String(error))}`);
  }
}

export async function runReview(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      state: { type: 'string', multiple: true },
      mutate: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    writeLine(io.stdout, HELP);
    return EXIT_OK;
  }
  if (positionals.length !== 1) {
    throw new UsageError('expected exactly one REQUEST file (or - for standard input); see --help');
  }

  const config = await loadConfig(values.config).catch((error: Error) => {
    throw new UsageError(error.message);
  });
  let state = new StateStore();
  if (values.state?.length) {
    const loaded = await loadStateFromFiles(values.state).catch((error: Error) => {
      throw new UsageError(error.message);
    });
    // Deciding on a state with a policy missing would give a wrong decision, so stop as explain does.
    for (const problem of loaded.invalidPolicies) {
      writeLine(io.stderr, `netpol-guard review: ${problem.file}:${problem.line}: invalid NetworkPolicy ${problem.policy}: ${problem.field}: ${problem.message}`);
    }
    if (loaded.invalidPolicies.length > 0) return EXIT_ERROR;
    state = loaded.store;
  }

  const source = positionals[0] === '-' ? 'standard input' : positionals[0]!;
  const text = await readRequestText(positionals[0]!, io);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} is not valid JSON: ${(error as Error).message.replace(/\s+/g, ' ')}`);
  }

  const logger = createLogger({ level: io.env.LOG_LEVEL ?? 'silent', destination: pino.destination({ dest: 2, sync: true }) });
  const reviewer = new Reviewer({ state, config, logger });
  const answer = await reviewer.review(body, values.mutate ? 'mutate' : 'validate');
  if (answer.statusCode !== 200) {
    // Not an AdmissionReview the API server would send: the reason goes to stderr as one line.
    writeLine(io.stderr, `netpol-guard review: ${source}: ${(answer.body as { message?: string }).message ?? `HTTP ${answer.statusCode}`}`);
    return EXIT_ERROR;
  }
  writeLine(io.stdout, JSON.stringify(answer.body, null, 2));
  if (!values.state?.length && !values.mutate) {
    writeLine(io.stderr, 'netpol-guard review: no --state given, so the request was decided against an empty cluster');
  }
  const response = (answer.body as { response?: { allowed?: boolean; status?: { code?: number } } }).response;
  if (response?.allowed === true) return EXIT_OK;
  // Code 400 marks a request the webhook cannot decide on: invalid input, not a policy denial.
  return response?.status?.code === 400 ? EXIT_ERROR : EXIT_FINDINGS;
}
