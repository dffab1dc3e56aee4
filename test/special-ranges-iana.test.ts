import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIpAddress } from '../src/geo/ip-address.js';
import { classifyAddress, SPECIAL_RANGES } from '../src/geo/special-ranges.js';

// src/geo/special-ranges.ts checked against the IANA special-purpose registries written down by
// hand in test/fixtures/iana-special-purpose.json, with arithmetic of its own (BigInt, no code
// from src/): the first and last address of every block and of every table range, and the
// addresses just outside, must get the class the registry data gives them.

interface Block {
  block: string;
  name: string;
  registry: string;
  class: string;
}

const { blocks } = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'iana-special-purpose.json'), 'utf8')) as { blocks: Block[] };

interface Cidr {
  bits: 32 | 128;
  base: bigint;
  length: number;
}

function parseAddressToBigInt(text: string): { bits: 32 | 128; value: bigint } {
  if (!text.includes(':')) return { bits: 32, value: text.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n) };
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  if (groups.length !== 8) throw new Error(`test data: bad IPv6 ${text}`);
  return { bits: 128, value: groups.reduce((value, group) => (value << 16n) | BigInt(parseInt(group, 16)), 0n) };
}

function parseCidr(text: string): Cidr {
  const [address = '', length = ''] = text.split('/');
  const { bits, value } = parseAddressToBigInt(address);
  const cidr = { bits, base: value, length: Number(length) };
  if (lastOf(cidr) - cidr.base + 1n !== 1n << BigInt(bits - cidr.length) || (value & hostMask(cidr)) !== 0n) throw new Error(`test data: ${text} has host bits set`);
  return cidr;
}

const hostMask = (cidr: Cidr): bigint => (1n << BigInt(cidr.bits - cidr.length)) - 1n;
const lastOf = (cidr: Cidr): bigint => cidr.base | hostMask(cidr);
const contains = (cidr: Cidr, bits: number, value: bigint): boolean => cidr.bits === bits && value >> BigInt(cidr.bits - cidr.length) === cidr.base >> BigInt(cidr.bits - cidr.length);

// Full, uncompressed spelling: the parser under test does the compressing.
function formatBigInt(bits: 32 | 128, value: bigint): string {
  if (bits === 32) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
  return Array.from({ length: 8 }, (_, index) => ((value >> BigInt(112 - index * 16)) & 0xffffn).toString(16)).join(':');
}

const REGISTRY = blocks.map((block) => ({ ...block, cidr: parseCidr(block.block) }));
const IPV4_MAPPED = parseCidr('::ffff:0:0/96');

/** The class the registry data gives an address: its most specific block's, else public. */
function expectedClass(bits: 32 | 128, value: bigint): string {
  if (bits === 128 && contains(IPV4_MAPPED, 128, value)) return expectedClass(32, value & 0xffff_ffffn);
  const holders = REGISTRY.filter((entry) => contains(entry.cidr, bits, value)).sort((a, b) => b.cidr.length - a.cidr.length);
  return holders[0]?.class ?? 'public';
}

function edgesOf(cidr: Cidr): Array<{ where: string; value: bigint }> {
  const max = (1n << BigInt(cidr.bits)) - 1n;
  const edges = [
    { where: 'first', value: cidr.base },
    { where: 'last', value: lastOf(cidr) },
  ];
  if (cidr.base > 0n) edges.push({ where: 'just before', value: cidr.base - 1n });
  if (lastOf(cidr) < max) edges.push({ where: 'just after', value: lastOf(cidr) + 1n });
  return edges;
}

const networks = [...new Set([...REGISTRY.map((entry) => entry.block), ...SPECIAL_RANGES.map((range) => range.network)])];
const CASES = networks.flatMap((network) => {
  const cidr = parseCidr(network);
  return edgesOf(cidr).map(({ where, value }) => {
    const text = formatBigInt(cidr.bits, value);
    return { title: `${text} (${where} ${network})`, text, expected: expectedClass(cidr.bits, value) };
  });
});

describe('special ranges agree with the IANA registries at every edge', () => {
  it('the registry data covers every class the table uses, and every table range is a registry block', () => {
    expect(REGISTRY.length).toBeGreaterThan(50);
    for (const range of SPECIAL_RANGES) {
      const entry = REGISTRY.find((candidate) => candidate.block === range.network);
      expect(entry, `${range.network} is not a registry block`).toBeDefined();
      expect(entry!.class, range.network).toBe(range.addressClass);
    }
  });

  it('every registry block that geo-response classifies is in the table', () => {
    const classified = REGISTRY.filter((entry) => entry.class !== 'public' && entry.class !== 'ipv4-mapped').map((entry) => entry.block);
    // A block may be covered by a wider table range of the same class (192.0.0.9/32 by 192.0.0.0/24): the edges test that.
    const missing = classified.filter((block) => {
      const cidr = parseCidr(block);
      return !SPECIAL_RANGES.some((range) => {
        const wide = parseCidr(range.network);
        return wide.length <= cidr.length && contains(wide, cidr.bits, cidr.base);
      });
    });
    expect(missing).toEqual([]);
  });

  it.each(CASES)('$title is $expected', ({ text, expected }) => {
    expect(classifyAddress(parseIpAddress(text)).addressClass).toBe(expected);
  });
});
