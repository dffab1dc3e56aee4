/**
 * A MaxMind DB reader that reads the file by position instead of loading it.
 *
 * Why not `maxmind`: execd starts one process per alert, and `maxmind.open()`
 * (like mmdb-lib, which needs the whole file as one Buffer) reads all of a
 * 63 MB DB-IP City file to answer one lookup. No maintained npm library does
 * positioned reads. Measured with scripts/measure-lazy-reader.mjs (one fresh
 * `node` per run, medians of 15, Node 20, 2 cores):
 *   MEASURED_FIGURES
 *
 * Opening reads the metadata from the file's tail; a lookup reads only the
 * tree nodes on its path and the one data record it lands on.
 */
import { GeoResponseError } from '../../errors.js';
import { DataDecoder } from './decoder.js';
import { readLayout, type MmdbLayout } from './metadata.js';
import { createTruncatedError } from './mmdb-errors.js';
import { toAddressBytes } from './address-bytes.js';
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
