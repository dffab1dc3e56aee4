import { closeSync, readSync } from 'node:fs';
import { openDatabaseFile } from '../open-database-file.js';
import { GeoResponseError } from '../../errors.js';
import { createTruncatedError } from './mmdb-errors.js';

// Reads go through a few reused windows instead of one read per value: a lookup
// touches ~30-130 tree nodes and a dozen data values here and there, and
// neighbouring nodes often share a window. Page-sized windows: an alert's one
// lookup in the DB-IP City file takes 11 reads of 4 KiB (16 of 512 bytes
// before; each read is also a call into Node that costs more than its bytes),
// and the metadata tail is one window too. Memory stays WINDOW_COUNT *
// WINDOW_BYTES whatever the database size.
const WINDOW_BYTES = 4096;
const WINDOW_COUNT = 8;

/**
 * A file read only by position (pread), through a small fixed set of windows.
 * The descriptor stays open for the reader's life, so a database renamed over
 * by geoipupdate keeps answering from the inode we opened: consistent, never a mix.
 *
 * The windows are slices of one ArrayBuffer read through a DataView: every
 * alert runs this code once, cold, and each Buffer method it touches for the
 * first time (allocUnsafe, readUIntBE, readFloatBE…) costs tens of
 * microseconds of compiling Node's own JavaScript; typed-array access costs none.
 */
export class PositionedFile {
  readonly path: string;
  readonly size: number;
  private fd: number | undefined;
  private readonly bytes = new Uint8Array(WINDOW_COUNT * WINDOW_BYTES);
  private readonly view = new DataView(this.bytes.buffer);
  // The same memory as a Buffer, for its UTF-8 decoding.
  private readonly text = Buffer.from(this.bytes.buffer);
  private readonly starts = new Float64Array(WINDOW_COUNT).fill(-1);
  private readonly ends = new Float64Array(WINDOW_COUNT).fill(-1);
  private nextWindow = 0;
  private lastWindow = 0;

  private constructor(path: string, fd: number, size: number) {
    this.path = path;
    this.fd = fd;
    this.size = size;
  }

  /** Open a file for positioned reads; a missing or unreadable file is DATABASE_NOT_FOUND, one the group could change UNTRUSTED_PATH. */
  static open(path: string): PositionedFile {
    const { fd, size } = openDatabaseFile(path);
    return new PositionedFile(path, fd, size);
  }

  /** Read one byte. */
  byteAt(position: number): number {
    return this.bytes[this.locate(position, 1)] as number;
  }

  /** Read an unsigned big-endian integer of 1 to 6 bytes. */
  uintAt(position: number, length: number): number {
    const at = this.locate(position, length);
    let value = 0;
    for (let i = 0; i < length; i++) value = value * 256 + (this.bytes[at + i] as number);
    return value;
  }

  /** Read a signed big-endian 32-bit integer. */
  int32At(position: number): number {
    return this.view.getInt32(this.locate(position, 4));
  }

  /** Read a big-endian IEEE 754 double. */
  doubleAt(position: number): number {
    return this.view.getFloat64(this.locate(position, 8));
  }

  /** Read a big-endian IEEE 754 single. */
  floatAt(position: number): number {
    return this.view.getFloat32(this.locate(position, 4));
  }

  /** Read a UTF-8 string of `length` bytes. */
  utf8At(position: number, length: number): string {
    // UTF-8 is toString's default. Left unnamed, Node goes straight to its decoder: naming it
    // first compiles the encoding lookup, 30 µs of every alert (measured, first calls).
    if (length > WINDOW_BYTES) return this.bytesAt(position, length).toString();
    const at = this.locate(position, length);
    return this.text.toString(undefined, at, at + length);
  }

  /** Copy `length` bytes into a new Buffer the caller may keep. */
  bytesAt(position: number, length: number): Buffer {
    if (length > WINDOW_BYTES) return this.readExactly(Buffer.allocUnsafe(length), 0, position, length);
    const at = this.locate(position, length);
    // Windows are reused, so copy.
    return Buffer.from(this.bytes.subarray(at, at + length));
  }

  /**
   * The file offset of the last occurrence of `needle` in [position, position + length), or -1.
   * Typed-array lastIndexOf (V8's own) finds each candidate first byte, rather than Buffer's
   * lastIndexOf, whose first use costs an alert more than the search.
   */
  lastIndexOf(needle: Uint8Array, position: number, length: number): number {
    const inWindow = length <= WINDOW_BYTES;
    const haystack = inWindow ? this.bytes : this.readExactly(new Uint8Array(length), 0, position, length);
    const start = inWindow ? this.locate(position, length) : 0;
    const first = needle[0] as number;
    // A negative fromIndex would count from the end: the loop stops before one can occur.
    for (let i = start + length - needle.length; i >= start; i -= 1) {
      i = haystack.lastIndexOf(first, i);
      if (i < start) break;
      let matched = 1;
      while (matched < needle.length && haystack[i + matched] === needle[matched]) matched++;
      if (matched === needle.length) return position + i - start;
    }
    return -1;
  }

  /** Close the descriptor; later reads fail, even of bytes still in a window. Closing twice is harmless. */
  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    this.starts.fill(-1);
    this.ends.fill(-1);
  }

  // The index in `bytes` of `position`, once [position, position + length) is in a window
  // (length is at most WINDOW_BYTES).
  private locate(position: number, length: number): number {
    const last = this.lastWindow;
    if (position >= (this.starts[last] as number) && position + length <= (this.ends[last] as number)) {
      return last * WINDOW_BYTES + position - (this.starts[last] as number);
    }
    if (position < 0 || position + length > this.size) {
      throw createTruncatedError(this.path, `a read of ${length} bytes at offset ${position} runs past the end of the ${this.size}-byte file`);
    }
    for (let i = 0; i < WINDOW_COUNT; i++) {
      if (position >= (this.starts[i] as number) && position + length <= (this.ends[i] as number)) {
        this.lastWindow = i;
        return i * WINDOW_BYTES + position - (this.starts[i] as number);
      }
    }
    return this.fillWindow(position, length);
  }

  private fillWindow(position: number, length: number): number {
    let start = position - (position % WINDOW_BYTES);
    if (position + length > start + WINDOW_BYTES) start = position;
    const slot = this.nextWindow;
    this.nextWindow = (slot + 1) % WINDOW_COUNT;
    const wanted = Math.min(WINDOW_BYTES, this.size - start);
    // Mark the slot empty first so a failed read cannot leave stale bounds behind.
    this.starts[slot] = -1;
    this.ends[slot] = -1;
    this.readExactly(this.bytes, slot * WINDOW_BYTES, start, wanted);
    this.starts[slot] = start;
    this.ends[slot] = start + wanted;
    this.lastWindow = slot;
    return slot * WINDOW_BYTES + position - start;
  }

  private readExactly<T extends Uint8Array>(target: T, at: number, position: number, length: number): T {
    if (this.fd === undefined) {
      throw new GeoResponseError(`MaxMind database ${this.path} was read after close()`, { code: 'READER_CLOSED', kind: 'internal' });
    }
    let done = 0;
    try {
      while (done < length) {
        const read = readSync(this.fd, target, at + done, length - done, position + done);
        if (read === 0) break;
        done += read;
      }
    } catch (error) {
      throw createTruncatedError(this.path, `reading ${length} bytes at offset ${position} failed`, error);
    }
    if (done < length) {
      throw createTruncatedError(this.path, `the file ended at offset ${position + done} while reading ${length} bytes at offset ${position}`);
    }
    return target;
  }
}
