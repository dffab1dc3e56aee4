import type { Readable } from 'node:stream';
import { createLineBuffer } from './line-buffer.js';

export type LineResult = { kind: 'line'; line: string } | { kind: 'eof' } | { kind: 'timeout' } | { kind: 'too-long' };

/** Lines read one at a time from a stream that may never close (Wazuh's execd keeps our stdin open). */
export interface LineSource {
  nextLine(timeoutMs: number): Promise<LineResult>;
  close(): void;
}

/**
 * Read lines on demand without waiting for end of stream: execd writes one message, waits for
 * our check_keys, then writes one reply, and never closes the pipe. A line longer than
 * `maxLineBytes` stops reading at once instead of buffering without bound.
 */
export function createLineSource(stream: Readable, maxLineBytes: number): LineSource {
  const lines = createLineBuffer(maxLineBytes);
  let ended = false;
  let waiter: (() => void) | undefined;
  const wake = () => {
    const resolve = waiter;
    waiter = undefined;
    resolve?.();
  };
  const onData = (chunk: Buffer) => {
    lines.push(chunk);
    if (lines.isOverLimit()) stream.pause();
    wake();
  };
  const onEnd = () => {
    ended = true;
    wake();
  };
  stream.on('data', onData);
  stream.once('end', onEnd);
  stream.once('error', onEnd);

  return {
    async nextLine(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const result = lines.take(ended);
        if (result) return result;
        const remaining = deadline - Date.now();
        if (remaining <= 0) return { kind: 'timeout' };
        await new Promise<void>((resolve) => {
          const timer = setTimeout(wake, remaining);
          waiter = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
    close() {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onEnd);
      // Destroying releases the pipe handle, so the process can exit although execd never closes it.
      stream.destroy();
    },
  };
}
