/** Cuts a YAML stream into its documents at `---` lines, so that each can be parsed on its own. */

/** One document of a YAML stream as text. */
export interface YamlDocumentText {
  /** The document from its `---` line (or the start of the stream) up to the next `---` line. */
  text: string;
  /** 1-based line in the stream where `text` starts. */
  firstLine: number;
  /** 1-based line of the document's first line that is neither blank nor a comment, if any. */
  contentLine: number | undefined;
  /** Length of the document's longest line in UTF-16 code units, without its line feed. */
  maxLineLength: number;
}

const HYPHEN = 0x2d;
const PERIOD = 0x2e;
const PERCENT = 0x25;
const HASH = 0x23;
const SPACE = 0x20;
const TAB = 0x09;
const CARRIAGE_RETURN = 0x0d;
const BYTE_ORDER_MARK = 0xfeff;

/**
 * Splits a YAML stream into documents the way the YAML 1.2 spec does. A `---` at column 0,
 * followed by whitespace or the end of the line, starts a document. Comments before the first
 * `---` belong to the document that it starts. Like the `yaml` package, the split counts a
 * document between two `---` lines even when it is empty.
 * Returns undefined for a stream that needs the full parser to be split: one with content on a
 * `---` line, a `...` document end marker, a `%` directive or a byte order mark.
 */
export function splitYamlStream(text: string): YamlDocumentText[] | undefined {
  if (text.charCodeAt(0) === BYTE_ORDER_MARK) {
    return undefined;
  }

  const documents: YamlDocumentText[] = [];
  let documentStart = 0;
  let documentFirstLine = 1;
  let contentLine: number | undefined;
  let maxLineLength = 0;
  let afterMarker = false;

  let lineStart = 0;
  let line = 1;
  while (lineStart < text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const first = text.charCodeAt(lineStart);

    if (first === PERCENT) {
      return undefined;
    }
    if ((first === HYPHEN || first === PERIOD) && isDocumentMarker(text, lineStart, lineEnd, first)) {
      if (first === PERIOD || !isBlank(text, lineStart + 3, lineEnd)) {
        return undefined;
      }
      if (afterMarker || contentLine !== undefined) {
        documents.push({ text: text.slice(documentStart, lineStart), firstLine: documentFirstLine, contentLine, maxLineLength });
      }
      documentStart = lineStart;
      documentFirstLine = line;
      contentLine = undefined;
      maxLineLength = 0;
      afterMarker = true;
    } else if (contentLine === undefined && !isBlankOrComment(text, lineStart, lineEnd)) {
      contentLine = line;
    }
    maxLineLength = Math.max(maxLineLength, lineEnd - lineStart);

    lineStart = lineEnd + 1;
    line++;
  }

  if (afterMarker || contentLine !== undefined) {
    documents.push({ text: text.slice(documentStart), firstLine: documentFirstLine, contentLine, maxLineLength });
  }
  return documents;
}

// `---` or `...` at column 0 followed by the end of the line, a space or a tab.
function isDocumentMarker(text: string, lineStart: number, lineEnd: number, first: number): boolean {
  if (lineEnd - lineStart < 3 || text.charCodeAt(lineStart + 1) !== first || text.charCodeAt(lineStart + 2) !== first) {
    return false;
  }
  const next = lineStart + 3 === lineEnd ? SPACE : text.charCodeAt(lineStart + 3);
  return next === SPACE || next === TAB || next === CARRIAGE_RETURN;
}

function isBlank(text: string, start: number, end: number): boolean {
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index);
    if (code !== SPACE && code !== TAB && code !== CARRIAGE_RETURN) {
      return false;
    }
  }
  return true;
}

function isBlankOrComment(text: string, start: number, end: number): boolean {
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index);
    if (code === HASH) {
      return true;
    }
    if (code !== SPACE && code !== TAB && code !== CARRIAGE_RETURN) {
      return false;
    }
  }
  return true;
}
