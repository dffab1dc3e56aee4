import { createTruncatedError } from './mmdb-errors.js';
import type { PositionedFile } from './positioned-file.js';

// MaxMind DB data section types (spec §"Output Data Section"). Values match
// mmdb-lib's decoder, the reference this module is tested against.
const TYPE_EXTENDED = 0;
const TYPE_POINTER = 1;
const TYPE_UTF8_STRING = 2;
const TYPE_DOUBLE = 3;
const TYPE_BYTES = 4;
const TYPE_UINT16 = 5;
const TYPE_UINT32 = 6;
const TYPE_MAP = 7;
const TYPE_INT32 = 8;
const TYPE_UINT64 = 9;
const TYPE_UINT128 = 10;
const TYPE_ARRAY = 11;
const TYPE_CONTAINER = 12;
const TYPE_END_MARKER = 13;
const TYPE_BOOLEAN = 14;
const TYPE_FLOAT = 15;

// What pointers of size 0..3 add to their packed value (spec: 0, 2048, 526336, 0).
const POINTER_VALUE_OFFSETS = [0, 2048, 526336, 0];
const SIZE_BASES = [0, 29, 285, 65821];
// Real records nest a few levels; a deeper chain means a pointer loop in a corrupt file.
const MAX_NESTING_DEPTH = 64;
// Depth alone does not bound the work: pointers may share subtrees, so a 730-byte file whose maps
// point twice at the same map, 60 levels deep, asks for 2^60 values. A real record is far below
// these (a GeoIP2 City record, names in eight languages, is a few hundred values and a few KB).
export const MAX_VALUES_PER_RECORD = 20_000;
export const MAX_BYTES_PER_RECORD = 4 * 1024 * 1024;

interface Decoded {
  value: unknown;
  next: number;
}

/**
 * Decodes MaxMind DB data straight from the file, one value at a time, with the
 * same results as mmdb-lib (uint64/uint128 as bigint, bytes as Buffer, int32 of
 * fewer than 4 bytes unsigned). Reads are bounded to [start, end): anything
 * outside is a truncated or corrupt file, never a wrong answer.
 */
export class DataDecoder {
  constructor(
    private readonly file: PositionedFile,
    /** Where pointers count from: the data section start, or the metadata start. */
    private readonly pointerBase: number,
    private readonly end: number,
  ) {}

  // What one decodeAt may still take: values (pointers included) and bytes of strings and blobs.
  private valuesLeft = 0;
  private bytesLeft = 0;

  /** Decode the value at an absolute file offset, within MAX_VALUES_PER_RECORD and MAX_BYTES_PER_RECORD. */
  decodeAt(offset: number): unknown {
    this.valuesLeft = MAX_VALUES_PER_RECORD;
    this.bytesLeft = MAX_BYTES_PER_RECORD;
    return this.decode(offset, 0).value;
  }

  private decode(offset: number, depth: number): Decoded {
    if (depth > MAX_NESTING_DEPTH) this.fail(offset, `data nested deeper than ${MAX_NESTING_DEPTH} levels (a pointer loop?)`);
    if (--this.valuesLeft < 0) this.fail(offset, `one record asks for more than ${MAX_VALUES_PER_RECORD} values (pointers sharing subtrees?)`);
    const ctrl = this.byte(offset++);
    let type = ctrl >> 5;
    if (type === TYPE_POINTER) {
      const target = this.readPointer(ctrl, offset);
      return { value: this.decode(target, depth + 1).value, next: offset + ((ctrl >> 3) & 3) + 1 };
    }
    if (type === TYPE_EXTENDED) {
      type = this.byte(offset++) + 7;
      if (type < 8) this.fail(offset - 1, 'invalid extended type 0');
    }
    // Size bits 29, 30, 31 mean the size follows in 1, 2, 3 bytes, added to a base.
    const sizeBits = ctrl & 0x1f;
    const sizeBytes = sizeBits < 29 ? 0 : sizeBits - 28;
    const size = sizeBytes === 0 ? sizeBits : (SIZE_BASES[sizeBytes] as number) + this.uint(offset, sizeBytes);
    return this.decodeByType(type, offset + sizeBytes, size, depth);
  }

  private decodeByType(type: number, offset: number, size: number, depth: number): Decoded {
    const next = offset + size;
    switch (type) {
      case TYPE_UTF8_STRING:
        return { value: size === 0 ? '' : this.utf8(offset, size), next };
      case TYPE_MAP:
        return this.decodeMap(offset, size, depth);
      case TYPE_UINT16:
      case TYPE_UINT32:
        if (size > 4) this.fail(offset, `unsigned integer of ${size} bytes`);
        return { value: size === 0 ? 0 : this.uint(offset, size), next };
      case TYPE_DOUBLE:
        this.check(offset, 8);
        return { value: this.file.doubleAt(offset), next };
      case TYPE_ARRAY:
        return this.decodeArray(offset, size, depth);
      case TYPE_BOOLEAN:
        // The size bits are the value; there is no payload.
        return { value: size !== 0, next: offset };
      case TYPE_FLOAT:
        this.check(offset, 4);
        return { value: this.file.floatAt(offset), next };
      case TYPE_BYTES:
        this.check(offset, size);
        this.take(offset, size);
        return { value: size === 0 ? Buffer.alloc(0) : this.file.bytesAt(offset, size), next };
      case TYPE_INT32:
        return { value: this.decodeInt32(offset, size), next };
      case TYPE_UINT64:
      case TYPE_UINT128:
        return { value: this.decodeBigUint(offset, size), next };
      case TYPE_CONTAINER:
      case TYPE_END_MARKER:
        return this.fail(offset, `data cache container or end marker (type ${type}) where a value should be`);
      default:
        return this.fail(offset, `unknown data type ${type}`);
    }
  }

  private readPointer(ctrl: number, offset: number): number {
    const pointerSize = (ctrl >> 3) & 3;
    let packed: number;
    if (pointerSize === 0) packed = ((ctrl & 7) << 8) | this.uint(offset, 1);
    else if (pointerSize === 1) packed = ((ctrl & 7) << 16) | this.uint(offset, 2);
    else if (pointerSize === 2) packed = ((ctrl & 7) * 0x1000000) + this.uint(offset, 3);
    // A 4-byte pointer ignores the control byte's three value bits.
    else packed = this.uint(offset, 4);
    const target = this.pointerBase + (POINTER_VALUE_OFFSETS[pointerSize] as number) + packed;
    if (target >= this.end) this.fail(offset - 1, `pointer to offset ${target}, past the end of its section at ${this.end}`);
    return target;
  }

  private decodeMap(offset: number, size: number, depth: number): Decoded {
    const map: Record<string, unknown> = {};
    for (let i = 0; i < size; i++) {
      const key = this.decode(offset, depth + 1);
      const value = this.decode(key.next, depth + 1);
      offset = value.next;
      map[key.value as string] = value.value;
    }
    return { value: map, next: offset };
  }

  private decodeArray(offset: number, size: number, depth: number): Decoded {
    const array: unknown[] = new Array(size);
    for (let i = 0; i < size; i++) {
      const item = this.decode(offset, depth + 1);
      offset = item.next;
      array[i] = item.value;
    }
    return { value: array, next: offset };
  }

  private decodeInt32(offset: number, size: number): number {
    if (size === 0) return 0;
    // mmdb-lib (and so maxmind) reads a short int32 as unsigned: no sign extension.
    if (size < 4) return this.uint(offset, size);
    this.check(offset, 4);
    return this.file.int32At(offset);
  }

  private decodeBigUint(offset: number, size: number): bigint {
    if (size > 16) this.fail(offset, `big unsigned integer of ${size} bytes`);
    let value = 0n;
    for (let i = 0; i < size; i++) value = (value << 8n) | BigInt(this.byte(offset + i));
    return value;
  }

  private byte(offset: number): number {
    this.check(offset, 1);
    return this.file.byteAt(offset);
  }

  private uint(offset: number, length: number): number {
    this.check(offset, length);
    return this.file.uintAt(offset, length);
  }

  private utf8(offset: number, length: number): string {
    this.check(offset, length);
    this.take(offset, length);
    return this.file.utf8At(offset, length);
  }

  private take(offset: number, length: number): void {
    this.bytesLeft -= length;
    if (this.bytesLeft < 0) this.fail(offset, `one record holds more than ${MAX_BYTES_PER_RECORD} bytes of strings and blobs`);
  }

  private check(offset: number, length: number): void {
    if (offset + length > this.end) this.fail(offset, `a ${length}-byte value runs past the end of its section at ${this.end}`);
  }

  private fail(offset: number, detail: string): never {
    throw createTruncatedError(this.file.path, `${detail}, at offset ${offset}`);
  }
}
