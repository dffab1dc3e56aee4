import { describe, expect, it } from 'vitest';
import { formatIpv6, parseIpAddress } from '../src/geo/ip-address';
import { classifyAddress, parseNetwork, rangeContains, SPECIAL_RANGES } from '../src/geo/special-ranges';
import { bytesSharePrefix, maskBytes } from '../src/geo/address-bytes';
import { formatNetwork } from '../src/geo/network-prefix';
import { createRandom } from './support/random';

describe('parseIpAddress', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7', 4, 'cb007107'],
    ['::ffff:203.0.113.7', '203.0.113.7', 4, 'cb007107'],
    ['::FFFF:203.0.113.7', '203.0.113.7', 4, 'cb007107'],
    ['::ffff:c000:0207', '192.0.2.7', 4, 'c0000207'],
    ['2001:DB8:0:0:0:0:0:7', '2001:db8::7', 6, '20010db8000000000000000000000007'],
    ['2a02:cf40:0000::0001', '2a02:cf40::1', 6, '2a02cf40000000000000000000000001'],
    ['2A02:CF40:ABCD:EF01::FfFf', '2a02:cf40:abcd:ef01::ffff', 6, '2a02cf40abcdef01000000000000ffff'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8', 6, '00010002000300040005000600070008'],
    [' 1.2.3.4 ', '1.2.3.4', 4, '01020304'],
    ['0.0.0.0', '0.0.0.0', 4, '00000000'],
    ['255.255.255.255', '255.255.255.255', 4, 'ffffffff'],
    ['10.0.100.9', '10.0.100.9', 4, '0a006409'],
    // `::` standing for one group (RFC 4291 allows it; RFC 5952 only never writes it), at each end too.
    ['1:2:3:4:5:6::8', '1:2:3:4:5:6:0:8', 6, '00010002000300040005000600000008'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8', 6, '00000002000300040005000600070008'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0', 6, '00010002000300040005000600070000'],
  ])('%s -> %s', (raw, text, family, hex) => {
    // The bytes are the canonical address's (an IPv4-mapped address is its 4 IPv4 bytes).
    expect(parseIpAddress(raw)).toEqual({ text, family, bytes: new Uint8Array(Buffer.from(hex, 'hex')) });
  });

  it.each(['999.1.1.1', '256.1.1.1', '01.2.3.4', '1.2.3.04', '1..3.4', '1.2.3.4.', '+1.2.3.4', '1.2.3.-4', '1e2.1.1.1', '0x7f.0.0.1', '1.2.3.4a', '1111.2.3.4', '1.2.3.4;id', '$(id)', '', '1.2.3', 'fe80::1%eth0', '::ffff:999.1.1.1', 'x'.repeat(10000), '1.2.3.4/24', '2001:db8::g', '2001:db8::12345', '2001:db8:::1', ':2001:db8::1', '2001:db8::1:', '2001:db8::+1', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '2001:db8::\u00101', '1.2.3.4-', '1.2.3.1/', '2001:db8::1g', '2001:db8::@1', '2001:db8::;', '1::2::3', '1.2.3.4::', '1.2.3.4::1', '::1.2.3.4:5', '1:2:3:4::5:6:7:8', '1:2:3:4:5:6:7::8'])('rejects %j', (raw) => {
    expect(() => parseIpAddress(raw)).toThrowError(expect.objectContaining({ code: 'INVALID_IP', kind: 'input' }));
  });
});

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback', '127.0.0.0/8'],
    ['::1', 'loopback', '::1/128'],
    ['10.1.2.3', 'private', '10.0.0.0/8'],
    ['172.31.255.255', 'private', '172.16.0.0/12'],
    ['172.32.0.1', 'public', undefined],
    ['192.168.1.1', 'private', '192.168.0.0/16'],
    ['fd12::1', 'unique-local', 'fc00::/7'],
    ['169.254.1.1', 'link-local', '169.254.0.0/16'],
    ['fe80::1', 'link-local', 'fe80::/10'],
    ['100.64.0.1', 'cgnat', '100.64.0.0/10'],
    ['192.0.2.1', 'documentation', '192.0.2.0/24'],
    ['2001:db8::1', 'documentation', '2001:db8::/32'],
    ['224.0.0.251', 'multicast', '224.0.0.0/4'],
    ['ff02::1', 'multicast', 'ff00::/8'],
    ['255.255.255.255', 'broadcast', '255.255.255.255/32'],
    ['0.0.0.0', 'unspecified', '0.0.0.0/32'],
    ['::', 'unspecified', '::/128'],
    ['198.18.0.1', 'benchmarking', '198.18.0.0/15'],
    ['8.8.8.8', 'public', undefined],
    ['::1.2.3.4', 'reserved', '::/96'],
    ['64:ff9b::102:304', 'public', undefined],
    ['2a02:cf40::1', 'public', undefined],
    // At least one row for every IANA range, written out here rather than read from the table.
    ['0.1.2.3', 'reserved', '0.0.0.0/8'],
    ['192.0.0.9', 'reserved', '192.0.0.0/24'],
    ['192.88.99.1', 'reserved', '192.88.99.0/24'],
    ['198.51.100.7', 'documentation', '198.51.100.0/24'],
    ['203.0.113.7', 'documentation', '203.0.113.0/24'],
    ['240.0.0.1', 'reserved', '240.0.0.0/4'],
    ['64:ff9b:1::1', 'private', '64:ff9b:1::/48'],
    ['100::1', 'reserved', '100::/64'],
    ['2001:2::1', 'benchmarking', '2001:2::/48'],
    ['3fff::1', 'documentation', '3fff::/20'],
  ])('%s is %s', (raw, addressClass, network) => {
    expect(classifyAddress(parseIpAddress(raw))).toEqual(network === undefined ? { addressClass } : { addressClass, network });
  });
});

// The plain definition classifyAddress must agree with: the first range, in table order, whose
// prefix the address shares, without the shortcut on the ranges' text. (Which ranges exist is the
// table above's business; this checks only that the shortcut never changes the answer.)
function classifyByComparingEveryRange(text: string): string | undefined {
  const bytes = parseNetwork(text)!.bytes;
  return SPECIAL_RANGES.find((range) => bytesSharePrefix(bytes, parseNetwork(range.network)!.bytes, parseNetwork(range.network)!.prefixLength))?.network;
}

describe('classifyAddress: the text pre-check agrees with comparing every range', () => {
  // Each range's first and last address, and the addresses just outside it.
  const edges = SPECIAL_RANGES.flatMap(({ network }) => {
    const { bytes, prefixLength } = parseNetwork(network)!;
    const first = maskBytes(bytes, prefixLength);
    const last = first.map((byte, i) => byte | (0xff >> Math.max(0, Math.min(8, prefixLength - i * 8))));
    const step = (address: Uint8Array, by: 1 | -1) => {
      const next = Uint8Array.from(address);
      for (let i = next.length - 1; i >= 0; i--) {
        next[i] = ((next[i] as number) + by) & 0xff;
        if (next[i] !== (by === 1 ? 0 : 0xff)) break;
      }
      return next;
    };
    return [first, last, step(first, -1), step(last, 1)];
  });
  it.each(edges.map((bytes) => (bytes.length === 4 ? bytes.join('.') : parseIpAddress(Buffer.from(bytes).toString('hex').replace(/(.{4})(?!$)/g, '$1:')).text)))('%s', (text) => {
    const expected = classifyByComparingEveryRange(parseIpAddress(text).text);
    expect(classifyAddress(parseIpAddress(text)).network).toBe(expected);
  });
});

describe('formatNetwork', () => {
  it.each([
    ['81.2.69.142', 24, '81.2.69.0/24'],
    ['81.2.69.142', 32, '81.2.69.142/32'],
    ['81.2.69.142', 0, '0.0.0.0/0'],
    ['255.255.255.255', 1, '128.0.0.0/1'],
    ['2a02:cf40:1234::1', 29, '2a02:cf40::/29'],
    ['2001:218:ffff::1', 32, '2001:218::/32'],
    ['2001:218::1', 128, '2001:218::1/128'],
  ])('%s/%i -> %s', (raw, prefix, expected) => {
    expect(formatNetwork(parseIpAddress(raw), prefix)).toBe(expected);
  });
});

describe('formatIpv6 against the WHATWG URL parser', () => {
  it('spells random addresses, zero runs of every length and place, as RFC 5952 does', () => {
    const random = createRandom(5952);
    const cases: Uint8Array[] = [new Uint8Array(16), Uint8Array.from({ length: 16 }, () => 0xff)];
    for (let i = 0; i < 20000; i++) {
      // Groups that are mostly zero, so that runs of zeros (and ties between runs) are common.
      const bytes = new Uint8Array(16);
      for (let group = 0; group < 8; group++) {
        if (random() < 0.55) continue;
        const value = random() < 0.5 ? Math.floor(random() * 16) : Math.floor(random() * 65536);
        bytes[group * 2] = value >> 8;
        bytes[group * 2 + 1] = value & 0xff;
      }
      cases.push(bytes);
    }
    for (const bytes of cases) {
      const groups = Array.from({ length: 8 }, (_, i) => (((bytes[i * 2] as number) << 8) | (bytes[i * 2 + 1] as number)).toString(16));
      expect(formatIpv6(bytes)).toBe(new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1));
    }
  });
});

describe('parseNetwork (also the configuration CIDR check)', () => {
  it.each([
    ['10.0.0.0/8', 8],
    ['10.0.0.0/32', 32],
    ['192.0.2.7', 32],
    ['2001:db8::/32', 32],
    ['2001:db8::1', 128],
  ])('%s has prefix %i', (network, prefixLength) => {
    expect(parseNetwork(network)?.prefixLength).toBe(prefixLength);
  });

  // One to three decimal digits only: no exponent, hex or a fourth digit that Number() would read.
  it.each(['10.0.0.0/', '10.0.0.0/33', '10.0.0.0/8/1', '10.0.0.0/x', '10.0.0.0/-1', '10.0.0.0/ 8', '::/129', '10.0.0/8', '', '10.0.0.0/0008', '10.0.0.0/1e1', '10.0.0.0/0x8', '10.0.0.0/8a'])('%j is not a network', (network) => {
    expect(parseNetwork(network)).toBeUndefined();
  });
});

describe('rangeContains (the never_block match)', () => {
  it.each([
    ['10.0.0.0/8', '10.255.1.2', true],
    ['10.0.0.0/8', '11.0.0.1', false],
    ['192.0.2.7', '192.0.2.7', true],
    ['192.0.2.7', '192.0.2.8', false],
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['::/0', '10.0.0.1', false],
    // Not a network (the configuration refuses these; the match must not throw on one either).
    ['10.0.0.0/33', '10.0.0.1', false],
    ['10.0.0.0/x', '10.0.0.1', false],
    ['', '10.0.0.1', false],
  ])('%j contains %s: %s', (network, raw, expected) => {
    expect(rangeContains(network, parseIpAddress(raw))).toBe(expected);
  });
});
