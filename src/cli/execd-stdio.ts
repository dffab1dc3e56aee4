import { closeSync, constants, fstatSync, openSync, writeSync, type Stats } from 'node:fs';
import type { Readable } from 'node:stream';
import { createLineSource, type LineSource } from '../respond/line-source.js';
import { createFdLineSource } from './fd-line-source.js';
import { createPollWait } from './poll-wait.js';

/*
 * An alert's stdin and stdout without process.stdin/process.stdout. For a pipe, Node builds those
 * as net.Socket streams, loading net and stream: 2–3.4 ms of a Wazuh alert here, more than all of
 * the alert's own work. execd (Wazuh's wpopenv) gives the program pipe(2) ends, so fd 0 and fd 1
 * are read and written with readSync/writeSync instead.
 *
 * A read of a blocking pipe has no timeout, and we must never wait for execd for ever. fd 0's
 * own flags cannot be changed from JavaScript (no fcntl), and should not be: execd may share the
 * open file description. Opening /proc/self/fd/0 gives a new open file description of the same
 * pipe, opened O_NONBLOCK, whose reads return EAGAIN when it is empty: fd-line-source.ts polls
 * that with short sleeps until a line, the end, or the deadline. /proc/self/fd is the kernel's,
 * not a directory anyone else can write, so opening through its link follows nothing an attacker
 * placed.
 */

/** /dev/null, (1, 3) as one dev_t: a read never blocks, so fd 0 is read as it is. */
const DEV_NULL_RDEV = (1 << 8) | 3;
/** How long a write to stdout may keep meeting a full non-blocking pipe before we give up. */
export const STDOUT_WRITE_TIMEOUT_MS = 5000;

/**
 * execd's stdin as lines. A regular file or /dev/null is read directly; a pipe or another device
 * through a non-blocking reopening of /proc/self/fd/0. A socket cannot be reopened that way
 * (ENXIO), nor can anything where /proc is missing or refuses: those go through `stream()`
 * (process.stdin), as before.
 */
export function openStdinLines(maxLineBytes: number, stream: () => Readable): LineSource {
  const stats = statStdin();
  if (stats && (stats.isFile() || (stats.isCharacterDevice() && stats.rdev === DEV_NULL_RDEV))) {
    return createFdLineSource(0, maxLineBytes, () => undefined);
  }
  const fd = stats && !stats.isSocket() ? reopenStdinNonBlocking() : undefined;
  if (fd !== undefined) return createFdLineSource(fd, maxLineBytes, () => closeSync(fd));
  return createLineSource(stream(), maxLineBytes);
}

/** Whether fd 0 is a terminal, without loading tty (and with it net) unless it is a character device. */
export function isStdinTerminal(isatty: () => boolean): boolean {
  return statStdin()?.isCharacterDevice() === true && isatty();
}

/**
 * Write all of `text` to `fd` now. writeSync on a blocking pipe waits until the pipe takes it; a
 * descriptor another process made non-blocking answers EAGAIN when full, which is retried with
 * short pauses for STDOUT_WRITE_TIMEOUT_MS, then an error rather than a wait without end.
 */
export function writeAllSync(fd: number, text: string, timeoutMs = STDOUT_WRITE_TIMEOUT_MS): void {
  const bytes = Buffer.from(text);
  const poll = createPollWait(timeoutMs);
  let written = 0;
  while (written < bytes.length) {
    try {
      written += writeSync(fd, bytes, written, bytes.length - written);
      poll.reset();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EINTR') continue;
      if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK') throw error;
      if (!poll.wait()) throw new Error(`stdout took no more of our line within ${timeoutMs} ms (${written} of ${bytes.length} bytes written)`, { cause: error });
    }
  }
}

function statStdin(): Stats | undefined {
  try {
    return fstatSync(0);
  } catch {
    // Node opens /dev/null on a closed fd 0 at start-up; anything else odd goes the stream's way.
    return undefined;
  }
}

function reopenStdinNonBlocking(): number | undefined {
  try {
    // O_NOCTTY: a terminal reopened this way must not become our controlling terminal.
    return openSync('/proc/self/fd/0', constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch {
    // A socket (ENXIO), no /proc, a pipe of another user (EACCES): the stream path reads those.
    return undefined;
  }
}
