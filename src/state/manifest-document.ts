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
