import type { LineResult } from './line-source.js';

/** Bytes cut into lines as they arrive, whichever way they are read (a stream, or fd 0 read by hand). */
export interface LineBuffer {
  push(chunk: Buffer): void;
  /**
   * The next line; `too-long` once more than `maxLineBytes` are held without a newline; at the end
   * of input (`ended`) the unterminated rest, then `eof`. Undefined while more bytes are needed.
   */
  take(ended: boolean): LineResult | undefined;
  /** True when reading more would only grow a line that is already refused. */
  isOverLimit(): boolean;
}

/** A line buffer that never holds more than one refused line's `maxLineBytes` plus the last chunk read. */
export function createLineBuffer(maxLineBytes: number): LineBuffer {
  let buffered: Buffer = Buffer.alloc(0);
  const isOverLimit = () => buffered.length > maxLineBytes && !buffered.subarray(0, maxLineBytes + 1).includes(10);
  return {
    push(chunk) {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    },
    take(ended) {
      const newline = buffered.indexOf(10);
      if (newline !== -1 && newline <= maxLineBytes) {
        const line = buffered.subarray(0, newline).toString('utf8').replace(/\r$/, '');
        buffered = buffered.subarray(newline + 1);
        return { kind: 'line', line };
      }
      if (buffered.length > maxLineBytes) return { kind: 'too-long' };
      if (!ended) return undefined;
      if (buffered.length === 0) return { kind: 'eof' };
      const line = buffered.toString('utf8');
      buffered = Buffer.alloc(0);
      return { kind: 'line', line };
    },
    isOverLimit,
  };
}
