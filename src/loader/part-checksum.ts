/**
 * The checksum of a part stored as it is (parts-file.ts): FNV-1a over 32-bit words, with the
 * length mixed in. Written by hand because what a blocking alert may load has no cheaper
 * maintained one: zlib (its crc32 is Node 22.2+ anyway) cost 2–4 ms to load, crypto's first hash
 * ~1.3 ms (OpenSSL's start-up), and a byte-wise CRC-32 in JavaScript 4–5 ms over the firewall
 * part before V8 optimises its loop; this is ~0.3 ms (one-off runs on the build machine).
 *
 * What it guarantees: each step (xor a word, multiply by an odd number mod 2^32) is a bijection of
 * the running hash, so a change confined to one word (any single flipped bit) always changes the
 * result. Wider damage goes unnoticed with odds of 2^-32, as with a CRC-32. It guards against a
 * damaged disk, not an attacker: the file's trust rule does that (trusted-path.ts).
 */
export function partChecksum(bytes: Uint8Array): number {
  // Int32Array needs an aligned start; a copy, zero-padded to whole words, when it is not.
  const aligned = bytes.byteOffset % 4 === 0 && bytes.length % 4 === 0 ? bytes : padded(bytes);
  const words = new Int32Array(aligned.buffer, aligned.byteOffset, aligned.length >> 2);
  let hash = 0x811c9dc5 ^ bytes.length;
  for (let index = 0; index < words.length; index += 1) hash = Math.imul(hash ^ (words[index] as number), 0x01000193);
  return hash >>> 0;
}

function padded(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array((bytes.length + 3) & ~3);
  copy.set(bytes);
  return copy;
}
