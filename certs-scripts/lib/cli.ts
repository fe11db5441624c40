// Argument parsing, output and exit codes shared by the certificate scripts.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';

export const EXIT_OK = 0;
/** The script ran and failed or rejected the request, such as an overwrite without --force. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Output streams of a script. Tests pass a recorder instead of the process streams. */
export interface ScriptIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: ScriptIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

export type ScriptMain = (argv: string[], io?: ScriptIo) => Promise<number>;

/** Error whose message the script prints as is, without a stack trace. */
export class ScriptError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number = EXIT_FAILURE) {
    super(message);
    this.name = 'ScriptError';
    this.exitCode = exitCode;
  }
}

/** The `--help` option every script accepts; spread it into the parseArgs options. */
export const HELP_OPTION = { help: { type: 'boolean', short: 'h', default: false } } as const;

/**
 * Runs `parse` (a strict parseArgs call) and turns its error about unknown or
 * malformed options into a ScriptError with EXIT_USAGE and the usage text.
 */
export function parseOrUsage<T>(parse: () => T, usage: string): T {
  try {
    return parse();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ScriptError(`${message}\n\n${usage}`, EXIT_USAGE);
  }
}

/**
 * Parses a script's options strictly. Returns undefined after printing the
 * usage when --help was given, so the caller returns EXIT_OK.
 */
export function parseScriptOptions<const O extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: O,
  usage: string,
  io: ScriptIo,
): ReturnType<typeof parseArgs<{ options: O; allowPositionals: false; strict: true }>>['values'] | undefined {
  const { values } = parseOrUsage(() => parseArgs({ args: argv, options, allowPositionals: false, strict: true }), usage);
  if ((values as { help?: boolean }).help) {
    io.out(usage);
    return undefined;
  }
  return values;
}

/** Parses a whole number of days, 1 or more, from an option value. */
export function parseDays(option: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;

  const days = Number(value);
  if (!Number.isInteger(days) || days < 1) {
    throw new ScriptError(`invalid --${option} "${value}": expected a whole number of days, 1 or more`, EXIT_USAGE);
  }
  return days;
}

/** Runs `main` and turns a ScriptError into its message and exit code. */
export async function runScript(main: (io: ScriptIo) => Promise<number>, io: ScriptIo): Promise<number> {
  try {
    return await main(io);
  } catch (error) {
    if (error instanceof ScriptError) {
      io.err(error.message);
      return error.exitCode;
    }
    throw error;
  }
}

/** Runs `main` with the process arguments when `importMetaUrl` is the module node was started with. */
export function runIfEntryPoint(importMetaUrl: string, main: ScriptMain): void {
  if (!isEntryPoint(importMetaUrl)) return;

  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = EXIT_FAILURE;
    },
  );
}

function isEntryPoint(importMetaUrl: string): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return pathToFileURL(realpathSync(entry)).href === importMetaUrl;
  } catch {
    return false;
  }
}
