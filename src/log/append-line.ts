import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { GeoResponseError } from '../errors.js';

/**
 * Append one line with a single write(2) to a file opened with O_APPEND. The kernel positions
 * each such write at the end of the file atomically, so hundreds of concurrent invocations never
 * interleave or tear a line. The file is opened anew on every call, so logrotate's
 * move-and-create needs no signal.
 */
export function appendLine(path: string, line: string): void {
  const data = line.endsWith('\n') ? line : `${line}\n`;
  try {
    appendToFile(path, data);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw logError(path, error);
    // A fresh home may lack logs/; create it once, then retry.
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o750 });
      appendToFile(path, data);
    } catch (retryError) {
      throw logError(path, retryError);
    }
  }
}

// open/write/close rather than appendFileSync, whose option handling and write loop are Node code
// each alert would compile on first use (~0.1 ms); one write(2) is what the atomicity relies on.
function appendToFile(path: string, data: string): void {
  const fd = openSync(path, 'a', 0o640);
  try {
    const written = writeSync(fd, data);
    const expected = Buffer.byteLength(data);
    if (written !== expected) {
      // A full disk or a quota cut the line: end it, so the next record starts a line of its own.
      if (written > 0) writeQuietly(fd, '\n');
      throw new Error(`short write, ${written} of ${expected} bytes (disk full or quota?)`);
    }
  } finally {
    closeSync(fd);
  }
}

function writeQuietly(fd: number, text: string): void {
  try {
    writeSync(fd, text);
  } catch {
    // Nothing more can be written: the failure of the record itself is what gets reported.
  }
}

function logError(path: string, error: unknown): GeoResponseError {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new GeoResponseError(`cannot append to ${path}: ${code} (check the directory exists and is writable by execd's user)`, {
    code: 'LOG_NOT_WRITABLE',
    kind: 'log',
    cause: error,
  });
}
