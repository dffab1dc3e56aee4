/** Receives what a LineSplitter finds. */
export interface LineSink {
  onLine(line: Buffer): void;
  /** A line longer than the limit, dropped without being buffered whole. */
  onOversized(): void;
}

const NEWLINE = 0x0a;

/**
 * Splits a byte stream into lines of at most `maxLineBytes` bytes. Unlike
 * readline it never holds more than the limit of one line: past it the
 * splitter drops bytes until the next newline and reports the line as
 * oversized, so a 10 MB (or endless) line costs no memory. Lines are handed
 * over as Buffers so that only lines worth parsing are decoded.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private skipping = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly sink: LineSink,
  ) {}

  /** Feed the next chunk. */
  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline === -1) {
        this.keep(chunk.subarray(start));
        return;
      }
      this.keep(chunk.subarray(start, newline));
      this.emit();
      start = newline + 1;
    }
  }

  /** Flush a last line that has no newline. */
  end(): void {
    if (this.pendingBytes > 0 || this.skipping) this.emit();
  }

  private keep(piece: Buffer): void {
    if (piece.length === 0 || this.skipping) return;
    if (this.pendingBytes + piece.length > this.maxLineBytes) {
      this.skipping = true;
      this.pending = [];
      this.pendingBytes = 0;
      return;
    }
    this.pending.push(piece);
    this.pendingBytes += piece.length;
  }

  private emit(): void {
    if (this.skipping) {
      this.skipping = false;
      this.sink.onOversized();
      return;
    }
    const line = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.sink.onLine(line);
  }
}
