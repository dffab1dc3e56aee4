import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PositionedFile } from '../src/geo/mmdb/positioned-file';
import { createRandom } from './support/random';

const NEEDLE = Uint8Array.from('\xAB\xCDMM', (char) => char.charCodeAt(0));

function fileOf(bytes: Uint8Array): PositionedFile {
  const path = join(mkdtempSync(join(tmpdir(), 'gr-pfile-')), 'data.bin');
  writeFileSync(path, bytes);
  return PositionedFile.open(path);
}

// The plain definition lastIndexOf must agree with.
function expected(bytes: Uint8Array, position: number, length: number): number {
  const at = Buffer.from(bytes.subarray(position, position + length)).lastIndexOf(Buffer.from(NEEDLE));
  return at === -1 ? -1 : position + at;
}

describe('PositionedFile.lastIndexOf', () => {
  it('agrees with Buffer#lastIndexOf over small and large ranges, edges and near misses', () => {
    const random = createRandom(7);
    for (const size of [0, 3, 4, 5, 4096, 4100, 20000]) {
      const bytes = new Uint8Array(size);
      // Mostly the needle's own bytes, so that first-byte matches and partial matches abound.
      for (let i = 0; i < size; i++) bytes[i] = NEEDLE[Math.floor(random() * 5)] ?? 0;
      const file = fileOf(bytes);
      for (const [position, length] of [[0, size], [size - Math.min(size, 4096), Math.min(size, 4096)], [Math.min(1, size), Math.max(0, size - 2)], [Math.floor(size / 3), Math.floor(size / 3)]] as const) {
        expect(file.lastIndexOf(NEEDLE, position, length)).toBe(expected(bytes, position, length));
      }
      file.close();
    }
  });

  it('finds the needle at the very start and the very end of the range, and never outside it', () => {
    const bytes = new Uint8Array(64);
    bytes.set(NEEDLE, 10);
    bytes.set(NEEDLE, 60);
    const file = fileOf(bytes);
    expect(file.lastIndexOf(NEEDLE, 10, 4)).toBe(10);
    expect(file.lastIndexOf(NEEDLE, 0, 64)).toBe(60);
    expect(file.lastIndexOf(NEEDLE, 0, 63)).toBe(10);
    expect(file.lastIndexOf(NEEDLE, 11, 52)).toBe(-1);
    file.close();
  });
});
