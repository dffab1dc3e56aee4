import type { MmdbLayout } from './metadata.js';
import type { PositionedFile } from './positioned-file.js';

// In an IPv6 tree the IPv4 space is ::/96: its start node is 96 left turns from the root.
const IPV4_START_DEPTH = 96;

/** Where a walk down the tree ended: a record value above nodeCount points at data. */
export interface TreeEnd {
  /** The record value the walk stopped on; equal to nodeCount when the address has no data. */
  record: number;
  /** Bits consumed; for IPv4 in an IPv6 tree, counted from the IPv4 start node, as maxmind does. */
  depth: number;
}

/** Walks the binary search tree node by node with positioned reads. */
export class SearchTree {
  private readonly nodeCount: number;
  private readonly nodeByteSize: number;
  private readonly recordSize: number;
  private readonly ipVersion: 4 | 6;
  private ipv4Start: number | undefined;

  constructor(
    private readonly file: PositionedFile,
    layout: MmdbLayout,
  ) {
    this.nodeCount = layout.metadata.nodeCount;
    this.nodeByteSize = layout.nodeByteSize;
    this.recordSize = layout.metadata.recordSize;
    this.ipVersion = layout.metadata.ipVersion;
  }

  /** Follow the address's bits from the root (or the IPv4 start node) until a record leaves the tree. */
  walk(address: Uint8Array): TreeEnd {
    const bitLength = address.length * 8;
    let node = bitLength === 32 ? this.findIpv4Start() : 0;
    let depth = 0;
    for (; depth < bitLength && node < this.nodeCount; depth++) {
      const bit = ((address[depth >> 3] as number) >> (7 - (depth & 7))) & 1;
      node = this.readRecord(node, bit);
    }
    // A tree deeper than the address is malformed; maxmind reports "not found" there too.
    return { record: node < this.nodeCount ? this.nodeCount : node, depth };
  }

  // Computed on the first IPv4 lookup only: up to 96 node reads an IPv6 lookup never needs.
  private findIpv4Start(): number {
    if (this.ipv4Start !== undefined) return this.ipv4Start;
    let node = 0;
    if (this.ipVersion === 6) {
      for (let i = 0; i < IPV4_START_DEPTH && node < this.nodeCount; i++) node = this.readRecord(node, 0);
    }
    this.ipv4Start = node;
    return node;
  }

  /** Read the left (bit 0) or right (bit 1) record of a node. */
  private readRecord(node: number, bit: number): number {
    const offset = node * this.nodeByteSize;
    if (this.recordSize === 24) return this.file.uintAt(offset + bit * 3, 3);
    if (this.recordSize === 32) return this.file.uintAt(offset + bit * 4, 4);
    // 28-bit records share the middle byte: its high nibble tops the left record, its low nibble the right.
    const middle = this.file.byteAt(offset + 3);
    return bit === 0
      ? (middle & 0xf0) * 0x100000 + this.file.uintAt(offset, 3)
      : (middle & 0x0f) * 0x1000000 + this.file.uintAt(offset + 4, 3);
  }
}
