/**
 * Reads a JSON manifest with JSON.parse, many times faster than the YAML parser. It returns
 * undefined wherever the result could differ from the `yaml` package's, which then parses the
 * text instead. These cases are invalid JSON, objects that fail the manifest checks, lists
 * nested in lists, and duplicate keys, because JSON.parse keeps the last one where the `yaml`
 * package rejects them.
 */
import { ManifestError, type ManifestDocument } from './manifest-document.js';
import { flattenLists, type ListItemLocator } from './manifest-objects.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Parses text whose first character other than whitespace is `{`, or returns undefined. */
export function parseJsonManifest(text: string, fileName: string): ManifestDocument[] | undefined {
  const start = skipWhitespace(text, 0);
  if (text.charCodeAt(start) !== OPEN_BRACE) {
    return undefined;
  }

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) {
      return undefined;
    }
    throw error;
  }

  const scan = scanJson(text);
  if (scan.keyCount !== countKeys(value)) {
    return undefined;
  }

  const lines = new LineFinder(text);
  const source = { file: fileName, line: lines.lineAt(start), documentIndex: 0 };
  const locator = new TopLevelItemLocator(scan.itemOffsets.map((offset) => lines.lineAt(offset)));
  try {
    const manifests = flattenLists(value, locator, source, 'document 1');
    return locator.complete ? manifests : undefined;
  } catch (error) {
    if (error instanceof ManifestError) {
      return undefined;
    }
    throw error;
  }
}

interface JsonScan {
  /** Number of keys in all objects, duplicates included. */
  keyCount: number;
  /** Offsets where the elements of the top-level object's `items` array start. */
  itemOffsets: number[];
}

// Scans text that JSON.parse accepted, so it needs no validation. An `items` key written with
// escapes is not recognized, and the locator then finds too few items and gives up.
function scanJson(text: string): JsonScan {
  const itemOffsets: number[] = [];
  let keyCount = 0;
  let depth = 0;
  let itemsDepth = -1;
  let expectItem = false;
  let afterItemsKey = false;

  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (isWhitespace(code)) {
      continue;
    }
    if (expectItem) {
      expectItem = false;
      if (code !== CLOSE_BRACKET) {
        itemOffsets.push(index);
      }
    }
    const itemsValueStart = afterItemsKey && code !== COLON;
    if (code !== COLON) {
      afterItemsKey = false;
    }

    switch (code) {
      case QUOTE: {
        const end = endOfString(text, index);
        if (text.charCodeAt(skipWhitespace(text, end + 1)) === COLON) {
          keyCount++;
          afterItemsKey = depth === 1 && end - index === 6 && text.startsWith('items', index + 1);
        }
        index = end;
        break;
      }
      case OPEN_BRACE:
        depth++;
        break;
      case OPEN_BRACKET:
        depth++;
        if (itemsValueStart && itemsDepth === -1) {
          itemsDepth = depth;
          expectItem = true;
        }
        break;
      case CLOSE_BRACE:
        depth--;
        break;
      case CLOSE_BRACKET:
        if (depth === itemsDepth) {
          itemsDepth = -2;
        }
        depth--;
        break;
      case COMMA:
        expectItem = depth === itemsDepth;
        break;
    }
  }
  return { keyCount, itemOffsets };
}

// Returns the offset of the closing quote of the string that starts at `start`.
function endOfString(text: string, start: number): number {
  for (let index = start + 1; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === BACKSLASH) {
      index++;
    } else if (code === QUOTE) {
      return index;
    }
  }
  return text.length;
}

function countKeys(value: unknown): number {
  if (Array.isArray(value)) {
    let count = 0;
    for (const element of value) {
      count += countKeys(element);
    }
    return count;
  }
  if (typeof value === 'object' && value !== null) {
    let count = 0;
    for (const key of Object.keys(value)) {
      count += 1 + countKeys((value as Record<string, unknown>)[key]);
    }
    return count;
  }
  return 0;
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

function skipWhitespace(text: string, start: number): number {
  let index = start;
  while (index < text.length && isWhitespace(text.charCodeAt(index))) {
    index++;
  }
  return index;
}

/** Converts increasing offsets to 1-based lines, counting each newline once. */
class LineFinder {
  private offset = 0;
  private line = 1;

  constructor(private readonly text: string) {}

  lineAt(offset: number): number {
    for (let newline = this.text.indexOf('\n', this.offset); newline !== -1 && newline < offset; newline = this.text.indexOf('\n', newline + 1)) {
      this.line++;
      this.offset = newline + 1;
    }
    return this.line;
  }
}

/**
 * Gives the lines of the top-level list's items. Asked for anything else (a nested list, or a
 * list whose item count differs from the scan), it marks itself incomplete.
 */
class TopLevelItemLocator implements ListItemLocator {
  complete = true;

  constructor(private readonly itemLines: number[]) {}

  locateItems(itemCount: number): Array<{ line: number | undefined; locator: ListItemLocator | undefined }> {
    if (itemCount !== this.itemLines.length) {
      this.complete = false;
      return [];
    }
    const nested: ListItemLocator = {
      locateItems: () => {
        this.complete = false;
        return [];
      },
    };
    return this.itemLines.map((line) => ({ line, locator: nested }));
  }
}
