/** How long a cluster read runs before a counter appears, in milliseconds; quicker reads print nothing. */
export const PROGRESS_DELAY_MS = 1000;

/**
 * A one-line counter of objects read, rewritten in place on a terminal. It
 * appears only once the read has taken `delayMs`, and prints nothing at all
 * when disabled (stderr is not a terminal, or --quiet).
 */
export class ProgressCounter {
  private objects = 0;
  private kind = '';
  private visible = false;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    enabled: boolean,
    delayMs = PROGRESS_DELAY_MS,
  ) {
    if (!enabled) return;
    this.timer = setTimeout(() => {
      this.visible = true;
      this.render();
    }, delayMs);
    // A pending counter must not keep the process alive after the work is done.
    this.timer.unref();
  }

  update(objects: number, kind: string): void {
    this.objects = objects;
    this.kind = kind;
    if (this.visible) this.render();
  }

  /** Stops the counter and erases its line, so the report starts on a clean line. */
  finish(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.visible) this.stream.write('\r\u001b[2K');
    this.visible = false;
  }

  private render(): void {
    const kind = this.kind === '' ? '' : ` (listing ${this.kind})`;
    this.stream.write(`\r\u001b[2Kreading cluster: ${this.objects} objects${kind}`);
  }
}
