import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isNode, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml';

/** One Kubernetes object read from a file, with where it was found. */
export interface ManifestDocument {
  object: Record<string, unknown>;
  source: ManifestSource;
}

/** Position of an object in its file. */
export interface ManifestSource {
  file: string;
  /** 1-based line where the document's content starts, or where the item starts for an item of a list. */
  line: number;
  /** 0-based position of the document in the file's YAML stream, counting empty documents. */
  documentIndex: number;
}

/**
 * Error for a manifest that cannot be read or is not a Kubernetes object.
 * The message is one line, starts with the file (and line when known) and never contains values
 * from the file, because manifests may be Secrets.
 */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';

  constructor(
    readonly file: string,
    /** 1-based line, or undefined when the whole file is at fault (not found, unreadable). */
    readonly line: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

const REQUIRED_FIELDS_HINT = 'every manifest needs apiVersion and kind';

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
  for (const file of files) {
    const text = await readText(file);
    documents.push(...parseManifestText(text, file));
  }
  return documents;
}

/**
 * Parses the YAML or JSON text of one file or stream (stdin) into Kubernetes objects.
 * `fileName` names the text in sources and error messages, and a name ending in .json turns
 * "invalid YAML" into "invalid JSON". The YAML parser reads JSON too, with line numbers.
 * Throws ManifestError.
 */
export function parseManifestText(text: string, fileName: string): ManifestDocument[] {
  const lineCounter = new LineCounter();
  // NOTE: this is the YAML 1.2 core schema, while kubectl reads YAML 1.1 (go-yaml). Unquoted
  // `0644` becomes 644 here and 420 in kubectl, and `yes`/`on` stay strings here but become true.
  const documents = parseAllDocuments(text, {
    lineCounter,
    // prettyErrors would append the offending source lines to messages, and those may hold secrets.
    prettyErrors: false,
    // kubectl reads YAML with go-yaml, which resolves `<<` merge keys.
    merge: true,
    // Warnings are written to stderr by default and may quote keys from the file.
    logLevel: 'error',
  });
  // Errors at the end of the text, such as an unclosed quote, point past the last character.
  // They are reported on the last line, because an editor shows no line after it.
  const lastOffset = Math.max(text.trimEnd().length - 1, 0);
  const lineAt = (offset: number): number => lineCounter.linePos(Math.min(offset, lastOffset)).line;
  const format = path.extname(fileName).toLowerCase() === '.json' ? 'JSON' : 'YAML';

  const manifests: ManifestDocument[] = [];
  documents.forEach((document, documentIndex) => {
    const parseError = document.errors[0];
    if (parseError !== undefined) {
      const line = lineAt(parseError.pos[0]);
      throw new ManifestError(fileName, line, `${fileName}:${line}: invalid ${format}: ${redactSource(parseError.message)}`);
    }

    const line = lineAt(document.contents?.range[0] ?? document.range[0]);
    const value = toPlainValue(document, fileName, line);
    if (value === null || value === undefined) {
      return;
    }

    const source = { file: fileName, line, documentIndex };
    const label = `document ${documentIndex + 1}`;
    manifests.push(...flattenLists(value, document.contents, source, label, lineAt));
  });
  return manifests;
}

// Appends the manifest files under `inputPath` to `files`. A path named by the caller must be a
// manifest file or a folder. Inside folders, other files are skipped so that a README can sit
// next to the manifests.
async function collectFiles(inputPath: string, named: boolean, visited: Set<string>, files: string[]): Promise<void> {
  const stats = await stat(inputPath).catch((error: unknown) => {
    throw fileError(inputPath, error);
  });

  if (stats.isDirectory()) {
    const realPath = await realpath(inputPath);
    if (visited.has(realPath)) {
      return;
    }
    visited.add(realPath);

    const entries = await readdir(inputPath).catch((error: unknown) => {
      throw fileError(inputPath, error);
    });
    // Plain code-unit order, not localeCompare, so the order is the same on every machine.
    const names = entries.filter((name) => !name.startsWith('.')).sort();
    for (const name of names) {
      await collectFiles(path.join(inputPath, name), false, visited, files);
    }
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

  const realPath = await realpath(inputPath);
  if (visited.has(realPath)) {
    return;
  }
  visited.add(realPath);
  files.push(inputPath);
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

function toPlainValue(document: Document.Parsed, fileName: string, line: number): unknown {
  try {
    return document.toJS();
  } catch (error) {
    // toJS throws a ReferenceError when aliases expand past maxAliasCount (a "billion laughs" document).
    const reason = error instanceof Error ? error.message : String(error);
    throw new ManifestError(fileName, line, `${fileName}:${line}: invalid YAML: ${redactSource(reason)}`);
  }
}

/**
 * Returns the objects of one value: the value itself, or the items of a list, recursively.
 * `node` is the YAML node of `value` when known, used to find each item's line.
 */
function flattenLists(
  value: unknown,
  node: unknown,
  source: ManifestSource,
  label: string,
  lineAt: (offset: number) => number,
): ManifestDocument[] {
  const object = requireObject(value, source, label);
  if (!isListObject(object)) {
    return [{ object, source }];
  }

  const items = object.items ?? [];
  if (!Array.isArray(items)) {
    throw manifestError(source, `${label} is a ${String(object.kind)} whose items field is ${describeType(items)}, not a list`);
  }

  // With aliases or merge keys the items may not sit under this node; their lines fall back to the list's.
  const itemsNode = isMap(node) ? node.get('items', true) : undefined;
  const itemNodes = isSeq(itemsNode) && itemsNode.items.length === items.length ? itemsNode.items : [];

  return items.flatMap((item: unknown, itemIndex) => {
    const itemNode = itemNodes[itemIndex];
    const itemStart = isNode(itemNode) ? itemNode.range?.[0] : undefined;
    const itemSource = { ...source, line: itemStart === undefined ? source.line : lineAt(itemStart) };
    const itemLabel = `${label}, item ${itemIndex + 1}`;
    return flattenLists(withListTypeDefaults(item, object), itemNode, itemSource, itemLabel, lineAt);
  });
}

// `kind: List` is the generic list kubectl writes; `PodList`, `NetworkPolicyList` and the like are
// what the API server returns. A kind that merely ends in "List" without items is left alone.
function isListObject(object: Record<string, unknown>): boolean {
  if (object.kind === 'List') {
    return true;
  }
  return typeof object.kind === 'string' && object.kind.endsWith('List') && Array.isArray(object.items);
}

// The API server omits apiVersion and kind on the items of a typed list such as PodList, so they
// are taken from the list. Items of `kind: List` must carry their own.
function withListTypeDefaults(item: unknown, list: Record<string, unknown>): unknown {
  if (list.kind === 'List' || !isPlainObject(item)) {
    return item;
  }

  const itemKind = String(list.kind).slice(0, -'List'.length);
  return { apiVersion: list.apiVersion, kind: itemKind, ...item };
}

function requireObject(value: unknown, source: ManifestSource, label: string): Record<string, unknown> {
  if (!isPlainObject(value)) {
    throw manifestError(source, `${label} is ${describeType(value)}, not an object; ${REQUIRED_FIELDS_HINT}`);
  }

  for (const field of ['apiVersion', 'kind']) {
    const fieldValue = value[field];
    if (fieldValue === undefined || fieldValue === null || fieldValue === '') {
      throw manifestError(source, `${label} has no ${field}; ${REQUIRED_FIELDS_HINT}`);
    }
    if (typeof fieldValue !== 'string') {
      throw manifestError(source, `${label} has ${describeType(fieldValue)} as ${field}, expected a string`);
    }
  }
  return value;
}

function manifestError(source: ManifestSource, description: string): ManifestError {
  return new ManifestError(source.file, source.line, `${source.file}:${source.line}: ${description}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Names the type of a value without showing the value, which may be secret.
function describeType(value: unknown): string {
  if (value === null || value === undefined) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'a list';
  }
  if (typeof value === 'object') {
    return 'a mapping';
  }
  return `a ${typeof value}`;
}

// Messages of the yaml package that quote text from the file, cut before the quoted part.
const SOURCE_QUOTING_PREFIXES = [
  'Block scalar header includes extra characters',
  'Ordered maps must not include duplicate keys',
];

/** Removes the parts of a yaml parser message that quote the file, which may be secret. */
function redactSource(message: string): string {
  const firstLine = message.split('\n', 1)[0] ?? '';
  const prefix = SOURCE_QUOTING_PREFIXES.find((candidate) => firstLine.startsWith(candidate));
  if (prefix !== undefined) {
    return prefix;
  }
  // Several messages end in the offending token as a JSON string, such as `...: "value"`.
  return firstLine.replace(/:?\s*"(?:[^"\\]|\\.)*"/g, '').trim();
}
