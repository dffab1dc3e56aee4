import { describe, expect, it } from 'vitest';
import { formatBlockState, MAX_STATE_BLOCKS, parseBlockState, STATE_HEADER, type BlockEntry } from '../src/blocks/block-state.js';
import { restorableFromState } from '../src/blocks/restorable-state.js';
import { scanRestorable } from '../src/blocks/restore-scan.js';
import { createRandom } from './support/random.js';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');

// The scan must give what the full parse gives; its rewrite may be left out when it would be the file itself.
function expectSameAsFullParse(text: string, nowMs: number) {
  const scanned = scanRestorable(text, nowMs);
  expect(scanned).toBeDefined();
  const { rewrite, ...full } = restorableFromState(parseBlockState(text), nowMs);
  const { rewrite: scannedRewrite, ...rest } = scanned!;
  expect(rest).toEqual(full);
  expect(scannedRewrite ?? text).toBe(rewrite);
}

// Seeded, so a failure names a seed that reproduces it.
function random(seed: number) {
  const next = createRandom(seed);
  return (below: number) => Math.floor(next() * below);
}

function randomEntry(next: (below: number) => number): BlockEntry {
  const ips = [
    () => `${next(256)}.${next(256)}.${next(256)}.${next(256)}`,
    () => `2a00:${next(0xffff).toString(16)}::${next(0xffff).toString(16)}`,
    () => `0${next(10)}.1.2.3`, // not canonical: recorded by nothing, dropped by both
    () => '2A00::1',
    () => 'not an address',
  ];
  const ends = [() => null, () => NOW + 1 + next(86_400_000), () => NOW - next(86_400_000), () => NOW, () => NOW + 499, () => NOW + 500];
  return { ip: ips[next(ips.length)]!(), backend: ['nftables', 'ipset', 'iptables', 'firewalld'][next(4)]!, since_ms: NOW - next(86_400_000), expires_ms: ends[next(ends.length)]!() };
}

describe('the restore scan', () => {
  it.each(Array.from({ length: 40 }, (_, seed) => ({ seed, size: seed < 4 ? 3000 : 60 })))('reads what the full parse reads from a state geo-response wrote (seed $seed)', ({ seed, size }) => {
    const next = random(seed + 1);
    const blocks = Array.from({ length: next(size) }, () => randomEntry(next));
    expectSameAsFullParse(formatBlockState({ blocks }), NOW);
  });

  it('reads a state where every block is live and recorded by geo-response as it is: nothing to write back', () => {
    const text = formatBlockState({ blocks: [{ ip: '1.0.0.1', backend: 'nftables', since_ms: 1, expires_ms: null }, { ip: '2a00::1', backend: 'ipset', since_ms: 1, expires_ms: NOW + 1 }] });
    expect(scanRestorable(text, NOW)?.rewrite).toBeUndefined();
    expectSameAsFullParse(text, NOW);
  });

  it('reads an empty state as nothing to restore', () => {
    expect(scanRestorable(formatBlockState({ blocks: [] }), NOW)).toEqual({ entries: [], ended: 0, unusable: 0 });
  });

  it('counts the ended blocks and gives each live one the seconds it has left', () => {
    const text = formatBlockState({
      blocks: [
        { ip: '1.0.0.1', backend: 'nftables', since_ms: 1, expires_ms: NOW + 10_400 },
        { ip: '1.0.0.2', backend: 'nftables', since_ms: 1, expires_ms: NOW },
        { ip: '2a00:1450::1', backend: 'ipset', since_ms: 1, expires_ms: null },
        { ip: '1.0.0.3', backend: 'nftables', since_ms: 1, expires_ms: NOW + 200 },
      ],
    });
    expect(scanRestorable(text, NOW)).toEqual({
      entries: [
        { address: { text: '1.0.0.1', family: 4 }, remainingSeconds: 10 },
        { address: { text: '2a00:1450::1', family: 6 }, remainingSeconds: 0 },
        { address: { text: '1.0.0.3', family: 4 }, remainingSeconds: 1 },
      ],
      ended: 1,
      unusable: 0,
      rewrite: `${STATE_HEADER}["1.0.0.1","nftables",1,1796126410400],\n["2a00:1450::1","ipset",1,null],\n["1.0.0.3","nftables",1,1796126400200]\n]}\n`,
    });
  });

  const row = '["1.0.0.1","nftables",1796122800000,1796126400000]';
  it.each([
    { title: 'a version 1 file', text: '{"version":1,"blocks":[\n{"ip":"1.0.0.1","backend":"nftables","since":"2026-12-01T11:00:00.000Z","expires":null}\n]}\n' },
    { title: 'other columns', text: `{"version":2,"columns":["ip","since_ms","backend","expires_ms"],"blocks":[\n${row}\n]}\n` },
    { title: 'an escape in a string', text: `${STATE_HEADER}["1.0.0.1","nft\\u0061bles",1,null]\n]}\n` },
    { title: 'a fraction', text: `${STATE_HEADER}["1.0.0.1","nftables",1.5,null]\n]}\n` },
    { title: 'an exponent', text: `${STATE_HEADER}["1.0.0.1","nftables",1,2e15]\n]}\n` },
    { title: 'a negative time', text: `${STATE_HEADER}["1.0.0.1","nftables",-1,null]\n]}\n` },
    { title: 'a leading zero', text: `${STATE_HEADER}["1.0.0.1","nftables",01,null]\n]}\n` },
    { title: 'sixteen digits', text: `${STATE_HEADER}["1.0.0.1","nftables",1,1796126400000000]\n]}\n` },
    { title: 'a space after a comma', text: `${STATE_HEADER}["1.0.0.1", "nftables",1,null]\n]}\n` },
    { title: 'a fifth column', text: `${STATE_HEADER}["1.0.0.1","nftables",1,null,7]\n]}\n` },
    { title: 'rows on one line', text: `${STATE_HEADER}${row},${row}\n]}\n` },
    { title: 'no end', text: `${STATE_HEADER}${row},\n` },
    { title: 'something after the end', text: `${STATE_HEADER}${row}\n]}\n{}` },
    { title: 'a cut row', text: `${STATE_HEADER}["1.0.0.1","nftables",17961` },
    { title: 'a string that never closes', text: `${STATE_HEADER}["1.0.0.1` },
    { title: 'a null time where a number belongs', text: `${STATE_HEADER}["1.0.0.1","nftables",null,null]\n]}\n` },
  ])('hands $title to the full parse', ({ text }) => {
    expect(scanRestorable(text, NOW)).toBeUndefined();
  });

  it.each([
    { title: 'all with addresses geo-response writes', bad: 0 },
    { title: 'one of them not an address', bad: 1 },
  ])('hands a state with more live blocks than it may hold ($title) to the full parse, which keeps those that end last', ({ bad }) => {
    const blocks = Array.from({ length: MAX_STATE_BLOCKS + 1 }, (_, index) => ({ ip: bad > 0 && index === MAX_STATE_BLOCKS ? 'bogus' : `10.${index >> 16}.${(index >> 8) & 255}.${index & 255}`, backend: 'nftables', since_ms: 1, expires_ms: NOW + 1000 + index }));
    const text = formatBlockState({ blocks });
    expect(scanRestorable(text, NOW)).toBeUndefined();
    const full = restorableFromState(parseBlockState(text), NOW);
    expect(full.entries).toHaveLength(MAX_STATE_BLOCKS - bad);
    expect(full.unusable).toBe(bad);
    // The one that ends first is the one cut.
    expect(full.entries.map((entry) => entry.address.text)).not.toContain('10.0.0.0');
    expect(full.entries.map((entry) => entry.address.text)).toContain('10.0.0.1');
  });

  it('leaves out, counts and drops from the state an address that is not one geo-response writes', () => {
    const text = `${STATE_HEADER}["2A00::1","nftables",1,null],\n["1.0.0.1","nftables",1,null]\n]}\n`;
    expect(scanRestorable(text, NOW)).toEqual({ entries: [{ address: { text: '1.0.0.1', family: 4 }, remainingSeconds: 0 }], ended: 0, unusable: 1, rewrite: `${STATE_HEADER}["1.0.0.1","nftables",1,null]\n]}\n` });
    expectSameAsFullParse(text, NOW);
  });
});
