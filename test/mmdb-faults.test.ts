// File-level faults: missing, not an mmdb, cut short at several points, and a
// database replaced (renamed over, or deleted) while a reader has it open.
// Each fault is one clear GeoResponseError with a stable code; a lookup
// either answers exactly what the intact file answers, or throws.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Reader, type Response } from 'maxmind';
import { afterAll, describe, expect, it } from 'vitest';
import { openMmdb } from '../src/geo/mmdb/index.js';
import { createNotFoundError } from '../src/geo/mmdb/mmdb-errors.js';
import { dbipCountryFile } from './support/dbip-files';

const COUNTRY = dbipCountryFile('dbip-country.mmdb');
const COUNTRY_IPV4 = dbipCountryFile('dbip-country-ipv4.mmdb');
const MARKER = Buffer.from('abcdef4d61784d696e642e636f6d', 'hex');
const SEED = 0xfa17;

const directory = mkdtempSync(join(tmpdir(), 'mmdb-faults-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const original = readFileSync(COUNTRY);
const markerAt = original.lastIndexOf(MARKER);
// The country database's search tree ends here (node_count 1367605 x 6 bytes), then 16 zero bytes, then data.
const dataStart = 1367605 * 6 + 16;

function writeBytes(name: string, bytes: Buffer): string {
  const path = join(directory, name);
  writeFileSync(path, bytes);
  return path;
}

function expectOpenError(path: string, code: string, text: RegExp): void {
  expect(() => openMmdb(path)).toThrowError(
    expect.objectContaining({ name: 'GeoResponseError', kind: 'lookup', code, message: expect.stringMatching(text) }),
  );
  expect(() => openMmdb(path)).toThrowError(expect.objectContaining({ message: expect.stringContaining(path) }));
}

// Seeded addresses, half IPv4, half IPv6 in 2000::/3, so runs are repeatable.
function sampleAddresses(count: number, seed: number): string[] {
  let state = seed;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state >>> 8;
  };
  return Array.from({ length: count }, (_, i) =>
    i % 2 === 0
      ? [next() & 255, next() & 255, next() & 255, next() & 255].join('.')
      : [0x2000 | (next() & 0x1fff), ...Array.from({ length: 7 }, () => next() & 0xffff)].map((g) => g.toString(16)).join(':'),
  );
}

describe('a database that cannot be read is one clear error', () => {
  it('a missing file is DATABASE_NOT_FOUND naming the path', () => {
    expectOpenError(join(directory, 'no-such.mmdb'), 'DATABASE_NOT_FOUND', /cannot open MaxMind database .*no-such\.mmdb \(ENOENT\)/);
  });

  it.each([
    ['an empty file', Buffer.alloc(0)],
    ['a text file', Buffer.from('country_code,city\nDE,Munich\n'.repeat(1000))],
    ['a gzip-compressed database', Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0]), original.subarray(0, 200_000)])],
  ])('%s is DATABASE_INVALID', (name, bytes) => {
    expectOpenError(writeBytes(`${name.replace(/\W+/g, '-')}.mmdb`, bytes), 'DATABASE_INVALID', /is not a usable MaxMind DB file: no MaxMind DB metadata marker/);
  });

  // What open errors carry is an errno code; anything else thrown there still gives one clear error.
  it.each([
    ['no cause', undefined],
    ['a cause without an errno code', new Error('odd failure')],
  ])('an open failure with %s is DATABASE_NOT_FOUND, "unreadable", keeping the cause', (_name, cause) => {
    const error = createNotFoundError('/var/lib/GeoIP/x.mmdb', cause);
    expect(error).toMatchObject({ name: 'GeoResponseError', code: 'DATABASE_NOT_FOUND', kind: 'lookup' });
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('cannot open MaxMind database /var/lib/GeoIP/x.mmdb (unreadable): check the configured path or run geoipupdate');
  });

  it('a directory is DATABASE_INVALID', () => {
    const path = join(directory, 'a-directory.mmdb');
    mkdirSync(path);
    expectOpenError(path, 'DATABASE_INVALID', /not a regular file/);
  });
});

describe('a database cut short', () => {
  // Without its tail a file has no metadata: it cannot be told from a non-mmdb file, so the code is
  // DATABASE_INVALID and the message says it may have been cut short.
  it.each([
    ['half', Math.floor(original.length / 2)],
    ['just before the metadata', markerAt],
    ['100 bytes', 100],
  ])('at %s (no metadata left) is DATABASE_INVALID, "cut short"', (_name, length) => {
    expectOpenError(writeBytes(`cut-${length}.mmdb`, original.subarray(0, length)), 'DATABASE_INVALID', /cut short/);
  });

  it('inside the metadata is DATABASE_TRUNCATED', () => {
    const path = writeBytes('cut-in-metadata.mmdb', original.subarray(0, markerAt + MARKER.length + 20));
    expectOpenError(path, 'DATABASE_TRUNCATED', /looks truncated or corrupt/);
  });

  it('at half with the metadata kept (tree larger than the file) is DATABASE_TRUNCATED', () => {
    const bytes = Buffer.concat([original.subarray(0, Math.floor(original.length / 2)), original.subarray(markerAt)]);
    expectOpenError(writeBytes('half-with-metadata.mmdb', bytes), 'DATABASE_TRUNCATED', /looks truncated or corrupt \(its search tree of 8205630 bytes/);
  });

  it('in the data section with the metadata kept: each lookup answers like the intact file or throws DATABASE_TRUNCATED', () => {
    const keptData = Math.floor((markerAt - dataStart) / 4);
    const bytes = Buffer.concat([original.subarray(0, dataStart + keptData), original.subarray(markerAt)]);
    const reader = openMmdb(writeBytes('data-cut.mmdb', bytes));
    const oracle = new Reader(original);
    let answered = 0;
    let refused = 0;
    for (const ip of sampleAddresses(4000, SEED)) {
      let hit;
      try {
        hit = reader.lookup(ip);
      } catch (error) {
        expect(error).toMatchObject({ code: 'DATABASE_TRUNCATED', kind: 'lookup' });
        refused++;
        continue;
      }
      const [record, prefixLength] = oracle.getWithPrefixLength(ip);
      expect(hit, ip).toEqual({ record, prefixLength });
      answered++;
    }
    reader.close();
    expect(answered).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});

describe('a database replaced while a reader has it open', () => {
  const ips = sampleAddresses(4000, SEED + 1);

  function expectAnswersLike(reader: ReturnType<typeof openMmdb>, oracle: Reader<Response>): void {
    for (const ip of ips) {
      const [record, prefixLength] = oracle.getWithPrefixLength(ip);
      const expected = ip.includes(':') && reader.metadata.ipVersion === 4 ? { record: null, prefixLength: 0 } : { record, prefixLength };
      expect(reader.lookup(ip), ip).toEqual(expected);
    }
  }

  it('renamed over (as geoipupdate does): the open reader keeps answering from the old file; a new open answers the new one', () => {
    const path = join(directory, 'live.mmdb');
    copyFileSync(COUNTRY, path);
    const reader = openMmdb(path);
    expect(reader.lookup('2a00:1450::1').record).toEqual({ country_code: 'PL' });

    copyFileSync(COUNTRY_IPV4, `${path}.tmp`);
    renameSync(`${path}.tmp`, path);

    // Thousands of lookups after the swap touch tree nodes never read before it.
    expect(reader.metadata.databaseType).toBe('country ipvAll');
    expectAnswersLike(reader, new Reader<Response>(original));
    reader.close();

    const fresh = openMmdb(path);
    expect(fresh.metadata.ipVersion).toBe(4);
    expect(fresh.lookup('2a00:1450::1')).toEqual({ record: null, prefixLength: 0 });
    expectAnswersLike(fresh, new Reader<Response>(readFileSync(COUNTRY_IPV4)));
    fresh.close();
  });

  it('deleted: the open reader keeps answering', () => {
    const path = join(directory, 'deleted.mmdb');
    copyFileSync(COUNTRY, path);
    const reader = openMmdb(path);
    unlinkSync(path);
    expectAnswersLike(reader, new Reader<Response>(original));
    reader.close();
    expect(() => reader.lookup('1.1.1.1')).toThrowError(expect.objectContaining({ code: 'READER_CLOSED' }));
  });
});
