/**
 * Parses manifests with the `yaml` package, which reports precise lines for errors and list items.
 * It is the reference that the faster paths in parse-fast.ts must match.
 */
import path from 'node:path';
import { isMap, isNode, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml';
import { ManifestError, type ManifestDocument } from './manifest-document.js';
import { flattenLists, type ListItemLocator } from './manifest-objects.js';

/** Position of a piece of text inside its file, for text cut out of a larger stream. */
export interface TextOrigin {
  /** Number of lines in the file before the text. */
  lineOffset: number;
  /** Number of documents in the file before the text. */
  documentOffset: number;
}

/** Objects found in a piece of text and how many YAML documents it held, empty ones included. */
export interface ParsedText {
  manifests: ManifestDocument[];
  documentCount: number;
}

/**
 * Parses the YAML or JSON text of one file or stream with the `yaml` package.
 * A name ending in .json turns "invalid YAML" into "invalid JSON". Throws ManifestError.
 */
export function parseWithYamlPackage(text: string, fileName: string, origin: TextOrigin = { lineOffset: 0, documentOffset: 0 }): ParsedText {
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
  const lineAt = (offset: number): number => lineCounter.linePos(Math.min(offset, lastOffset)).line + origin.lineOffset;
  const format = path.extname(fileName).toLowerCase() === '.json' ? 'JSON' : 'YAML';

  const manifests: ManifestDocument[] = [];
  documents.forEach((document, index) => {
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

    const documentIndex = origin.documentOffset + index;
    const source = { file: fileName, line, documentIndex };
    const locator = new YamlNodeLocator(document.contents, lineAt);
    for (const manifest of flattenLists(value, locator, source, `document ${documentIndex + 1}`)) {
      manifests.push(manifest);
    }
  });
  return { manifests, documentCount: documents.length };
}

/** Finds list items through the YAML nodes of the list. */
class YamlNodeLocator implements ListItemLocator {
  constructor(
    private readonly node: unknown,
    private readonly lineAt: (offset: number) => number,
  ) {}

  locateItems(itemCount: number): Array<{ line: number | undefined; locator: ListItemLocator | undefined }> {
    // With aliases or merge keys the items may not sit under this node; their lines fall back to the list's.
    const itemsNode = isMap(this.node) ? this.node.get('items', true) : undefined;
    if (!isSeq(itemsNode) || itemsNode.items.length !== itemCount) {
      return [];
    }

    return itemsNode.items.map((itemNode) => {
      const itemStart = isNode(itemNode) ? itemNode.range?.[0] : undefined;
      return {
        line: itemStart === undefined ? undefined : this.lineAt(itemStart),
        locator: new YamlNodeLocator(itemNode, this.lineAt),
      };
    });
  }
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
