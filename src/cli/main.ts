import { EXIT_ERROR, processIo, UsageError, writeLine, type CliIo } from './io.js';

type Command = (argv: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  serve: { summary: 'run the admission webhook over HTTPS', load: async () => (await import('./serve.js')).runServe },
  review: { summary: 'print the response to one AdmissionReview from a file', load: async () => (await import('./review.js')).runReview },
  explain: { summary: 'tell whether one pod may reach another, or print a reachability matrix', load: async () => (await import('./explain.js')).runExplain },
  audit: { summary: 'report every violation in manifests or a cluster', load: async () => (await import('./audit.js')).runAudit },
};

export const USAGE = [
  'Usage: netpol-guard <command> [options]',
  '',
  'Commands:',
  ...Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(9)}${command.summary}`),
  '',
  "Run 'netpol-guard <command> --help' for the options of a command.",
].join('\n');

/** Runs one command and returns its exit code; errors become one line on stderr. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    writeLine(name === undefined ? io.stderr : io.stdout, USAGE);
    return name === undefined ? EXIT_ERROR : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    writeLine(io.stderr, `netpol-guard: unknown command ${JSON.stringify(name)}; use one of ${Object.keys(COMMANDS).join(', ')}`);
    return EXIT_ERROR;
  }
  try {
    const run = await command.load();
    return await run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      writeLine(io.stderr, `netpol-guard ${name}: ${error.message}`);
      return EXIT_ERROR;
    }
    if (isArgumentError(error)) {
      // Keep the first sentence: node's hint about positionals starting with '-' misleads here.
      const reason = (error as Error).message.split('. ')[0]!.replace(/\.$/, '');
      writeLine(io.stderr, `netpol-guard ${name}: ${reason}; see 'netpol-guard ${name} --help'`);
      return EXIT_ERROR;
    }
    throw error;
  }
}

/** Tests for the errors node:util parseArgs raises on unknown or malformed options. */
function isArgumentError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
