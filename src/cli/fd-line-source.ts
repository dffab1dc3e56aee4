import { readSync } from 'node:fs';
import { createLineBuffer } from '../respond/line-buffer.js';
import type { LineSource } from '../respond/line-source.js';
import { createPollWait } from './poll-wait.js';

/** As much as a pipe holds by default: execd's largest message (68 KiB) takes two reads at most. */
const READ_CHUNK_BYTES = 64 * 1024;

/**
 * Lines read from a descriptor with readSync, for execd's stdin without Node's stream machinery.
 * The descriptor must never block: a regular file or /dev/null, or a pipe opened O_NONBLOCK
 * (execd-stdio.ts). "No data yet" (EAGAIN) sleeps a short, growing pause and reads again, until
 * a line, the end of input, or the caller's deadline; a line over `maxLineBytes` stops the reading
 * (nothing more is buffered). `release` runs on close (closes a descriptor we opened).
 */
export function createFdLineSource(fd: number, maxLineBytes: number, release: () => void): LineSource {
  const lines = createLineBuffer(maxLineBytes);
  const scratch = Buffer.allocUnsafe(READ_CHUNK_BYTES);
  let ended = false;
  return {
    async nextLine(timeoutMs) {
      const poll = createPollWait(timeoutMs);
      for (;;) {
        const result = lines.take(ended);
        if (result) return result;
        const read = readAvailable(fd, scratch);
        if (read === 'again') {
          if (!poll.wait()) return { kind: 'timeout' };
        } else if (read === 'end') {
          ended = true;
        } else {
          lines.push(read);
          poll.reset();
        }
      }
    },
    close: release,
  };
}

/** One read: the bytes there are, 'again' when none yet, 'end' at end of input or on a read error (as a stream's 'error' ends it). */
function readAvailable(fd: number, scratch: Buffer): Buffer | 'again' | 'end' {
  for (;;) {
    try {
      const count = readSync(fd, scratch, 0, scratch.length, null);
      return count === 0 ? 'end' : Buffer.from(scratch.subarray(0, count));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // libuv retries an interrupted write but not an interrupted read.
      if (code === 'EINTR') continue;
      if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return 'again';
      return 'end';
    }
  }
}
