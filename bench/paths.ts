import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Returns the repository root: the benchmark runs from bench/ under tap and from dist/bench/ after the build. */
export function repositoryRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`package.json not found above ${dirname(fileURLToPath(import.meta.url))}`);
    directory = parent;
  }
  return directory;
}
