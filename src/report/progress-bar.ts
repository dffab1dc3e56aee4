const BAR_WIDTH = 30;
const REDRAW_INTERVAL_MS = 100;

export interface ProgressBarOptions {
  stream: NodeJS.WritableStream;
  totalBytes: number;
  /** Monotonic clock in ms; passed in so tests can drive it. */
  clock: () => number;
}

/** A one-line progress bar redrawn in place with `\r`, at most every 100 ms; cleared when done. */
export class ProgressBar {
  private doneBytes = 0;
  private lastDrawMs = -Infinity;

  constructor(private readonly options: ProgressBarOptions) {}

  /** Account for `bytes` more read, redrawing if enough time passed. */
  advance(bytes: number): void {
    this.doneBytes += bytes;
    const nowMs = this.options.clock();
    if (nowMs - this.lastDrawMs < REDRAW_INTERVAL_MS) return;
    this.lastDrawMs = nowMs;
    this.options.stream.write(`\r${renderProgressLine(this.doneBytes, this.options.totalBytes)}`);
  }

  /** Erase the bar so the report starts on a clean line. */
  finish(): void {
    if (this.lastDrawMs === -Infinity) return;
    this.options.stream.write(`\r${' '.repeat(BAR_WIDTH + 40)}\r`);
  }
}

/** The text of the bar: `reading [#####.....]  45%  300/650 MB`. */
export function renderProgressLine(doneBytes: number, totalBytes: number): string {
  const fraction = totalBytes === 0 ? 1 : Math.min(1, doneBytes / totalBytes);
  const filled = Math.round(fraction * BAR_WIDTH);
  const megabytes = (bytes: number): string => (bytes / 1_048_576).toFixed(0);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `reading [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${percent}  ${megabytes(doneBytes)}/${megabytes(totalBytes)} MB`;
}
