// Serves the webhook's certificate from files and swaps it in when the files
// change, so a renewed certificate (cert-manager, a rotated Secret) takes
// effect without a restart. Follows the pattern of cert-manager's
// dynamic_source and controller-runtime's certwatcher.
import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type https from 'node:https';
import type tls from 'node:tls';
import type { Logger } from 'pino';
import type { CertificateDescription } from './certificates.js';
import {
  MIN_TLS_VERSION,
  readTlsFiles,
  secureContextOptions,
  validateTlsFiles,
  type LoadedTls,
  type TlsFileContents,
} from './tls-files.js';

export { MIN_TLS_VERSION, TlsFileError } from './tls-files.js';

/**
 * Interval of the polling check. It backs up fs.watch, which misses changes
 * on some file systems (network mounts) and after a watched directory is
 * replaced. controller-runtime's certwatcher polls every 10 seconds too.
 */
export const DEFAULT_POLL_INTERVAL_MS = 10_000;

// Writers replace the certificate and the key as two separate files, so one
// check after a burst of events avoids loading a certificate with the old key.
const WATCH_DEBOUNCE_MS = 100;

export interface TlsSourceOptions {
  certFile: string;
  keyFile: string;
  /** CA bundle passed as `ca` to the secure context. Node uses it to verify client certificates. */
  caFile?: string;
  logger: Logger;
  pollIntervalMs?: number;
  onReload?: (certificate: CertificateDescription) => void;
  onReloadError?: (error: Error) => void;
}

export interface TlsSourceEvents {
  reload: [certificate: CertificateDescription];
  reloadError: [error: Error];
}

export type SniCallback = (servername: string, callback: (error: Error | null, context?: tls.SecureContext) => void) => void;

/**
 * Source of the current certificate and key. `start()` loads them and then
 * watches the files. A change that fails validation keeps the previous
 * certificate, logs the error and emits `reloadError`.
 */
export class TlsSource extends EventEmitter<TlsSourceEvents> {
  private readonly options: TlsSourceOptions;
  private readonly logger: Logger;
  private current: LoadedTls | undefined;
  private lastFailureKey: string | undefined;
  private watchers: FSWatcher[] = [];
  private servers = new Set<tls.Server>();
  private pollTimer: NodeJS.Timeout | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private checkAgain = false;
  private stopped = false;

  constructor(options: TlsSourceOptions) {
    super();
    this.options = options;
    this.logger = options.logger;
    if (options.onReload !== undefined) this.on('reload', options.onReload);
    if (options.onReloadError !== undefined) this.on('reloadError', options.onReloadError);
  }

  /** Loads the files and starts watching them. Throws TlsFileError naming the invalid file. */
  async start(): Promise<void> {
    if (this.current !== undefined) {
      throw new Error('TlsSource already started');
    }

    const loaded = validateTlsFiles(this.options, await readTlsFiles(this.options));
    this.current = loaded;
    this.stopped = false;
    this.logger.info({ ...this.fileFields(), ...certificateFields(loaded.description) }, 'tls certificate loaded');

    this.startWatching();
    const pollIntervalMs = this.options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.pollTimer = setInterval(() => this.requestCheck(), pollIntervalMs);
    this.pollTimer.unref();
  }

  /** Stops watching. The loaded certificate stays usable for open servers. */
  stop(): void {
    this.stopped = true;
    for (const watcher of this.watchers) watcher.close();
    this.watchers = [];
    clearInterval(this.pollTimer);
    clearTimeout(this.debounceTimer);
    this.pollTimer = undefined;
    this.debounceTimer = undefined;
    this.servers.clear();
  }

  /** True while a certificate is loaded and has not expired. */
  healthy(now: Date = new Date()): boolean {
    if (this.current === undefined) return false;
    return now.getTime() < this.current.description.notAfter.getTime();
  }

  get certificate(): CertificateDescription | undefined {
    return this.current?.description;
  }

  /** Returns the secure context of the current certificate, for new connections. */
  getSecureContext(): tls.SecureContext {
    return this.loaded().secureContext;
  }

  /** Returns the current PEM contents, for a server's initial `cert` and `key` options. */
  getContents(): TlsFileContents {
    return this.loaded();
  }

  /**
   * SNI callback for `tls` and `https` servers. Node calls it only when the
   * client sends SNI, which the API server does because it dials a host name.
   * Call `attach(server)` so clients that send no SNI get the new certificate too.
   */
  readonly SNICallback: SniCallback = (_servername, callback) => {
    try {
      callback(null, this.getSecureContext());
    } catch (error) {
      callback(error instanceof Error ? error : new Error(String(error)));
    }
  };

  /**
   * Replaces the default secure context of `server` on every reload. Open
   * connections keep the context they started with. setSecureContext resets
   * every TLS option it is not given, so a server with extra options such as
   * `ciphers` must not be attached.
   */
  attach(server: tls.Server): void {
    this.servers.add(server);
  }

  /**
   * Reads the files now and swaps the certificate in when they changed and
   * are valid. The watchers call this; tests and signal handlers may too.
   */
  async checkForChanges(): Promise<void> {
    if (this.checking !== undefined) {
      this.checkAgain = true;
      return this.checking;
    }

    this.checking = this.runChecks();
    try {
      await this.checking;
    } finally {
      this.checking = undefined;
    }
  }

  private async runChecks(): Promise<void> {
    do {
      this.checkAgain = false;
      await this.checkOnce();
    } while (this.checkAgain && !this.stopped);
  }

  private async checkOnce(): Promise<void> {
    let contents: TlsFileContents;
    try {
      contents = await readTlsFiles(this.options);
    } catch (error) {
      // A missing file is reported once until the error changes, because the
      // polling check would otherwise log it every interval.
      this.reportFailure(`read:${errorMessage(error)}`, error);
      return;
    }

    if (contents.contentHash === this.current?.contentHash) {
      this.lastFailureKey = undefined;
      return;
    }
    if (contents.contentHash === this.lastFailureKey) return;

    let loaded: LoadedTls;
    try {
      loaded = validateTlsFiles(this.options, contents);
    } catch (error) {
      this.reportFailure(contents.contentHash, error);
      return;
    }

    this.current = loaded;
    this.lastFailureKey = undefined;
    for (const server of this.servers) {
      server.setSecureContext(secureContextOptions(loaded));
    }
    this.logger.info({ ...this.fileFields(), ...certificateFields(loaded.description) }, 'tls certificate reloaded');
    this.emit('reload', loaded.description);
  }

  private reportFailure(failureKey: string, error: unknown): void {
    if (failureKey === this.lastFailureKey) return;

    this.lastFailureKey = failureKey;
    const err = error instanceof Error ? error : new Error(String(error));
    this.logger.error(
      { err, ...this.fileFields(), fingerprintSha256: this.current?.description.fingerprintSha256 },
      'tls certificate reload failed, keeping the previous certificate',
    );
    this.emit('reloadError', err);
  }

  // Watching the directories instead of the files catches replacement by
  // rename, which is how editors and the kubelet's atomic writer (the `..data`
  // symlink swap of Secret volumes) update files.
  private startWatching(): void {
    const files = [this.options.certFile, this.options.keyFile, this.options.caFile];
    const directories = new Set(files.filter((file) => file !== undefined).map((file) => dirname(file)));

    for (const directory of directories) {
      try {
        const watcher = watch(directory, { persistent: false }, () => this.requestCheck());
        watcher.on('error', (error) => {
          this.logger.warn({ err: error, directory }, 'tls file watch failed, polling only');
          watcher.close();
        });
        this.watchers.push(watcher);
      } catch (error) {
        this.logger.warn({ err: error, directory }, 'tls file watch failed, polling only');
      }
    }
  }

  private requestCheck(): void {
    if (this.stopped) return;

    clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = undefined;
      // checkOnce catches file errors itself, so this catches a throwing
      // `reload` listener or setSecureContext, which must not crash the server.
      this.checkForChanges().catch((error: unknown) => {
        this.logger.error({ err: error, ...this.fileFields() }, 'tls certificate check failed');
      });
    }, WATCH_DEBOUNCE_MS);
    this.debounceTimer.unref();
  }

  private loaded(): LoadedTls {
    if (this.current === undefined) {
      throw new Error('TlsSource has no certificate: call start() first');
    }
    return this.current;
  }

  private fileFields(): Record<string, string> {
    const fields: Record<string, string> = { certFile: this.options.certFile, keyFile: this.options.keyFile };
    if (this.options.caFile !== undefined) fields.caFile = this.options.caFile;
    return fields;
  }
}

export type HttpsServerOptions = https.ServerOptions & { minVersion: tls.SecureVersion; SNICallback: SniCallback };

/**
 * Returns options for `https.createServer` and fastify's `https` option: the
 * current certificate as the default, TLS 1.2 as the minimum, and the SNI
 * callback that hands new connections the latest certificate.
 */
export function httpsServerOptions(source: TlsSource): HttpsServerOptions {
  const contents = source.getContents();
  const options: HttpsServerOptions = {
    minVersion: MIN_TLS_VERSION,
    SNICallback: source.SNICallback,
    cert: contents.certPem,
    key: contents.keyPem,
  };
  if (contents.caPem !== undefined) options.ca = contents.caPem;
  return options;
}

function certificateFields(description: CertificateDescription): Record<string, unknown> {
  return {
    subject: description.subject,
    dnsNames: description.dnsNames,
    notAfter: description.notAfter.toISOString(),
    fingerprintSha256: description.fingerprintSha256,
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
