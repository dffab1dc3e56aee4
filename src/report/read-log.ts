import { constants, createReadStream, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { GeoResponseError } from '../errors.js';
import { LineSplitter } from './line-splitter.js';

/** A log file checked before reading: it exists, is a regular file, and whether it is gzip; held open, so what was checked is what is read. */
export interface LogFile {
  path: string;
  bytes: number;
  gzip: boolean;
  handle: FileHandle;
}

export interface ReadLogOptions {
  maxLineBytes: number;
  /** One line, `bytes[start, end)` without its newline; `bytes` is reused once this returns. */
  onLine(bytes: Buffer, start: number, end: number): void;
  onOversized(): void;
  /** Bytes of the file on disk consumed so far (compressed bytes for gzip), for a progress bar. */
  onBytes?(bytes: number): void;
}

const GZIP_MAGIC = [0x1f, 0x8b];
/** How much of a (decompressed) file is checked for NUL bytes, which no JSON line contains. */
const BINARY_SNIFF_BYTES = 4096;
const READ_CHUNK_BYTES = 1 << 20;
// Plain files are read with readSync into one buffer reused to the end: no stream, no Buffer per
// chunk or per line. 4 MiB: a read every few thousand records, with room for a longest line (1 MiB).
const SYNC_READ_BYTES = 4 << 20;
const NEWLINE = 0x0a;
// The logs sit in logs/, which the ossec/wazuh group can write, and `report` runs as root: a link
// planted there is not followed, and a FIFO is refused by its type rather than hang the report.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

function inputError(code: string, message: string, cause?: unknown): GeoResponseError {
  return new GeoResponseError(message, { code, kind: 'input', cause });
}

/** Check that `file` is a readable regular file (not a link, not a FIFO) and sniff gzip by its magic bytes, not its name. */
export async function inspectLogFile(file: string): Promise<LogFile> {
  let handle: FileHandle;
  try {
    handle = await open(file, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw inputError('REPORT_FILE_NOT_FOUND', `${file}: no such file`, error);
    if (code === 'ELOOP') throw inputError('REPORT_FILE_NOT_REGULAR', `${file} is a symbolic link: not followed in a directory others may write; give the file it points to`, error);
    throw inputError('REPORT_FILE_UNREADABLE', `${file}: ${(error as Error).message}`, error);
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw inputError('REPORT_FILE_IS_DIRECTORY', `${file} is a directory, not a geo log`);
    if (!info.isFile()) throw inputError('REPORT_FILE_NOT_REGULAR', `${file} is not a regular file`);
    const head = Buffer.alloc(2);
    await handle.read(head, 0, 2, 0);
    return { path: file, bytes: info.size, gzip: head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1], handle };
  } catch (error) {
    await handle.close();
    if (error instanceof GeoResponseError) throw error;
    throw inputError('REPORT_FILE_UNREADABLE', `${file}: ${(error as Error).message}`, error);
  }
}

/** Read the lines of one log file (gunzipping if needed) into `options`; input errors name the file. */
export async function readLogLines(file: LogFile, options: ReadLogOptions): Promise<void> {
  if (file.gzip) return readGzipLines(file, options);
  try {
    readPlainLines(file, options);
  } finally {
    // As the gzip path's stream does when it ends: the file is read once.
    await file.handle.close();
  }
}

function throwIfBinary(file: LogFile, window: Uint8Array): void {
  if (window.includes(0)) throw inputError('REPORT_FILE_BINARY', `${file.path} looks binary (NUL bytes), not a JSON-lines geo log`);
}

/**
 * A plain file, read with readSync into one reused buffer and cut into lines where they lie in it.
 * Lines longer than `maxLineBytes` are dropped as they are read and counted through onOversized,
 * as LineSplitter does for streams.
 */
function readPlainLines(file: LogFile, options: ReadLogOptions): void {
  const maxLine = options.maxLineBytes;
  const buffer = Buffer.allocUnsafe(Math.max(SYNC_READ_BYTES, 2 * maxLine + 2));
  let filled = 0;
  let position = 0;
  let skipping = false;
  for (;;) {
    let count: number;
    try {
      count = readSync(file.handle.fd, buffer, filled, buffer.length - filled, position);
    } catch (error) {
      throw inputError('REPORT_FILE_UNREADABLE', `${file.path}: cannot read: ${(error as Error).message}`, error);
    }
    if (position < BINARY_SNIFF_BYTES) throwIfBinary(file, buffer.subarray(filled, filled + Math.min(count, BINARY_SNIFF_BYTES - position)));
    position += count;
    options.onBytes?.(count);
    const limit = filled + count;
    if (count === 0) {
      if (skipping) options.onOversized();
      else if (filled > 0) options.onLine(buffer, 0, filled);
      return;
    }
    let lineStart = 0;
    let newline = buffer.indexOf(NEWLINE, filled);
    while (newline !== -1 && newline < limit) {
      if (skipping) {
        skipping = false;
        options.onOversized();
      } else if (newline - lineStart > maxLine) {
        options.onOversized();
      } else {
        options.onLine(buffer, lineStart, newline);
      }
      lineStart = newline + 1;
      newline = buffer.indexOf(NEWLINE, lineStart);
    }
    // What is left is the start of a line: kept at the front of the buffer, or dropped once too long.
    if (skipping || limit - lineStart > maxLine) {
      skipping = true;
      filled = 0;
    } else {
      buffer.copy(buffer, 0, lineStart, limit);
      filled = limit - lineStart;
    }
  }
}

/** A gzip file, streamed through zlib and LineSplitter. */
async function readGzipLines(file: LogFile, options: ReadLogOptions): Promise<void> {
  const raw = createReadStream(file.path, { fd: file.handle, start: 0, highWaterMark: READ_CHUNK_BYTES });
  if (options.onBytes) {
    const onBytes = options.onBytes;
    raw.on('data', (chunk) => onBytes(chunk.length));
  }
  const stream = raw.pipe(createGunzip());
  // pipe() does not forward errors: a read error on `raw` must reject too, or the loop would wait forever.
  raw.on('error', (error) => stream.destroy(error));
  const splitter = new LineSplitter(options.maxLineBytes, { onLine: (line) => options.onLine(line, 0, line.length), onOversized: options.onOversized });
  let sniffed = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (sniffed < BINARY_SNIFF_BYTES) {
        const window = chunk.subarray(0, BINARY_SNIFF_BYTES - sniffed);
        throwIfBinary(file, window);
        sniffed += window.length;
      }
      splitter.push(chunk);
    }
  } catch (error) {
    if (error instanceof GeoResponseError) throw error;
    throw inputError('REPORT_GZIP_CORRUPT', `${file.path}: cannot decompress: ${(error as Error).message}`, error);
  } finally {
    raw.destroy();
  }
  splitter.end();
}
