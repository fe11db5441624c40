import { EXIT_ERROR, writeLine, type CliIo } from './io.js';

export async function runAudit(_argv: string[], io: CliIo): Promise<number> {
  writeLine(io.stderr, 'netpol-guard audit: not available in this build');
  return EXIT_ERROR;
}
