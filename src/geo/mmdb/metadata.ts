import { DataDecoder } from './decoder.js';
import { createInvalidError, createTruncatedError } from './mmdb-errors.js';
import type { PositionedFile } from './positioned-file.js';
import type { MmdbMetadata } from './types.js';

// The spec puts the metadata after the last "\xAB\xCD\xEFMaxMind.com" in the
// file and caps the metadata at 128 KiB, so only the tail needs reading.
const METADATA_MARKER = Uint8Array.from('\xAB\xCD\xEFMaxMind.com', (char) => char.charCodeAt(0));
const METADATA_MAX_BYTES = 128 * 1024;
// Real metadata is well under 4 KiB: look there first, so an alert reads 4 KiB, not 128.
const METADATA_FIRST_TRY_BYTES = 4 * 1024;
// Sixteen zero bytes separate the search tree from the data section.
const DATA_SECTION_SEPARATOR_BYTES = 16;

/** Where things are in the file, derived from the metadata. */
export interface MmdbLayout {
  metadata: MmdbMetadata;
  /** Bytes per search tree node: two records of recordSize bits. */
  nodeByteSize: number;
  searchTreeBytes: number;
  /** First byte of the data section; data pointers count from here. */
  dataStart: number;
  /** Where the data section ends: the start of the metadata marker. */
  dataEnd: number;
}

/** Find and decode the metadata at the file's tail, and check that the search tree fits in the file. */
export function readLayout(file: PositionedFile): MmdbLayout {
  const markerAt = findMetadataMarker(file);
  if (markerAt < 0) {
    throw createInvalidError(file.path, 'no MaxMind DB metadata marker in its last 128 KiB (not an .mmdb file, or one cut short before its metadata)');
  }
  const dataEnd = markerAt;
  const metadataStart = dataEnd + METADATA_MARKER.length;
  const decoded = new DataDecoder(file, metadataStart, file.size).decodeAt(metadataStart);
  const metadata = toMetadata(file.path, decoded);
  const nodeByteSize = metadata.recordSize / 4;
  const searchTreeBytes = metadata.nodeCount * nodeByteSize;
  if (searchTreeBytes + DATA_SECTION_SEPARATOR_BYTES > dataEnd) {
    throw createTruncatedError(file.path, `its search tree of ${searchTreeBytes} bytes does not fit before the metadata at offset ${dataEnd}`);
  }
  return { metadata, nodeByteSize, searchTreeBytes, dataStart: searchTreeBytes + DATA_SECTION_SEPARATOR_BYTES, dataEnd };
}

// The file offset of the last marker, or -1. The marker in the short tail is the file's last one
// (a later one would be in that tail too).
function findMetadataMarker(file: PositionedFile): number {
  for (const limit of [METADATA_FIRST_TRY_BYTES, METADATA_MAX_BYTES]) {
    const tailBytes = Math.min(file.size, limit);
    const markerAt = file.lastIndexOf(METADATA_MARKER, file.size - tailBytes, tailBytes);
    if (markerAt >= 0 || tailBytes === file.size) return markerAt;
  }
  return -1;
}

// Map the metadata map's snake_case keys onto our type, checking what lookups rely on.
function toMetadata(path: string, decoded: unknown): MmdbMetadata {
  if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) {
    throw createInvalidError(path, 'its metadata is not a map');
  }
  const raw = decoded as Record<string, unknown>;
  const major = toNumber(raw.binary_format_major_version);
  if (major !== 2) throw createInvalidError(path, `binary format major version ${String(raw.binary_format_major_version)} is not 2`);
  const recordSize = toNumber(raw.record_size);
  if (recordSize !== 24 && recordSize !== 28 && recordSize !== 32) {
    throw createInvalidError(path, `record size ${String(raw.record_size)} is not 24, 28 or 32`);
  }
  const ipVersion = toNumber(raw.ip_version);
  if (ipVersion !== 4 && ipVersion !== 6) throw createInvalidError(path, `ip_version ${String(raw.ip_version)} is not 4 or 6`);
  const nodeCount = toNumber(raw.node_count);
  if (nodeCount === undefined || !Number.isInteger(nodeCount) || nodeCount < 0) {
    throw createInvalidError(path, `node_count ${String(raw.node_count)} is not a count`);
  }
  if (typeof raw.database_type !== 'string') throw createInvalidError(path, 'database_type is missing');
  return {
    databaseType: raw.database_type,
    buildEpoch: toNumber(raw.build_epoch) ?? 0,
    ipVersion,
    nodeCount,
    recordSize,
    languages: Array.isArray(raw.languages) ? raw.languages.filter((l): l is string => typeof l === 'string') : [],
    description: toStringMap(raw.description),
    binaryFormatMajorVersion: major,
    binaryFormatMinorVersion: toNumber(raw.binary_format_minor_version) ?? 0,
  };
}

// build_epoch is a uint64, decoded as bigint; the others are uint16/uint32.
function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}

function toStringMap(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (value === null || typeof value !== 'object') return result;
  for (const [key, text] of Object.entries(value)) if (typeof text === 'string') result[key] = text;
  return result;
}

