import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { partChecksum } from '../src/loader/part-checksum';
import { findPart, formatPartsFile, partsFileName, PARTS_INDEX_MAX_BYTES, readPart, storedAsIs, type PartInput } from '../src/loader/parts-file';
import { builtParts, makeBundleHome, TEST_NODE, type BundleHome } from './support/bundle-home';
import { createRandom } from './support/random';

const BUILD = '0123456789abcdef';
const FIREWALL = 'exports.run = () => "über";';
const GROUP = { report: 'exports.r = 1;', lookup: 'exports.l = 2;' };
const PLAIN = 'exports.block = () => "nft créé";';
const PARTS: PartInput[] = [
  { name: 'firewall', body: gzipSync(Buffer.from(FIREWALL)) },
  { name: 'commands', body: gzipSync(Buffer.from(JSON.stringify(GROUP))), members: ['report', 'lookup'] },
  storedAsIs('plain', PLAIN),
];

function writeParts(contents: Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), 'gr-parts-')), partsFileName(BUILD));
  writeFileSync(path, contents);
  return path;
}

/** A damaged file's one outcome besides the stored source: the "damaged" error. Returns whether it was refused. */
function readsAsStoredOrRefuses(path: string, build: string, name: string, stored: string, why = '.*'): boolean {
  let source: string;
  try {
    source = readPart(path, build, name);
  } catch (error) {
    expect((error as Error).message).toMatch(new RegExp(`is damaged \\(${why}\\): reinstall geo-response$`));
    return true;
  }
  expect(source === stored, `${path}: ${name} read as other source`).toBe(true);
  return false;
}

describe('the parts file', () => {
  it('every part and every member of a group reads back as stored', () => {
    const path = writeParts(formatPartsFile(BUILD, PARTS));
    expect(readPart(path, BUILD, 'firewall')).toBe(FIREWALL);
    expect(readPart(path, BUILD, 'report')).toBe(GROUP.report);
    expect(readPart(path, BUILD, 'lookup')).toBe(GROUP.lookup);
    expect(readPart(path, BUILD, 'plain')).toBe(PLAIN);
  });

  it('parts of growing sizes (bodies of 9, 99, 999… bytes) read back from their offsets', () => {
    const sources = [9, 99, 999, 9999, 99999].map((size, i) => `/*${i}*/${'x'.repeat(size)}`);
    const parts = sources.map((source, i) => ({ name: `part${i}`, body: gzipSync(Buffer.from(source)) }));
    const path = writeParts(formatPartsFile(BUILD, parts));
    expect(sources.map((_, i) => readPart(path, BUILD, `part${i}`))).toEqual(sources);
  });

  it('an index over the first read is refused when the file is made', () => {
    const parts = Array.from({ length: 200 }, (_, i) => ({ name: `a-long-part-name-${i}`, body: Buffer.from('x') }));
    expect(() => formatPartsFile(BUILD, parts)).toThrowError(new RegExp(`over ${PARTS_INDEX_MAX_BYTES}`));
  });

  it('a missing file names itself, the part and the fix', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gr-parts-')), partsFileName(BUILD));
    expect(() => readPart(path, BUILD, 'firewall')).toThrowError(`cannot open ${path} (ENOENT): it holds the firewall part of this build, which must sit beside the executable; reinstall geo-response`);
  });

  it('another build\'s file is refused, not run', () => {
    const path = writeParts(formatPartsFile('fedcba9876543210', PARTS));
    expect(() => readPart(path, BUILD, 'firewall')).toThrowError(`${path} is from build fedcba9876543210, not this executable's ${BUILD}: reinstall geo-response`);
  });

  it('a file cut short anywhere is an error, never other source', () => {
    const whole = formatPartsFile(BUILD, PARTS);
    let refused = 0;
    for (let length = 0; length < whole.length; length += 7) {
      const path = writeParts(whole.subarray(0, length));
      // A part wholly before the cut may still read, and then exactly as stored.
      if (readsAsStoredOrRefuses(path, BUILD, 'firewall', FIREWALL)) refused += 1;
      if (readsAsStoredOrRefuses(path, BUILD, 'report', GROUP.report)) refused += 1;
      if (readsAsStoredOrRefuses(path, BUILD, 'plain', PLAIN)) refused += 1;
    }
    expect(refused).toBeGreaterThan(0);
  });

  it('a flipped bit anywhere in a body is an error, never other source', () => {
    const whole = formatPartsFile(BUILD, PARTS);
    const bodyStart = whole.length - PARTS.reduce((sum, part) => sum + part.body.length, 0);
    let refused = 0;
    for (let byte = bodyStart; byte < whole.length; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        const damaged = Buffer.from(whole);
        damaged[byte] = (damaged[byte] as number) ^ (1 << bit);
        const path = writeParts(damaged);
        // A flip in a gzip header field zlib does not check (the time stamp) leaves the source as it was.
        for (const [name, stored] of [['firewall', FIREWALL], ['report', GROUP.report], ['lookup', GROUP.lookup], ['plain', PLAIN]] as const) {
          if (readsAsStoredOrRefuses(path, BUILD, name, stored)) refused += 1;
        }
      }
    }
    expect(refused).toBeGreaterThan(0);
  });

  it('the built parts file: 2,000 random bit flips in its firewall part are each refused or harmless', () => {
    const { path: builtPath, build } = builtParts();
    const built = readFileSync(builtPath);
    const firewall = findPart(built.toString('latin1', 0, PARTS_INDEX_MAX_BYTES), 'firewall', 'built', build);
    const stored = readPart(builtPath, build, 'firewall');
    const random = createRandom(0x5eed);
    const dir = mkdtempSync(join(tmpdir(), 'gr-parts-flip-'));
    let refused = 0;
    for (let i = 0; i < 2000; i++) {
      const damaged = Buffer.from(built);
      const byte = firewall.offset + Math.floor(random() * firewall.length);
      damaged[byte] = (damaged[byte] as number) ^ (1 << Math.floor(random() * 8));
      const path = join(dir, partsFileName(build));
      writeFileSync(path, damaged);
      if (readsAsStoredOrRefuses(path, build, 'firewall', stored, 'part firewall does not match its checksum')) refused += 1;
    }
    // Stored as it is (what a blocking alert reads, without zlib): its checksum catches every single-bit flip.
    expect(refused).toBe(2000);
  });

  it('the checksum of a part stored as it is changes with every single flipped bit, and with the length', () => {
    const random = createRandom(0xf1f);
    // Unaligned starts and lengths too: a Buffer from the pool need not start on a word.
    const backing = Buffer.from(Uint8Array.from({ length: 1027 }, () => Math.floor(random() * 256)));
    const body = backing.subarray(1, 1026);
    const stored = partChecksum(body);
    for (let byte = 0; byte < body.length; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        const damaged = Buffer.from(body);
        damaged[byte] = (damaged[byte] as number) ^ (1 << bit);
        expect(partChecksum(damaged)).not.toBe(stored);
      }
    }
    expect(partChecksum(Buffer.concat([body, Buffer.alloc(3)]))).not.toBe(stored);
    expect(partChecksum(Buffer.from(body))).toBe(stored);
  });

  it.each([
    ['not a parts file', 'MZ\x90\x00\n\n', /is damaged \(it is not a geo-response parts file\)/],
    ['an index with no end', `GEO-RESPONSE-PARTS ${BUILD}\nfirewall 40 10\n`, /is damaged \(its index is cut short\)/],
    ['an offset that is not a number', `GEO-RESPONSE-PARTS ${BUILD}\nfirewall x 10\n\n`, /is damaged \(its index line "firewall x 10" is not <name> <offset> <length>\)/],
    ['a negative offset', `GEO-RESPONSE-PARTS ${BUILD}\nfirewall -3 10\n\n`, /is damaged \(its index line "firewall -3 10"/],
    ['no such part', `GEO-RESPONSE-PARTS ${BUILD}\nreport 100 10\n\n`, /has no part firewall: reinstall geo-response/],
    ['a checksum that is not 8 hex digits', `GEO-RESPONSE-PARTS ${BUILD}\nfirewall 0 10 fnv1a32=12345\n\n`, /has no checksum of 8 hex digits/],
  ])('an index with %s is a clear error', (_title, head, message) => {
    expect(() => findPart(head, 'firewall', 'geo-response.parts', BUILD)).toThrowError(message);
  });
});

// The built executable and its parts file, as execd runs them.
describe('the executable without its parts file', () => {
  const ALERT = ['add', '-', '5.9.10.11', '1795823765.1', '5710', '/var/log/auth.log', '-'];
  const FIXTURE = join(__dirname, 'fixtures', 'GeoIP2-City-Test.mmdb');
  const partsOf = (home: BundleHome) => join(home.home, 'active-response', 'bin', readdirSync(join(home.home, 'active-response', 'bin')).find((name) => name.endsWith('.parts'))!);
  const run = (home: BundleHome, argv: string[]) => spawnSync(TEST_NODE, [home.exe, ...argv], { cwd: '/', env: home.env, encoding: 'utf8' });

  it('still logs an alert that blocks nothing', () => {
    const home = makeBundleHome();
    home.writeConfig({ databases: { geo: FIXTURE } });
    run(home, ALERT); // the validated-configuration cache: the parser part has run once
    unlinkSync(partsOf(home));
    const result = run(home, ALERT);
    expect([result.status, result.stderr]).toEqual([0, '']);
    expect(home.readRecords().map((r) => [r.event.outcome, r.source.geo.country_iso_code])).toEqual([['success', 'DE'], ['success', 'DE']]);
  });

  it('a block fails with one line naming the file, and the record says so', () => {
    const home = makeBundleHome();
    home.writeConfig({ databases: { geo: FIXTURE }, policy: { mode: 'deny', countries: ['DE'] }, firewall: { backend: 'nftables', dry_run: true } });
    run(home, ALERT);
    const parts = partsOf(home);
    renameSync(parts, `${parts}.away`);
    const result = run(home, ALERT);
    expect(result.status).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining(`cannot open ${parts} (ENOENT): it holds the firewall part of this build`)]);
    const records = home.readRecords();
    expect(records.map((r) => r.event.outcome)).toEqual(['success', 'failure']);
    expect(records[1]!.geo_response.decision.action).toBe('block');
    expect(JSON.stringify(records[1])).toContain(`cannot open ${parts} (ENOENT)`);
    // Put back, the same alert blocks (in dry run) again.
    renameSync(`${parts}.away`, parts);
    expect(run(home, ALERT).status).toBe(0);
  });

  it('check says which file is missing', () => {
    const home = makeBundleHome();
    const parts = partsOf(home);
    unlinkSync(parts);
    const result = run(home, ['check']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toBe(`geo-response: internal error: cannot open ${parts} (ENOENT): it holds the check-command part of this build, which must sit beside the executable; reinstall geo-response\n`);
  });

  it('a parts file of another build under this build\'s name is refused', () => {
    const home = makeBundleHome();
    const parts = partsOf(home);
    writeFileSync(parts, formatPartsFile('fedcba9876543210', PARTS));
    const result = run(home, ['check']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`${parts} is from build fedcba9876543210, not this executable's`);
    expect(result.stdout).toBe('');
  });
});
