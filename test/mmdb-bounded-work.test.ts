// A lookup's work is bounded, not only its depth: data whose pointers share subtrees asks a naive
// decoder for exponentially many values (each map's two values point at the same map one level
// down, so 25 levels and a few hundred bytes ask for 2^25, within the nesting limit). Both must end at once with an error.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openMmdb } from '../src/geo/mmdb/index.js';
import { MAX_BYTES_PER_RECORD, MAX_VALUES_PER_RECORD } from '../src/geo/mmdb/decoder.js';

const directory = mkdtempSync(join(tmpdir(), 'mmdb-bounded-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

// Just what these files need of the format: strings, maps, arrays, bytes, 2-byte-offset pointers.
const control = (type: number, size: number) => Buffer.from(size < 29 ? [(type << 5) | size] : [(type << 5) | 29, size - 29]);
const text = (value: string) => Buffer.concat([control(2, Buffer.byteLength(value)), Buffer.from(value)]);
const pointer = (offset: number) => Buffer.from([0x28 | ((offset - 2048) >> 16), ((offset - 2048) >> 8) & 0xff, (offset - 2048) & 0xff]);
const map = (entries: [string, Buffer][]) => Buffer.concat([control(7, entries.length), ...entries.flatMap(([key, value]) => [text(key), value])]);
// Arrays are an extended type: type 0 in the control byte, then 11 - 7, then any size bytes.
function array(items: Buffer[]): Buffer {
  const n = items.length;
  if (n >= 29 && (n < 285 || n > 65820)) throw new Error(`array() encodes up to 28 and 285 to 65820 items, not ${n}`);
  // Sizes 285 to 65820: size bits 30, then two bytes of size - 285.
  const head = n < 29 ? [n, 11 - 7] : [30, 11 - 7, (n - 285) >> 8, (n - 285) & 0xff];
  return Buffer.concat([Buffer.from(head), ...items]);
}
function bytesValue(length: number): Buffer {
  // Extended type 4 (bytes) with a 3-byte size: 65821 + rest.
  const rest = length - 65821;
  return Buffer.concat([Buffer.from([(4 << 5) | 31, rest >> 16, (rest >> 8) & 0xff, rest & 0xff]), Buffer.alloc(length, 0x41)]);
}

/** An IPv4 database whose 10.0.0.0/8 points at `root` in `data` (2048 bytes of padding first, so 1-size pointers work). */
function writeDatabase(name: string, data: Buffer, root: number): string {
  // One node per bit of /8: the left record goes down, the right leaves the tree; the last left record is the data.
  const nodeCount = 8;
  const tree = Buffer.alloc(nodeCount * 6);
  const bits = [0, 0, 0, 0, 1, 0, 1, 0]; // 10 = 00001010
  for (let depth = 0; depth < 8; depth += 1) {
    const next = depth === 7 ? nodeCount + 16 + root : depth + 1;
    const down = bits[depth] as number;
    tree.writeUIntBE(down === 0 ? next : nodeCount, depth * 6, 3);
    tree.writeUIntBE(down === 1 ? next : nodeCount, depth * 6 + 3, 3);
  }
  const metadata = map([
    ['node_count', Buffer.from([0xc1, nodeCount])],
    ['record_size', Buffer.from([0xa1, 24])],
    ['ip_version', Buffer.from([0xa1, 4])],
    ['database_type', text('Bounded-Work-Test')],
    ['binary_format_major_version', Buffer.from([0xa1, 2])],
    ['binary_format_minor_version', Buffer.from([0xa0])],
    ['build_epoch', Buffer.from([0x04, 0x02, 0x69, 0x55, 0xb4, 0x00])],
  ]);
  const path = join(directory, name);
  writeFileSync(path, Buffer.concat([tree, Buffer.alloc(16), data, Buffer.from('abcdef4d61784d696e642e636f6d', 'hex'), metadata]));
  return path;
}

describe('a lookup does bounded work on a hostile database', () => {
  it(`pointers sharing subtrees (2^25 values asked, 25 levels deep): refused after ${MAX_VALUES_PER_RECORD} values`, () => {
    const parts: Buffer[] = [Buffer.alloc(2048)];
    let size = 2048;
    let below = size;
    parts.push(text('leaf'));
    size += parts.at(-1)!.length;
    for (let level = 0; level < 25; level += 1) {
      const node = map([['a', pointer(below)], ['b', pointer(below)]]);
      below = size;
      parts.push(node);
      size += node.length;
    }
    const data = Buffer.concat(parts);
    expect(data.length - 2048).toBeLessThan(1024);
    const reader = openMmdb(writeDatabase('pointer-bomb.mmdb', data, below));
    expect(() => reader.lookup('10.1.2.3')).toThrowError(expect.objectContaining({ code: 'DATABASE_TRUNCATED', message: expect.stringMatching(/more than 20000 values/) }));
    // The reader is still usable for other addresses.
    expect(reader.lookup('11.1.2.3')).toEqual({ record: null, prefixLength: 8 });
    reader.close();
  });

  it(`one 600 KB blob reached through 10 pointers: refused past ${MAX_BYTES_PER_RECORD} bytes`, () => {
    const blob = bytesValue(600_000);
    const rootOffset = 2048 + blob.length;
    const data = Buffer.concat([Buffer.alloc(2048), blob, array(Array.from({ length: 10 }, () => pointer(2048)))]);
    const reader = openMmdb(writeDatabase('blob-bomb.mmdb', data, rootOffset));
    expect(() => reader.lookup('10.9.9.9')).toThrowError(expect.objectContaining({ code: 'DATABASE_TRUNCATED', message: expect.stringMatching(/more than 4194304 bytes/) }));
    reader.close();
  });

  it(`exactly ${MAX_VALUES_PER_RECORD} values are read; one more is refused`, () => {
    // The array is one value and each item (uint16 0, a lone control byte) one more.
    const zero = Buffer.from([0xa0]);
    const write = (items: number) => writeDatabase(`values-${items}.mmdb`, array(Array.from({ length: items }, () => zero)), 0);
    const most = openMmdb(write(MAX_VALUES_PER_RECORD - 1));
    expect(most.lookup('10.1.2.3').record).toEqual(Array(MAX_VALUES_PER_RECORD - 1).fill(0));
    most.close();
    const tooMany = openMmdb(write(MAX_VALUES_PER_RECORD));
    expect(() => tooMany.lookup('10.1.2.3')).toThrowError(expect.objectContaining({ code: 'DATABASE_TRUNCATED', message: expect.stringMatching(/one record asks for more than 20000 values/) }));
    tooMany.close();
  });

  it(`exactly ${MAX_BYTES_PER_RECORD} bytes (a 1 MiB blob through 4 pointers) are read; one more byte is refused`, () => {
    const blob = bytesValue(MAX_BYTES_PER_RECORD / 4);
    const pointers = Array.from({ length: 4 }, () => pointer(2048));
    const most = openMmdb(writeDatabase('bytes-exact.mmdb', Buffer.concat([Buffer.alloc(2048), blob, array(pointers)]), 2048 + blob.length));
    expect((most.lookup('10.1.2.3').record as Buffer[]).map((item) => item.length)).toEqual(Array(4).fill(MAX_BYTES_PER_RECORD / 4));
    most.close();
    const tooMany = openMmdb(writeDatabase('bytes-one-more.mmdb', Buffer.concat([Buffer.alloc(2048), blob, array([...pointers, text('x')])]), 2048 + blob.length));
    expect(() => tooMany.lookup('10.1.2.3')).toThrowError(expect.objectContaining({ code: 'DATABASE_TRUNCATED', message: expect.stringMatching(/one record holds more than 4194304 bytes of strings and blobs/) }));
    tooMany.close();
  });

  it('the same blob reached through 6 pointers (3.6 MB) is still read: the cap is above any real record', () => {
    const blob = bytesValue(600_000);
    const data = Buffer.concat([Buffer.alloc(2048), blob, array(Array.from({ length: 6 }, () => pointer(2048)))]);
    const reader = openMmdb(writeDatabase('blob-six.mmdb', data, 2048 + blob.length));
    const { record } = reader.lookup('10.9.9.9');
    expect((record as Buffer[]).map((item) => item.length)).toEqual(Array(6).fill(600_000));
    reader.close();
  });
});
