import type { Readable } from 'node:stream';

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
  let buffered: Buffer = Buffer.alloc(0);
  let ended = false;
  let waiter: (() => void) | undefined;
  const wake = () => {
    const resolve = waiter;
    waiter = undefined;
    resolve?.();
  };
  const onData = (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    if (buffered.length > maxLineBytes && !buffered.subarray(0, maxLineBytes + 1).includes(10)) stream.pause();
    wake();
  };
  const onEnd = () => {
    ended = true;
    wake();
  };
  stream.on('data', onData);
  stream.once('end', onEnd);
  stream.once('error', onEnd);

  const takeLine = (): LineResult | undefined => {
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
  };

  return {
    async nextLine(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const result = takeLine();
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
