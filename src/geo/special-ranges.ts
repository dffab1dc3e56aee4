import { bytesSharePrefix, toAddressBytes } from './address-bytes.js';
import type { IpAddress } from './ip-address.js';

/**
 * Special-purpose address classes (IANA IPv4/IPv6 Special-Purpose Address Registries).
 * These are classified without a database lookup: a database would only say "unknown country".
 */
export type AddressClass =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'link-local'
  | 'multicast'
  | 'broadcast'
  | 'private'
  | 'unique-local'
  | 'cgnat'
  | 'documentation'
  | 'benchmarking'
  | 'reserved';

export interface SpecialRange {
  network: string;
  addressClass: Exclude<AddressClass, 'public'>;
}

// Order matters: the first range that contains the address names it (the more specific first).
export const SPECIAL_RANGES: readonly SpecialRange[] = [
  { network: '0.0.0.0/32', addressClass: 'unspecified' },
  { network: '0.0.0.0/8', addressClass: 'reserved' },
  { network: '10.0.0.0/8', addressClass: 'private' },
  { network: '100.64.0.0/10', addressClass: 'cgnat' },
  { network: '127.0.0.0/8', addressClass: 'loopback' },
  { network: '169.254.0.0/16', addressClass: 'link-local' },
  { network: '172.16.0.0/12', addressClass: 'private' },
  { network: '192.0.0.0/24', addressClass: 'reserved' },
  { network: '192.0.2.0/24', addressClass: 'documentation' },
  { network: '192.88.99.0/24', addressClass: 'reserved' },
  { network: '192.168.0.0/16', addressClass: 'private' },
  { network: '198.18.0.0/15', addressClass: 'benchmarking' },
  { network: '198.51.100.0/24', addressClass: 'documentation' },
  { network: '203.0.113.0/24', addressClass: 'documentation' },
  { network: '224.0.0.0/4', addressClass: 'multicast' },
  { network: '255.255.255.255/32', addressClass: 'broadcast' },
  { network: '240.0.0.0/4', addressClass: 'reserved' },
  { network: '::/128', addressClass: 'unspecified' },
  { network: '::1/128', addressClass: 'loopback' },
  { network: '64:ff9b:1::/48', addressClass: 'private' },
  { network: '100::/64', addressClass: 'reserved' },
  { network: '100:0:0:1::/64', addressClass: 'reserved' },
  { network: '2001:2::/48', addressClass: 'benchmarking' },
  { network: '2001:10::/28', addressClass: 'reserved' },
  { network: '2001:db8::/32', addressClass: 'documentation' },
  { network: '3fff::/20', addressClass: 'documentation' },
  { network: '5f00::/16', addressClass: 'reserved' },
  { network: 'fc00::/7', addressClass: 'unique-local' },
  { network: 'fe80::/10', addressClass: 'link-local' },
  { network: 'ff00::/8', addressClass: 'multicast' },
  // IPv4-compatible addresses (deprecated) are not routable on today's Internet. The rest of ::/8
  // is not all reserved: 64:ff9b::/96 (NAT64) carries real IPv4 hosts and is looked up.
  { network: '::/96', addressClass: 'reserved' },
];

export interface Classification {
  addressClass: AddressClass;
  /** The special range the address fell in; absent for public addresses. */
  network?: string;
}

/** Which special-purpose range, if any, an address belongs to. */
export function classifyAddress(address: IpAddress): Classification {
  for (const range of SPECIAL_RANGES) {
    if (!mayContain(range.network, address.bytes)) continue;
    const parsed = parseNetwork(range.network);
    if (parsed && bytesSharePrefix(address.bytes, parsed.bytes, parsed.prefixLength)) return { addressClass: range.addressClass, network: range.network };
  }
  return { addressClass: 'public' };
}

// Every alert classifies one address, cold: parsing all the ranges to compare bytes cost ~0.13 ms
// of it (and node:net's BlockList several milliseconds of module loading). This check, on the
// text, rules out almost every range first: the wrong family, or another leading octet (IPv4) or
// group (IPv6) under the range's prefix. Before it masked the lead of the two /4 ranges too, a
// public IPv4 alert parsed both, ~85 µs of its time (measured, hrtime marks).
function mayContain(network: string, bytes: Uint8Array): boolean {
  const ipv6 = network.includes(':');
  if (ipv6 !== (bytes.length === 16)) return false;
  const prefixLength = Number(network.slice(network.indexOf('/') + 1));
  const leadBits = ipv6 ? 16 : 8;
  const shift = leadBits - Math.min(prefixLength, leadBits);
  const lead = ipv6 ? parseInt(network.slice(0, network.indexOf(':')) || '0', 16) : Number(network.slice(0, network.indexOf('.')));
  const own = ipv6 ? ((bytes[0] as number) << 8) | (bytes[1] as number) : (bytes[0] as number);
  return lead >> shift === own >> shift;
}

/** Whether a CIDR network (or a bare address) contains the address. */
export function rangeContains(network: string, address: IpAddress): boolean {
  const parsed = parseNetwork(network);
  return parsed !== undefined && bytesSharePrefix(address.bytes, parsed.bytes, parsed.prefixLength);
}

/**
 * Parse "a.b.c.d/n", "x::/n" or a bare address (a whole-address prefix); undefined when it is not
 * one. The configuration's CIDR check is this function too, so what validates is what matches.
 */
export function parseNetwork(network: string): { bytes: Uint8Array; prefixLength: number } | undefined {
  // split() returns at least one element: the base is always there.
  const [base, prefixText, extra] = network.split('/') as [string, string?, string?];
  const bytes = toAddressBytes(base);
  if (bytes === null || extra !== undefined) return undefined;
  if (prefixText === undefined) return { bytes, prefixLength: bytes.length * 8 };
  const prefixLength = Number(prefixText);
  return isPrefixLengthText(prefixText) && prefixLength <= bytes.length * 8 ? { bytes, prefixLength } : undefined;
}

// One to three decimal digits: by hand for the reason address-bytes.ts gives (a regular
// expression's first use costs an alert ~25 µs).
function isPrefixLengthText(text: string): boolean {
  if (text.length === 0 || text.length > 3) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}
