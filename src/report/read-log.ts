import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { GeoResponseError } from '../errors.js';
import { LineSplitter } from './line-splitter.js';

/** A log file checked before reading: it exists, is a regular file, and whether it is gzip. */
export interface LogFile {
  path: string;
  bytes: number;
  gzip: boolean;
}

export interface ReadLogOptions {
  maxLineBytes: number;
  onLine(line: Buffer): void;
  onOversized(): void;
  /** Bytes of the file on disk consumed so far (compressed bytes for gzip), for a progress bar. */
  onBytes?(bytes: number): void;
}

const GZIP_MAGIC = [0x1f, 0x8b];
/** How much of a (decompressed) file is checked for NUL bytes, which no JSON line contains. */
const BINARY_SNIFF_BYTES = 4096;
const READ_CHUNK_BYTES = 1 << 20;

function inputError(code: string, message: string, cause?: unknown): GeoResponseError {
  return new GeoResponseError(message, { code, kind: 'input', cause });
}

/** Check that `file` is a readable regular file and sniff gzip by its magic bytes, not its name. */
export async function inspectLogFile(file: string): Promise<LogFile> {
  let info;
  try {
    info = await stat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw inputError('REPORT_FILE_NOT_FOUND', `${file}: no such file`, error);
    throw inputError('REPORT_FILE_UNREADABLE', `${file}: ${(error as Error).message}`, error);
  }
  if (info.isDirectory()) throw inputError('REPORT_FILE_IS_DIRECTORY', `${file} is a directory, not a geo log`);
  if (!info.isFile()) throw inputError('REPORT_FILE_NOT_REGULAR', `${file} is not a regular file`);
  const head = Buffer.alloc(2);
  try {
    const handle = await open(file, 'r');
    try {
      await handle.read(head, 0, 2, 0);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw inputError('REPORT_FILE_UNREADABLE', `${file}: ${(error as Error).message}`, error);
  }
  return { path: file, bytes: info.size, gzip: head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1] };
}

/** Stream the lines of one log file (gunzipping if needed) into `options`; input errors name the file. */
export async function readLogLines(file: LogFile, options: ReadLogOptions): Promise<void> {
  const raw = createReadStream(file.path, { highWaterMark: READ_CHUNK_BYTES });
  if (options.onBytes) {
    const onBytes = options.onBytes;
    raw.on('data', (chunk) => onBytes(chunk.length));
  }
  const stream = file.gzip ? raw.pipe(createGunzip()) : raw;
  // pipe() does not forward errors: a read error on `raw` must reject too, or the loop would wait forever.
  if (file.gzip) raw.on('error', (error) => stream.destroy(error));
  const splitter = new LineSplitter(options.maxLineBytes, options);
  let sniffed = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (sniffed < BINARY_SNIFF_BYTES) {
        const window = chunk.subarray(0, BINARY_SNIFF_BYTES - sniffed);
        if (window.includes(0)) {
          throw inputError('REPORT_FILE_BINARY', `${file.path} looks binary (NUL bytes), not a JSON-lines geo log`);
        }
        sniffed += window.length;
      }
      splitter.push(chunk);
    }
  } catch (error) {
    if (error instanceof GeoResponseError) throw error;
    const what = file.gzip ? 'cannot decompress' : 'cannot read';
    throw inputError(file.gzip ? 'REPORT_GZIP_CORRUPT' : 'REPORT_FILE_UNREADABLE', `${file.path}: ${what}: ${(error as Error).message}`, error);
  } finally {
    raw.destroy();
  }
  splitter.end();
}
