import type { Dirent } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ManifestError, type ManifestDocument } from './manifest-document.js';
import { parseJsonManifest } from './parse-json-manifest.js';
import { parseWithYamlPackage } from './parse-yaml-package.js';
import { parseYamlFast } from './parse-yaml-fast.js';

export { ManifestError, type ManifestDocument, type ManifestSource } from './manifest-document.js';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * Reads every Kubernetes object from the given files and folders, in order.
 * A folder is read recursively in sorted order; hidden entries and files without a .yaml, .yml or
 * .json extension are skipped. Symbolic links are followed, so a ConfigMap mounted as a volume
 * works. A file reached twice (by two paths or through a link) is read once.
 * Lists (`kind: List` and any `XxxList` with `items`) are flattened into their items.
 * Throws ManifestError for the first file that cannot be read or parsed.
 */
export async function readManifests(paths: string[]): Promise<ManifestDocument[]> {
  const files: string[] = [];
  const visited = new Set<string>();

  for (const inputPath of paths) {
    await collectFiles(inputPath, true, visited, files);
  }

  const documents: ManifestDocument[] = [];
  for await (const { file, text } of readInOrder(files)) {
    // A loop rather than push(...), which overflows the stack for a list of a few hundred thousand items.
    for (const document of parseManifestText(text, file)) {
      documents.push(document);
    }
  }
  return documents;
}

/**
 * Parses the YAML or JSON text of one file or stream (stdin) into Kubernetes objects.
 * `fileName` names the text in sources and error messages, and a name ending in .json turns
 * "invalid YAML" into "invalid JSON". Throws ManifestError.
 */
export function parseManifestText(text: string, fileName: string): ManifestDocument[] {
  // JSON.parse and js-yaml are many times faster than the `yaml` package, but they keep no
  // positions and accept some input differently. So each fast path hands over to the `yaml`
  // package, which reads JSON too, whenever the results could differ and for every error.
  return parseJsonManifest(text, fileName) ?? parseYamlFast(text, fileName) ?? parseWithYamlPackage(text, fileName).manifests;
}

// Appends the manifest files under `inputPath` to `files`. A path named by the caller must be a
// manifest file or a folder. Inside folders, other files are skipped so that a README can sit
// next to the manifests.
async function collectFiles(inputPath: string, named: boolean, visited: Set<string>, files: string[]): Promise<void> {
  const stats = await stat(inputPath).catch((error: unknown) => {
    throw fileError(inputPath, error);
  });

  if (stats.isDirectory()) {
    await collectFolder(inputPath, await realpath(inputPath), visited, files);
    return;
  }

  if (!stats.isFile()) {
    if (named) {
      throw new ManifestError(inputPath, undefined, `cannot read ${inputPath}: not a regular file or folder`);
    }
    return;
  }

  if (!MANIFEST_EXTENSIONS.has(path.extname(inputPath).toLowerCase())) {
    if (named) {
      throw new ManifestError(inputPath, undefined, `cannot read ${inputPath}: unsupported file extension; manifest files end in .yaml, .yml or .json`);
    }
    return;
  }

  addFile(inputPath, await realpath(inputPath), visited, files);
}

// Entries that are no symbolic link have the folder's real path joined with their name as their
// own real path, which saves a stat and a realpath call for each of them.
async function collectFolder(folderPath: string, realFolderPath: string, visited: Set<string>, files: string[]): Promise<void> {
  if (visited.has(realFolderPath)) {
    return;
  }
  visited.add(realFolderPath);

  const entries = await readdir(folderPath, { withFileTypes: true }).catch((error: unknown) => {
    throw fileError(folderPath, error);
  });
  const visible = entries.filter((entry) => !entry.name.startsWith('.')).sort(compareNames);
  for (const entry of visible) {
    const entryPath = path.join(folderPath, entry.name);
    if (entry.isDirectory()) {
      await collectFolder(entryPath, path.join(realFolderPath, entry.name), visited, files);
    } else if (entry.isFile()) {
      if (MANIFEST_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) {
        addFile(entryPath, path.join(realFolderPath, entry.name), visited, files);
      }
    } else {
      await collectFiles(entryPath, false, visited, files);
    }
  }
}

// Plain code-unit order, not localeCompare, so the order is the same on every machine.
function compareNames(a: Dirent, b: Dirent): number {
  if (a.name === b.name) {
    return 0;
  }
  return a.name < b.name ? -1 : 1;
}

function addFile(filePath: string, realPath: string, visited: Set<string>, files: string[]): void {
  if (visited.has(realPath)) {
    return;
  }
  visited.add(realPath);
  files.push(filePath);
}

// Files read at once ahead of the parser, so that reading overlaps parsing without opening every file.
const READ_AHEAD = 8;

type ReadResult = { file: string; text: string } | { file: string; error: unknown };

/** Yields each file's text in order while the next files are being read. Throws ManifestError. */
async function* readInOrder(files: string[]): AsyncGenerator<{ file: string; text: string }> {
  const queue: Array<Promise<ReadResult>> = [];
  let next = 0;
  const fill = (): void => {
    while (queue.length < READ_AHEAD && next < files.length) {
      const file = files[next++]!;
      // Settled as a value, so that a failed read ahead of the current file is no unhandled rejection.
      queue.push(readText(file).then((text) => ({ file, text }), (error: unknown) => ({ file, error })));
    }
  };

  fill();
  for (let result = queue.shift(); result !== undefined; result = queue.shift()) {
    const read = await result;
    fill();
    if ('error' in read) {
      throw read.error;
    }
    yield read;
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw fileError(file, error);
  }
}

const ERRNO_DESCRIPTIONS: Record<string, string> = {
  ENOENT: 'not found',
  ENOTDIR: 'not found',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a folder',
  ELOOP: 'too many levels of symbolic links',
};

function fileError(file: string, error: unknown): ManifestError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const description = code === undefined ? String(error) : (ERRNO_DESCRIPTIONS[code] ?? code);
  return new ManifestError(file, undefined, `cannot read ${file}: ${description}`);
}
