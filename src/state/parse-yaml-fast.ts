/**
 * Reads a YAML stream with js-yaml, many times faster than the `yaml` package. It returns
 * undefined wherever the result could differ from the `yaml` package's, which then parses the
 * whole text instead. These cases are a stream that the splitter cannot cut, a document that
 * js-yaml rejects, and objects that fail the manifest checks, so that every error keeps the
 * `yaml` package's line and message.
 */
import { load, YAMLException } from 'js-yaml';
import { ManifestError, type ManifestDocument } from './manifest-document.js';
import { flattenLists, isListObject, isPlainObject } from './manifest-objects.js';
import { parseWithYamlPackage } from './parse-yaml-package.js';
import { splitYamlStream, type YamlDocumentText } from './split-yaml-stream.js';
import { YAML_CORE_SCHEMA } from './yaml-core-schema.js';

// Syntax that the `yaml` package reads its own way. A document using it goes to that package, even
// when the characters only sit inside a string. The `yaml` package limits alias expansion, keeps
// unknown tags as strings, merges `<<` keys, turns a null key into "" where js-yaml gives "null",
// and stringifies a collection key differently.
const NEEDS_YAML_PACKAGE = new RegExp(
  [
    String.raw`[&*!]|<<`,
    // A block key that is empty, null, or explicit (`? key`).
    String.raw`^[ \t]*(?:-[ \t]+)*(?:\?|(?:~|null|Null|NULL)?[ \t]*:)(?:[ \t\r]|$)`,
    // A flow key that is empty, null, or explicit.
    String.raw`[{,[][ \t]*(?:\?|(?:~|null|Null|NULL)?[ \t]*:)`,
    // A key that is a flow collection.
    String.raw`[\]}][ \t]*:(?:[ \t\r]|$)`,
  ].join('|'),
  'm',
);

// The `yaml` package rejects an implicit key whose `:` comes more than 1024 characters after the
// key's start (yaml 2.x, `compose/resolve-block-map.js`), and js-yaml accepts it.
const MAX_IMPLICIT_KEY_LENGTH = 1024;

/** Parses a YAML stream, or returns undefined when the `yaml` package must parse it. */
export function parseYamlFast(text: string, fileName: string): ManifestDocument[] | undefined {
  const documents = splitYamlStream(text);
  if (documents === undefined) {
    return undefined;
  }

  const manifests: ManifestDocument[] = [];
  try {
    for (let documentIndex = 0; documentIndex < documents.length; documentIndex++) {
      const parsed = parseDocument(documents[documentIndex]!, documentIndex, fileName);
      if (parsed === undefined) {
        return undefined;
      }
      for (const manifest of parsed) {
        manifests.push(manifest);
      }
    }
  } catch (error) {
    // js-yaml's messages quote the source, which may be secret, so only the `yaml` package's redacted ones are shown.
    if (error instanceof YAMLException || error instanceof ManifestError) {
      return undefined;
    }
    throw error;
  }
  return manifests;
}

// Throws YAMLException or ManifestError, which make the caller fall back to the `yaml` package.
function parseDocument(document: YamlDocumentText, documentIndex: number, fileName: string): ManifestDocument[] | undefined {
  if (document.contentLine === undefined) {
    return [];
  }
  if (NEEDS_YAML_PACKAGE.test(document.text) || mayHaveLongImplicitKey(document)) {
    return parseWithYamlPackageAt(document, documentIndex, fileName);
  }

  const value = load(document.text, { schema: YAML_CORE_SCHEMA });
  if (value === null || value === undefined) {
    return [];
  }
  // js-yaml keeps no positions, and the `yaml` package's nodes give each list item its own line.
  if (isPlainObject(value) && isListObject(value)) {
    return parseWithYamlPackageAt(document, documentIndex, fileName);
  }

  const source = { file: fileName, line: document.contentLine, documentIndex };
  return flattenLists(value, undefined, source, `document ${documentIndex + 1}`);
}

// A document cut out of the stream parses alone as it does in the stream, because the splitter
// gives up on directives and `...` markers, the only things that carry over between documents.
function parseWithYamlPackageAt(document: YamlDocumentText, documentIndex: number, fileName: string): ManifestDocument[] | undefined {
  const parsed = parseWithYamlPackage(document.text, fileName, { lineOffset: document.firstLine - 1, documentOffset: documentIndex });
  return parsed.documentCount === 1 ? parsed.manifests : undefined;
}

// Looks for a `:` followed by whitespace or the line end at or past the key length limit on any
// line, which is cheap because long lines are rare and the splitter measured them.
function mayHaveLongImplicitKey(document: YamlDocumentText): boolean {
  if (document.maxLineLength <= MAX_IMPLICIT_KEY_LENGTH) {
    return false;
  }

  const { text } = document;
  let lineStart = 0;
  while (lineStart < text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    for (let colon = text.indexOf(':', lineStart + MAX_IMPLICIT_KEY_LENGTH); colon !== -1 && colon < lineEnd; colon = text.indexOf(':', colon + 1)) {
      const next = colon + 1 === lineEnd ? ' ' : text[colon + 1];
      if (next === ' ' || next === '\t' || next === '\r') {
        return true;
      }
    }
    lineStart = lineEnd + 1;
  }
  return false;
}
