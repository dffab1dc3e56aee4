import type { IpAddress } from './ip-address.js';

/** The network an address falls in at a prefix length, as CIDR text ("81.2.69.0/24", "2a02:cf40::/29"). */
export function formatNetwork(address: IpAddress, prefixLength: number): string {
  return address.family === 4 ? `${maskIpv4(address.text, prefixLength)}/${prefixLength}` : `${maskIpv6(address.text, prefixLength)}/${prefixLength}`;
}

function maskIpv4(text: string, prefixLength: number): string {
  const value = text.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
  const size = 2 ** (32 - prefixLength);
  const masked = Math.floor(value / size) * size;
  return [24, 16, 8, 0].map((shift) => Math.floor(masked / 2 ** shift) % 256).join('.');
}

function maskIpv6(text: string, prefixLength: number): string {
  const groups = expandIpv6(text);
  const value = groups.reduce((acc, group) => (acc << 16n) | BigInt(group), 0n);
  const hostBits = BigInt(128 - prefixLength);
  const masked = (value >> hostBits) << hostBits;
  const out: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) out.push(((masked >> shift) & 0xffffn).toString(16));
  return new URL(`http://[${out.join(':')}]/`).hostname.slice(1, -1);
}

// Canonical IPv6 text (from ip-address.ts) has no embedded dotted quad except the mapped
// form, which is converted to IPv4 before we get here.
function expandIpv6(text: string): number[] {
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].map((group) => Number.parseInt(group, 16));
}
