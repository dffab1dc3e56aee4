/**
 * CRC-32 (IEEE 802.3, the one gzip and zlib use), written by hand: zlib.crc32 exists only from
 * Node 22.2, and loading zlib for it cost a blocking alert 2–4 ms (parts-file.ts says why that
 * matters). Tested against zlib's own (test/parts-file.test.ts).
 */
let table: Int32Array | undefined;

function makeTable(): Int32Array {
  const made = new Int32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    made[n] = c;
  }
  return made;
}

export function crc32(bytes: Uint8Array): number {
  const lookup = (table ??= makeTable());
  let crc = -1;
  for (let index = 0; index < bytes.length; index += 1) crc = (lookup[(crc ^ (bytes[index] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}
