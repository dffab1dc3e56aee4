// Databases written byte by byte here, to reach what the DB-IP files and the
// fixtures do not: every data type and size encoding, all three record sizes,
// all four pointer sizes, an IPv6 tree whose IPv4 subtree is a data record,
// and corrupt data. Each is checked against maxmind's in-memory Reader.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Reader } from 'maxmind';
import { afterAll, describe, expect, it } from 'vitest';
import { openMmdb } from '../src/geo/mmdb/index.js';
import { readLayout } from '../src/geo/mmdb/metadata.js';
import { PositionedFile } from '../src/geo/mmdb/positioned-file.js';
import { SearchTree } from '../src/geo/mmdb/search-tree.js';

type Value =
  | string
  | { type: 'uint16' | 'uint32' | 'double' | 'float'; value: number }
  | { type: 'int32'; value: number; size?: number }
  | { type: 'uint64' | 'uint128'; value: bigint }
  | { type: 'bytes'; value: Buffer }
  | { type: 'boolean'; value: boolean }
  | { type: 'map'; value: [Value, Value][] }
  | { type: 'array'; value: Value[] }
  | { type: 'pointer'; value: number; size: 0 | 1 | 2 | 3 }
  | { type: 'raw'; value: Buffer };

const TYPE_NUMBERS = { pointer: 1, string: 2, double: 3, bytes: 4, uint16: 5, uint32: 6, map: 7, int32: 8, uint64: 9, uint128: 10, array: 11, boolean: 14, float: 15 };

// A control byte (plus extended-type and size bytes) as the spec lays them out.
function encodeControl(type: number, size: number): Buffer {
  const extended = type > 7 ? [type - 7] : [];
  const first = (type > 7 ? 0 : type) << 5;
  if (size < 29) return Buffer.from([first | size, ...extended]);
  if (size < 285) return Buffer.from([first | 29, ...extended, size - 29]);
  if (size < 65821) return Buffer.from([first | 30, ...extended, (size - 285) >> 8, (size - 285) & 0xff]);
  const rest = size - 65821;
  return Buffer.from([first | 31, ...extended, rest >> 16, (rest >> 8) & 0xff, rest & 0xff]);
}

function encodeUnsigned(value: bigint): Buffer {
  const bytes: number[] = [];
  for (let v = value; v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn));
  return Buffer.from(bytes);
}

function encodePointer(target: number, size: 0 | 1 | 2 | 3): Buffer {
  const base = [0, 2048, 526336, 0][size] as number;
  const v = target - base;
  if (size === 0) return Buffer.from([0x20 | (v >> 8), v & 0xff]);
  if (size === 1) return Buffer.from([0x28 | (v >> 16), (v >> 8) & 0xff, v & 0xff]);
  if (size === 2) return Buffer.from([0x30 | Math.floor(v / 0x1000000), (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff]);
  const out = Buffer.alloc(5);
  out[0] = 0x38;
  out.writeUInt32BE(target, 1);
  return out;
}

function encodeValue(value: Value): Buffer {
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([encodeControl(TYPE_NUMBERS.string, bytes.length), bytes]);
  }
  switch (value.type) {
    case 'raw':
      return value.value;
    case 'pointer':
      return encodePointer(value.value, value.size);
    case 'uint16':
    case 'uint32':
    case 'uint64':
    case 'uint128': {
      const payload = encodeUnsigned(BigInt(value.value));
      return Buffer.concat([encodeControl(TYPE_NUMBERS[value.type], payload.length), payload]);
    }
    case 'int32': {
      const size = value.size ?? 4;
      const payload = Buffer.alloc(4);
      payload.writeUInt32BE(value.value >>> 0);
      return Buffer.concat([encodeControl(TYPE_NUMBERS.int32, size), payload.subarray(4 - size)]);
    }
    case 'double': {
      const payload = Buffer.alloc(8);
      payload.writeDoubleBE(value.value);
      return Buffer.concat([encodeControl(TYPE_NUMBERS.double, 8), payload]);
    }
    case 'float': {
      const payload = Buffer.alloc(4);
      payload.writeFloatBE(value.value);
      return Buffer.concat([encodeControl(TYPE_NUMBERS.float, 4), payload]);
    }
    case 'bytes':
      return Buffer.concat([encodeControl(TYPE_NUMBERS.bytes, value.value.length), value.value]);
    case 'boolean':
      return encodeControl(TYPE_NUMBERS.boolean, value.value ? 1 : 0);
    case 'map':
      return Buffer.concat([encodeControl(TYPE_NUMBERS.map, value.value.length), ...value.value.flat().map(encodeValue)]);
    case 'array':
      return Buffer.concat([encodeControl(TYPE_NUMBERS.array, value.value.length), ...value.value.map(encodeValue)]);
  }
}

/** A data section built by appending values; `add` returns the value's offset in it. */
class DataSection {
  private readonly parts: Buffer[] = [];
  private size = 0;
  add(value: Value): number {
    const offset = this.size;
    const bytes = encodeValue(value);
    this.parts.push(bytes);
    this.size += bytes.length;
    return offset;
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

interface TrieNode {
  children: [TrieNode | number | null, TrieNode | number | null];
}

interface DatabaseOptions {
  ipVersion: 4 | 6;
  recordSize: 24 | 28 | 32;
  data: DataSection;
  /** [address bytes, prefix length, data offset]; wider networks first. */
  networks: [number[], number, number][];
  metadataOverrides?: [string, Value][];
  /** The whole metadata value, in place of the usual map (for metadata that is not a map). */
  metadata?: Value;
}

function buildTree(networks: [number[], number, number][]): TrieNode {
  const root: TrieNode = { children: [null, null] };
  for (const [bytes, prefixLength, dataOffset] of networks) {
    let node = root;
    for (let depth = 0; depth < prefixLength; depth++) {
      const bit = ((bytes[depth >> 3] ?? 0) >> (7 - (depth & 7))) & 1;
      if (depth === prefixLength - 1) {
        node.children[bit] = dataOffset;
        break;
      }
      const child = node.children[bit] ?? null;
      // A narrower network inside a wider one splits the wider one's leaf.
      const next: TrieNode = typeof child === 'object' && child !== null ? child : { children: [child, child] };
      node.children[bit] = next;
      node = next;
    }
  }
  return root;
}

function writeRecords(node: Buffer, recordSize: number, left: number, right: number): void {
  if (recordSize === 24) {
    node.writeUIntBE(left, 0, 3);
    node.writeUIntBE(right, 3, 3);
  } else if (recordSize === 32) {
    node.writeUInt32BE(left, 0);
    node.writeUInt32BE(right, 4);
  } else {
    node.writeUIntBE(left & 0xffffff, 0, 3);
    node[3] = ((left >>> 24) << 4) | (right >>> 24);
    node.writeUIntBE(right & 0xffffff, 4, 3);
  }
}

const METADATA_MARKER = Buffer.from('abcdef4d61784d696e642e636f6d', 'hex'); // \xAB\xCD\xEF then MaxMind.com

/** Serialise a whole .mmdb: search tree, separator, data section, marker, metadata. */
function buildDatabase(options: DatabaseOptions): Buffer {
  const nodes: TrieNode[] = [buildTree(options.networks)];
  for (let i = 0; i < nodes.length; i++) {
    for (const child of (nodes[i] as TrieNode).children) if (typeof child === 'object' && child !== null) nodes.push(child);
  }
  const nodeCount = nodes.length;
  const nodeBytes = options.recordSize / 4;
  const tree = Buffer.alloc(nodeCount * nodeBytes);
  const recordOf = (child: TrieNode | number | null): number =>
    child === null ? nodeCount : typeof child === 'number' ? nodeCount + 16 + child : nodes.indexOf(child);
  nodes.forEach((node, i) => {
    writeRecords(tree.subarray(i * nodeBytes, (i + 1) * nodeBytes), options.recordSize, recordOf(node.children[0]), recordOf(node.children[1]));
  });
  const metadata = encodeValue(options.metadata ?? {
    type: 'map',
    value: [
      ['node_count', { type: 'uint32', value: nodeCount }],
      ['record_size', { type: 'uint16', value: options.recordSize }],
      ['ip_version', { type: 'uint16', value: options.ipVersion }],
      ['database_type', 'Handmade-Test'],
      ['languages', { type: 'array', value: ['en', 'de'] }],
      ['binary_format_major_version', { type: 'uint16', value: 2 }],
      ['binary_format_minor_version', { type: 'uint16', value: 0 }],
      ['build_epoch', { type: 'uint64', value: 1767225600n }],
      ['description', { type: 'map', value: [['en', 'handmade test database']] }],
      ...(options.metadataOverrides ?? []),
    ],
  });
  return Buffer.concat([tree, Buffer.alloc(16), options.data.toBuffer(), METADATA_MARKER, metadata]);
}

const directory = mkdtempSync(join(tmpdir(), 'mmdb-handmade-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function writeDatabase(name: string, bytes: Buffer): string {
  const path = join(directory, name);
  writeFileSync(path, bytes);
  return path;
}

const v4 = (a: number, b: number, c: number, d: number): number[] => [a, b, c, d];
const inIpv6 = (bytes: number[]): number[] => [...Array(12).fill(0), ...bytes];

// Records using every type and size encoding; keys reach shared strings through pointers of every size.
function buildTypedData(): { data: DataSection; records: number[] } {
  const data = new DataSection();
  const sharedKey = data.add('shared-key'); // offset 0: a size-0 pointer target
  data.add({ type: 'bytes', value: Buffer.alloc(3000, 0xa5) }); // pushes what follows past 2048
  const midString = data.add('reached by a 2-byte pointer ✓');
  data.add({ type: 'bytes', value: Buffer.alloc(600_000, 0x5a) }); // size-31 length; pushes past 526336
  const farMap = data.add({ type: 'map', value: [['far', { type: 'double', value: -0.5 }]] });
  const everything = data.add({
    type: 'map',
    value: [
      [{ type: 'pointer', value: sharedKey, size: 0 }, { type: 'pointer', value: midString, size: 1 }],
      ['far', { type: 'pointer', value: farMap, size: 2 }],
      ['four-byte pointer', { type: 'pointer', value: midString, size: 3 }],
      ['utf8', 'Zürich – 東京 – Москва'],
      ['empty string', ''],
      ['size 29', 'a'.repeat(100)],
      ['size 30', 'b'.repeat(1000)],
      ['size 31', 'ü'.repeat(40_000)],
      ['double', { type: 'double', value: -33.868801116943359 }],
      ['float', { type: 'float', value: 151.20899963378906 }],
      ['bytes', { type: 'bytes', value: Buffer.from([0, 1, 254, 255]) }],
      ['empty bytes', { type: 'bytes', value: Buffer.alloc(0) }],
      ['uint16 zero', { type: 'uint16', value: 0 }],
      ['uint16', { type: 'uint16', value: 65535 }],
      ['uint32', { type: 'uint32', value: 4294967295 }],
      ['uint32 small', { type: 'uint32', value: 300 }],
      ['int32 negative', { type: 'int32', value: -123456 }],
      ['int32 zero size', { type: 'int32', value: 0, size: 0 }],
      ['int32 short high bit', { type: 'int32', value: 0xfffffe, size: 3 }],
      ['uint64', { type: 'uint64', value: 2n ** 64n - 1n }],
      ['uint64 zero', { type: 'uint64', value: 0n }],
      ['uint64 small', { type: 'uint64', value: 7n }],
      ['uint128', { type: 'uint128', value: 2n ** 128n - 3n }],
      ['true', { type: 'boolean', value: true }],
      ['false', { type: 'boolean', value: false }],
      ['array', { type: 'array', value: ['one', { type: 'uint32', value: 2 }, { type: 'map', value: [['nested', { type: 'array', value: [] }]] }] }],
      ['empty map', { type: 'map', value: [] }],
      ['wide map', { type: 'map', value: Array.from({ length: 40 }, (_, i): [Value, Value] => [`k${i}`, { type: 'uint16', value: i }]) }],
    ],
  });
  const viaPointer = data.add({ type: 'pointer', value: farMap, size: 3 });
  const small = data.add({ type: 'map', value: [['country_code', 'DE']] });
  return { data, records: [everything, viaPointer, small] };
}

function ipv4Text(bytes: number[]): string {
  return bytes.join('.');
}

function ipv6Text(bytes: number[]): string {
  return Array.from({ length: 8 }, (_, i) => (((bytes[i * 2] ?? 0) << 8) | (bytes[i * 2 + 1] ?? 0)).toString(16)).join(':');
}

// Addresses around every network edge plus a fixed spread; deterministic, no PRNG needed.
function probeAddresses(ipVersion: 4 | 6): string[] {
  const v4Probes = [v4(0, 0, 0, 0), v4(1, 2, 3, 4), v4(5, 9, 10, 11), v4(5, 9, 255, 255), v4(5, 10, 0, 0), v4(5, 8, 255, 255), v4(38, 100, 21, 7), v4(38, 1, 2, 3), v4(255, 255, 255, 255), v4(77, 88, 55, 60)];
  for (let i = 0; i < 256; i++) v4Probes.push(v4(i, (i * 37) & 255, (i * 91) & 255, (i * 13) & 255));
  const ips = v4Probes.map(ipv4Text);
  if (ipVersion === 6) {
    // A zone index (%eth0) is ignored by maxmind's parser, and by ours.
    ips.push('::', '::1', '2001:db8::1', '2a01:4f8::1', '2a01:4f8::1%eth0', '2a01:4f8:ffff:ffff:ffff:ffff:ffff:ffff', '2a01:4f9::', 'ffff::1', '::5.9.10.11');
    for (const bytes of v4Probes) ips.push(ipv6Text(inIpv6(bytes)));
  }
  return ips;
}

function expectSameAnswers(path: string, ipVersion: 4 | 6): void {
  const oracle = new Reader(readFileSync(path));
  const reader = openMmdb(path);
  const mismatches: unknown[] = [];
  let found = 0;
  for (const ip of probeAddresses(ipVersion)) {
    const [record, prefixLength] = oracle.getWithPrefixLength(ip);
    const hit = reader.lookup(ip);
    if (hit.record !== null) found++;
    if (!isDeepStrictEqual(hit, { record, prefixLength })) mismatches.push({ ip, lazy: hit, maxmind: { record, prefixLength } });
  }
  reader.close();
  expect(mismatches).toEqual([]);
  expect(found).toBeGreaterThan(0);
}

// Open, look up once, close: the reader holds a descriptor until closed.
function lookupOnce(path: string, ip: string): ReturnType<ReturnType<typeof openMmdb>['lookup']> {
  const reader = openMmdb(path);
  try {
    return reader.lookup(ip);
  } finally {
    reader.close();
  }
}

describe('handmade databases answer like maxmind', () => {
  const { data, records } = buildTypedData();
  const [everything, viaPointer, small] = records as [number, number, number];

  it.each([24, 28, 32] as const)('IPv6 tree, record size %i, every data type', (recordSize) => {
    const path = writeDatabase(`types-${recordSize}.mmdb`, buildDatabase({
      ipVersion: 6,
      recordSize,
      data,
      networks: [
        [inIpv6(v4(5, 9, 0, 0)), 96 + 16, everything],
        [inIpv6(v4(38, 0, 0, 0)), 96 + 8, small],
        [inIpv6(v4(38, 100, 21, 0)), 96 + 24, viaPointer],
        [[0x2a, 0x01, 0x04, 0xf8], 32, everything],
      ],
    }));
    expectSameAnswers(path, 6);
    const hit = lookupOnce(path, '5.9.10.11');
    expect(hit.prefixLength).toBe(16);
    const record = hit.record as Record<string, unknown>;
    // mmdb-lib returns uint64/uint128 as bigint even when small; we match it.
    expect(record.uint64).toBe(2n ** 64n - 1n);
    expect(record['uint64 small']).toBe(7n);
    expect(record['int32 short high bit']).toBe(0xfffffe);
    expect(record['shared-key']).toBe('reached by a 2-byte pointer ✓');
  });

  it('IPv4 tree, record size 28', () => {
    const path = writeDatabase('ipv4-28.mmdb', buildDatabase({
      ipVersion: 4,
      recordSize: 28,
      data,
      networks: [[v4(5, 9, 0, 0), 16, everything], [v4(38, 0, 0, 0), 8, small], [v4(38, 100, 21, 0), 24, viaPointer]],
    }));
    expectSameAnswers(path, 4);
  });

  it('IPv6 tree whose IPv4 subtree is one data record: every IPv4 address finds it at prefix length 0', () => {
    const path = writeDatabase('ipv4-as-record.mmdb', buildDatabase({
      ipVersion: 6,
      recordSize: 24,
      data,
      networks: [[Array(16).fill(0), 64, small], [[0x2a, 0x01], 16, everything]],
    }));
    expectSameAnswers(path, 6);
    expect(lookupOnce(path, '203.0.113.9')).toEqual({ record: { country_code: 'DE' }, prefixLength: 0 });
  });
});

describe('the tree walk', () => {
  const data = new DataSection();
  const only = data.add('only value');

  it('a tree deeper than the address (malformed): not found at the address\'s full length, as maxmind answers', () => {
    // 10.0.0.0 and one more 0 bit: a 33rd level under 10.0.0.0/32 that no IPv4 address reaches.
    const path = writeDatabase('deeper-than-ipv4.mmdb', buildDatabase({ ipVersion: 4, recordSize: 24, data, networks: [[[10, 0, 0, 0, 0], 33, only]] }));
    const oracle = new Reader(readFileSync(path));
    expect(oracle.getWithPrefixLength('10.0.0.0')).toEqual([null, 32]);
    expect(lookupOnce(path, '10.0.0.0')).toEqual({ record: null, prefixLength: 32 });
  });

  it('an IPv6 tree with no ::/96 subtree: IPv4 addresses are not found, not walked from the root', () => {
    // One node: ::/1 has no data, 8000::/1 has. The IPv4 start is "no data" at the first left turn.
    const path = writeDatabase('no-ipv4-subtree.mmdb', buildDatabase({ ipVersion: 6, recordSize: 24, data, networks: [[[0x80], 1, only]] }));
    const oracle = new Reader(readFileSync(path));
    for (const ip of ['128.0.0.1', '255.255.255.255', '1.2.3.4']) {
      expect([ip, lookupOnce(path, ip)]).toEqual([ip, { record: null, prefixLength: 0 }]);
      expect(oracle.getWithPrefixLength(ip)).toEqual([null, 0]);
    }
    expect(lookupOnce(path, '8000::1')).toEqual({ record: 'only value', prefixLength: 1 });
  });

  it('an IPv6 tree finds its IPv4 start node once: a second IPv4 walk reads only its own nodes', () => {
    const path = writeDatabase('ipv4-start-once.mmdb', buildDatabase({ ipVersion: 6, recordSize: 24, data, networks: [[inIpv6(v4(5, 9, 0, 0)), 96 + 16, only]] }));
    const file = PositionedFile.open(path);
    try {
      let reads = 0;
      // The real file, counting the tree's reads (24-bit records: one uintAt per node visited).
      const counting = {
        uintAt(position: number, length: number): number {
          reads++;
          return file.uintAt(position, length);
        },
        byteAt(position: number): number {
          reads++;
          return file.byteAt(position);
        },
      } as unknown as PositionedFile;
      const tree = new SearchTree(counting, readLayout(file));
      const walks = [0, 1].map(() => {
        reads = 0;
        const end = tree.walk(Uint8Array.of(5, 9, 1, 2));
        return { depth: end.depth, reads };
      });
      expect(walks).toEqual([{ depth: 16, reads: 96 + 16 }, { depth: 16, reads: 16 }]);
    } finally {
      file.close();
    }
  });
});

describe('28-bit records: both nibbles of the shared middle byte', () => {
  // A 28-bit record keeps its top 4 bits in the node's middle byte (high nibble: left record, low
  // nibble: right). They are non-zero only for values of 2^24 and more: here data pointers, with
  // a data section padded past 16 MiB (built in memory at test time, not committed). Each /2 of
  // the IPv4 space alternates near and far data, so one node has a far left and near right record
  // (middle byte 0x10) and another the reverse (0x01).
  const data = new DataSection();
  const near = data.add({ type: 'map', value: [['where', 'near']] });
  data.add({ type: 'bytes', value: Buffer.alloc(2 ** 24) });
  const far = data.add({ type: 'map', value: [['where', 'far']] });
  const farther = data.add({ type: 'map', value: [['where', 'farther'], ['n', { type: 'uint32', value: 7 }]] });
  // A size-2 pointer carries 3 more value bits in its control byte, worth 2^24 each: past
  // 526336 + 2^24 in the data section they are non-zero.
  data.add({ type: 'bytes', value: Buffer.alloc(530_000) });
  const beyond = data.add('beyond');
  const viaFarPointer = data.add({ type: 'map', value: [['where', { type: 'pointer', value: beyond, size: 2 }]] });
  const quadrants: [number[], number, number][] = [
    [v4(0, 0, 0, 0), 2, far],
    [v4(64, 0, 0, 0), 2, near],
    [v4(128, 0, 0, 0), 2, near],
    [v4(192, 0, 0, 0), 2, far],
    [v4(10, 0, 0, 0), 8, farther],
    [v4(200, 1, 0, 0), 16, near],
    [v4(200, 2, 0, 0), 16, viaFarPointer],
  ];

  it.each([4, 6] as const)('IPv%i tree with data pointers past 2^24', (ipVersion) => {
    const networks = ipVersion === 4 ? quadrants : [...quadrants.map(([bytes, length, offset]): [number[], number, number] => [inIpv6(bytes), 96 + length, offset]), [[0x2a, 0x01], 16, far] as [number[], number, number]];
    const bytes = buildDatabase({ ipVersion, recordSize: 28, data, networks });
    const nodeCount = new Reader(bytes).metadata.nodeCount;
    const middles = new Set(Array.from({ length: nodeCount }, (_, node) => bytes[node * 7 + 3]));
    // The fixture does what it is for: both nibbles set, each alone.
    expect([middles.has(0x10), middles.has(0x01)]).toEqual([true, true]);
    expect(far + nodeCount + 16).toBeGreaterThanOrEqual(2 ** 24);
    expect(bytes[nodeCount * 7 + 16 + viaFarPointer + 7]).toBe(0x31); // after the map's control byte and its key 'where' (1 + 6 bytes): a size-2 pointer, value bits 001
    const path = writeDatabase(`nibbles-ipv${ipVersion}.mmdb`, bytes);
    expectSameAnswers(path, ipVersion);
    expect(
      ['1.2.3.4', '100.1.1.1', '130.0.0.1', '250.0.0.1', '10.9.9.9', '200.1.2.3', '200.2.3.4'].map((ip) => {
        const hit = lookupOnce(path, ip);
        return [ip, (hit.record as { where: string }).where, hit.prefixLength];
      }),
    ).toEqual([
      ['1.2.3.4', 'far', 5], // 0.0.0.0/2 split by 10.0.0.0/8: the leaf holding 1.2.3.4 is 0.0.0.0/5
      ['100.1.1.1', 'near', 2],
      ['130.0.0.1', 'near', 2],
      ['250.0.0.1', 'far', 3], // and 192.0.0.0/2 by 200.1.0.0/16
      ['10.9.9.9', 'farther', 8],
      ['200.1.2.3', 'near', 16],
      ['200.2.3.4', 'beyond', 16],
    ]);
  });
});

describe('metadata', () => {
  const data = new DataSection();
  const only = data.add('only value');
  const build = (name: string, metadataOverrides: [string, Value][]) =>
    writeDatabase(`meta-${name.replace(/\W+/g, '-')}.mmdb`, buildDatabase({ ipVersion: 4, recordSize: 24, data, networks: [[v4(10, 0, 0, 0), 8, only]], metadataOverrides }));

  it('every field we read, and the ones we drop', () => {
    const reader = openMmdb(build('full', [
      ['languages', { type: 'array', value: ['en', { type: 'uint16', value: 3 }, 'de'] }],
      ['description', { type: 'map', value: [['en', 'english'], ['de', { type: 'uint16', value: 1 }]] }],
      ['binary_format_minor_version', { type: 'uint16', value: 7 }],
    ]));
    expect(reader.metadata).toEqual({
      databaseType: 'Handmade-Test',
      buildEpoch: 1767225600,
      ipVersion: 4,
      nodeCount: 8, // 10.0.0.0/8 alone: one node per bit of its prefix, the eighth bit's record is the data
      recordSize: 24,
      languages: ['en', 'de'],
      description: { en: 'english' },
      binaryFormatMajorVersion: 2,
      binaryFormatMinorVersion: 7,
    });
    reader.close();
  });

  // The marker is looked for in the last 4 KiB first, then in the last 128 KiB (the spec's cap on
  // metadata). A description padded so the marker starts exactly N bytes before the end.
  const withMarkerAt = (name: string, fromEnd: number) => {
    const pad = (length: number) => buildDatabase({ ipVersion: 4, recordSize: 24, data, networks: [[v4(10, 0, 0, 0), 8, only]], metadataOverrides: [['description', { type: 'map', value: [['en', 'x'.repeat(length)]] }]] });
    const markerFromEnd = (bytes: Buffer) => bytes.length - bytes.lastIndexOf(METADATA_MARKER);
    // The string's size encoding changes at 285 and 65821 bytes: stay inside one band per case.
    let length = fromEnd - 200;
    for (let bytes = pad(length); markerFromEnd(bytes) !== fromEnd; bytes = pad(length)) length += fromEnd - markerFromEnd(bytes);
    const bytes = pad(length);
    return { path: writeDatabase(`marker-${name}.mmdb`, bytes), length };
  };

  it.each([
    ['exactly 4 KiB from the end (the first window)', 4096],
    ['4 KiB and 1 byte from the end (the second window)', 4097],
    ['exactly 128 KiB from the end', 128 * 1024],
  ])('a metadata marker %s is found', (name, fromEnd) => {
    const { path, length } = withMarkerAt(name.replace(/\W+/g, '-'), fromEnd);
    const reader = openMmdb(path);
    expect(reader.metadata.description.en).toHaveLength(length);
    expect(reader.lookup('10.1.2.3').record).toBe('only value');
    reader.close();
  });

  it('a metadata marker 128 KiB and 1 byte from the end is not', () => {
    const { path } = withMarkerAt('past-128k', 128 * 1024 + 1);
    expect(() => openMmdb(path)).toThrowError(`${path} is not a usable MaxMind DB file: no MaxMind DB metadata marker in its last 128 KiB (not an .mmdb file, or one cut short before its metadata); replace it with a .mmdb database`);
  });

  it('an empty data section: the tree and its separator end exactly at the marker, and nothing is found', () => {
    // No networks: one node whose records both say "no data", 6 bytes, then the 16 zero bytes.
    const path = writeDatabase('empty-data.mmdb', buildDatabase({ ipVersion: 4, recordSize: 24, data: new DataSection(), networks: [] }));
    expect(readFileSync(path).indexOf(METADATA_MARKER)).toBe(6 + 16);
    expect(lookupOnce(path, '10.1.2.3')).toEqual({ record: null, prefixLength: 1 });
  });

  it('a tree that does not fit before the marker is DATABASE_TRUNCATED, with its size and the marker\'s offset', () => {
    const path = writeDatabase('tree-too-long.mmdb', buildDatabase({ ipVersion: 4, recordSize: 24, data: new DataSection(), networks: [], metadataOverrides: [['node_count', { type: 'uint32', value: 2 }]] }));
    expect(() => openMmdb(path)).toThrowError(`MaxMind database ${path} looks truncated or corrupt (its search tree of 12 bytes does not fit before the metadata at offset 22); download it again`);
  });

  it('optional fields of the wrong type: defaults', () => {
    const reader = openMmdb(build('defaults', [
      ['languages', 'en'],
      ['description', 'english'],
      ['build_epoch', 'yesterday'],
      ['binary_format_minor_version', 'x'],
    ]));
    expect(reader.metadata).toEqual({
      databaseType: 'Handmade-Test',
      buildEpoch: 0,
      ipVersion: 4,
      nodeCount: 8,
      recordSize: 24,
      languages: [],
      // Not the string's characters by index, as Object.entries('english') would give.
      description: {},
      binaryFormatMajorVersion: 2,
      binaryFormatMinorVersion: 0,
    });
    reader.close();
  });

  it.each<[string, Value]>([
    ['a string', 'node_count'],
    ['an array', { type: 'array', value: ['node_count', { type: 'uint32', value: 8 }] }],
    ['a number', { type: 'uint16', value: 2 }],
  ])('metadata that is %s, not a map, is DATABASE_INVALID', (name, metadata) => {
    const path = writeDatabase(`meta-not-a-map-${name.replace(/\W+/g, '-')}.mmdb`, buildDatabase({ ipVersion: 4, recordSize: 24, data, networks: [[v4(10, 0, 0, 0), 8, only]], metadata }));
    expect(() => openMmdb(path)).toThrowError(expect.objectContaining({ code: 'DATABASE_INVALID', kind: 'lookup' }));
    expect(() => openMmdb(path)).toThrowError(`${path} is not a usable MaxMind DB file: its metadata is not a map; replace it with a .mmdb database`);
  });

  it('a marker at the very start of the file is found: nothing before it, so the tree does not fit', () => {
    const whole = buildDatabase({ ipVersion: 4, recordSize: 24, data, networks: [[v4(10, 0, 0, 0), 8, only]] });
    const path = writeDatabase('meta-marker-at-0.mmdb', whole.subarray(whole.lastIndexOf(METADATA_MARKER)));
    expect(readFileSync(path).indexOf(METADATA_MARKER)).toBe(0);
    expect(() => openMmdb(path)).toThrowError(`MaxMind database ${path} looks truncated or corrupt (its search tree of 48 bytes does not fit before the metadata at offset 0); download it again`);
  });

  it('node_count 0 (no tree, only the separator): opened, and nothing is found, as maxmind answers', () => {
    // The usual file without its one 6-byte node: it starts with the 16-byte separator.
    const bytes = buildDatabase({ ipVersion: 4, recordSize: 24, data, networks: [], metadataOverrides: [['node_count', { type: 'uint32', value: 0 }]] }).subarray(6);
    const path = writeDatabase('meta-node-count-0.mmdb', bytes);
    const oracle = new Reader(readFileSync(path));
    const reader = openMmdb(path);
    expect(reader.metadata.nodeCount).toBe(0);
    for (const ip of ['10.1.2.3', '0.0.0.0', '255.255.255.255']) {
      const [record, prefixLength] = oracle.getWithPrefixLength(ip);
      expect(reader.lookup(ip), ip).toEqual({ record, prefixLength });
      expect(reader.lookup(ip), ip).toEqual({ record: null, prefixLength: 0 });
    }
    reader.close();
  });

  it.each<[string, [string, Value][], string]>([
    ['major version 3', [['binary_format_major_version', { type: 'uint16', value: 3 }]], 'binary format major version 3 is not 2'],
    ['major version as text', [['binary_format_major_version', '2']], 'binary format major version 2 is not 2'],
    ['record size 20', [['record_size', { type: 'uint16', value: 20 }]], 'record size 20 is not 24, 28 or 32'],
    ['ip_version 5', [['ip_version', { type: 'uint16', value: 5 }]], 'ip_version 5 is not 4 or 6'],
    ['node_count as text', [['node_count', '1']], 'node_count 1 is not a count'],
    ['node_count negative', [['node_count', { type: 'int32', value: -1 }]], 'node_count -1 is not a count'],
    ['node_count fractional', [['node_count', { type: 'double', value: 1.5 }]], 'node_count 1.5 is not a count'],
    ['database_type a number', [['database_type', { type: 'uint16', value: 1 }]], 'database_type is missing'],
  ])('%s is DATABASE_INVALID', (name, overrides, why) => {
    expect(() => openMmdb(build(name, overrides))).toThrowError(expect.objectContaining({ code: 'DATABASE_INVALID', kind: 'lookup', message: expect.stringContaining(why) }));
  });

  it.each([24, 28, 32] as const)('record size %i is accepted', (recordSize) => {
    const path = writeDatabase(`meta-size-${recordSize}.mmdb`, buildDatabase({ ipVersion: 6, recordSize, data, networks: [[inIpv6(v4(10, 0, 0, 0)), 104, only]] }));
    const reader = openMmdb(path);
    expect([reader.metadata.recordSize, reader.metadata.ipVersion]).toEqual([recordSize, 6]);
    reader.close();
  });
});

describe('corrupt data is DATABASE_TRUNCATED, never a wrong answer', () => {
  const truncated = expect.objectContaining({ code: 'DATABASE_TRUNCATED', kind: 'lookup', message: expect.stringMatching(/truncated or corrupt/) });

  // The tree of 10.0.0.0/8 is 8 nodes of 6 bytes, then 16 zero bytes: the data starts at file
  // offset 64, so each value below has its control byte at 64 and the section ends after its bytes.
  it.each<[string, Value, string]>([
    ['a pointer past the data section', { type: 'pointer', value: 5_000_000, size: 3 }, 'pointer to offset 5000064, past the end of its section at 69, at offset 64'],
    ['a pointer to the end of the data section', { type: 'raw', value: Buffer.from([0x20, 0x02]) }, 'pointer to offset 66, past the end of its section at 66, at offset 64'],
    ['a pointer that points at itself', { type: 'pointer', value: 0, size: 0 }, 'data nested deeper than 64 levels (a pointer loop?), at offset 64'],
    ['a data cache container', { type: 'raw', value: Buffer.from([0x00, 0x05]) }, 'data cache container or end marker (type 12) where a value should be, at offset 66'],
    ['an end marker', { type: 'raw', value: Buffer.from([0x00, 0x06]) }, 'data cache container or end marker (type 13) where a value should be, at offset 66'],
    ['an unknown type', { type: 'raw', value: Buffer.from([0x00, 0x09]) }, 'unknown data type 16, at offset 66'],
    ['extended type 0', { type: 'raw', value: Buffer.from([0x00, 0x00]) }, 'invalid extended type 0, at offset 65'],
    ['a string longer than the data section', { type: 'raw', value: Buffer.from([0x5d, 0xff]) }, 'a 284-byte value runs past the end of its section at 66, at offset 66'],
    ['a double cut short', { type: 'raw', value: Buffer.from([0x68, 1, 2]) }, 'a 8-byte value runs past the end of its section at 67, at offset 65'],
    ['a 5-byte uint32', { type: 'raw', value: Buffer.from([0xc5, 1, 2, 3, 4, 5]) }, 'unsigned integer of 5 bytes, at offset 65'],
    ['a 17-byte uint128', { type: 'raw', value: Buffer.from([0x11, 0x03, ...Array(17).fill(1)]) }, 'big unsigned integer of 17 bytes, at offset 66'],
  ])('%s', (name, value, detail) => {
    const data = new DataSection();
    const offset = data.add(value);
    const path = writeDatabase(`corrupt-${name.replace(/\W+/g, '-')}.mmdb`, buildDatabase({
      ipVersion: 4, recordSize: 24, data, networks: [[v4(10, 0, 0, 0), 8, offset]],
    }));
    const reader = openMmdb(path);
    expect(() => reader.lookup('10.1.2.3')).toThrowError(truncated);
    expect(() => reader.lookup('10.1.2.3')).toThrowError(`MaxMind database ${path} looks truncated or corrupt (${detail}); download it again`);
    expect(reader.lookup('11.1.2.3')).toEqual({ record: null, prefixLength: 8 });
    reader.close();
  });

  // 'only value' is 11 bytes: the data section is [64, 75). A tree record is node count + 16 + a
  // data offset, so a data offset of -15 to -1 lands in the separator.
  it.each([
    ['past the data section', 9999, 64 + 9999],
    ['at the end of the data section', 11, 75],
    ['into the separator before the data section', -15, 49],
    ['at the last separator byte', -1, 63],
  ])('a search tree record pointing %s', (name, dataOffset, fileOffset) => {
    const data = new DataSection();
    data.add('only value');
    const path = writeDatabase(`corrupt-tree-${name.replace(/\W+/g, '-')}.mmdb`, buildDatabase({ ipVersion: 4, recordSize: 24, data, networks: [[v4(10, 0, 0, 0), 8, dataOffset]] }));
    expect(() => lookupOnce(path, '10.1.2.3')).toThrowError(truncated);
    expect(() => lookupOnce(path, '10.1.2.3')).toThrowError(`MaxMind database ${path} looks truncated or corrupt (the search tree points at offset ${fileOffset}, outside the data section [64, 75)); download it again`);
    expect(lookupOnce(path, '11.1.2.3')).toEqual({ record: null, prefixLength: 8 });
  });

  it('metadata whose node_count makes the tree larger than the file', () => {
    const data = new DataSection();
    data.add('only value');
    const path = writeDatabase('corrupt-node-count.mmdb', buildDatabase({
      ipVersion: 4, recordSize: 24, data, networks: [[v4(10, 0, 0, 0), 8, 0]], metadataOverrides: [['node_count', { type: 'uint32', value: 10_000_000 }]],
    }));
    expect(() => openMmdb(path)).toThrowError(expect.objectContaining({ code: 'DATABASE_TRUNCATED', message: expect.stringContaining(path) }));
  });

  it('metadata with an unsupported record size is DATABASE_INVALID', () => {
    const data = new DataSection();
    data.add('only value');
    const path = writeDatabase('bad-record-size.mmdb', buildDatabase({
      ipVersion: 4, recordSize: 24, data, networks: [[v4(10, 0, 0, 0), 8, 0]], metadataOverrides: [['record_size', { type: 'uint16', value: 20 }]],
    }));
    expect(() => openMmdb(path)).toThrowError(expect.objectContaining({ code: 'DATABASE_INVALID', message: expect.stringContaining('record size 20') }));
  });
});

describe('nesting: a value 64 levels down is read, one 65 levels down is refused', () => {
  // One-item arrays or one-entry maps nested `levels` deep around a string, which is decoded at depth `levels`.
  const nest = (kind: 'array' | 'map', levels: number): Value => {
    let value: Value = 'bottom';
    for (let i = 0; i < levels; i++) value = kind === 'array' ? { type: 'array', value: [value] } : { type: 'map', value: [['k', value]] };
    return value;
  };
  const dig = (kind: 'array' | 'map', record: unknown, levels: number): unknown => {
    let value = record;
    for (let i = 0; i < levels; i++) value = kind === 'array' ? (value as unknown[])[0] : (value as Record<string, unknown>).k;
    return value;
  };
  const write = (kind: 'array' | 'map', levels: number): string => {
    const data = new DataSection();
    const root = data.add(nest(kind, levels));
    return writeDatabase(`nested-${kind}-${levels}.mmdb`, buildDatabase({ ipVersion: 4, recordSize: 24, data, networks: [[v4(10, 0, 0, 0), 8, root]] }));
  };

  // The data starts at file offset 64 (see the next describe). An array is 2 bytes (control and
  // extended type), so the string inside 65 arrays is at 64 + 2 * 65. A map is 3 (control, then its
  // key 'k'): inside 65 maps the innermost map is at depth 64 and its key, at depth 65, is the
  // first value refused, at 64 + 3 * 64 + 1.
  it.each([
    ['array', 64 + 2 * 65],
    ['map', 64 + 3 * 64 + 1],
  ] as const)('%s', (kind, refusedAt) => {
    const deepest = write(kind, 64);
    const hit = lookupOnce(deepest, '10.1.2.3');
    expect(hit.prefixLength).toBe(8);
    expect(dig(kind, hit.record, 64)).toBe('bottom');
    expect(hit.record).toEqual(new Reader(readFileSync(deepest)).get('10.1.2.3'));

    const tooDeep = write(kind, 65);
    expect(() => lookupOnce(tooDeep, '10.1.2.3')).toThrowError(
      `MaxMind database ${tooDeep} looks truncated or corrupt (data nested deeper than 64 levels (a pointer loop?), at offset ${refusedAt}); download it again`,
    );
  });
});

describe('a lookup of text that is not an address', () => {
  const data = new DataSection();
  const only = data.add('only value');
  const path = writeDatabase('not-an-address.mmdb', buildDatabase({ ipVersion: 6, recordSize: 24, data, networks: [[inIpv6(v4(10, 0, 0, 0)), 104, only]] }));

  it.each(['example.com', '10.1.2.256', '', '10.1.2.3/8', '2001:db8::g', '10.1.2'])('%j is INVALID_IP, an input error naming it', (ip) => {
    const reader = openMmdb(path);
    expect(() => reader.lookup(ip)).toThrowError(expect.objectContaining({ name: 'GeoResponseError', code: 'INVALID_IP', kind: 'input' }));
    expect(() => reader.lookup(ip)).toThrowError(`cannot look up ${JSON.stringify(ip)}: not an IPv4 or IPv6 address`);
    expect(reader.lookup('10.1.2.3').record).toBe('only value');
    reader.close();
  });
});
