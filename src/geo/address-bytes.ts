// The one IPv4/IPv6 text-to-bytes parser: address validation, special ranges, CIDR checks in the
// configuration and the tree walk all use it. Null for anything malformed.

/** The 4 or 16 bytes of an IPv4 or IPv6 address, or null when the string is not one. */
export function toAddressBytes(ip: string): Uint8Array | null {
  return ip.includes(':') ? parseIpv6(ip) : parseIpv4(ip);
}

function parseIpv4(ip: string): Uint8Array | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const value = parseOctet(parts[i] as string);
    if (value < 0) return null;
    bytes[i] = value;
  }
  return bytes;
}

// One to four hex digits, else -1 (by hand for the reason parseOctet gives).
function parseHexGroup(part: string): number {
  if (part.length === 0 || part.length > 4) return -1;
  let value = 0;
  for (let i = 0; i < part.length; i++) {
    const code = part.charCodeAt(i);
    const digit = code >= 48 && code <= 57 ? code - 48 : code >= 97 && code <= 102 ? code - 87 : code >= 65 && code <= 70 ? code - 55 : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

// 0-255 in decimal digits without a leading zero, else -1. By hand rather than a regular
// expression: every alert parses its address, and a regular expression's first use (compiling,
// then tiering up) costs it more than this loop.
function parseOctet(part: string): number {
  if (part.length === 0 || part.length > 3 || (part.length > 1 && part.charCodeAt(0) === 48)) return -1;
  let value = 0;
  for (let i = 0; i < part.length; i++) {
    const digit = part.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value <= 255 ? value : -1;
}

function parseIpv6(ip: string): Uint8Array | null {
  // A zone index (fe80::1%eth0) does not take part in the lookup.
  const zone = ip.indexOf('%');
  const address = zone >= 0 ? ip.slice(0, zone) : ip;
  const halves = address.split('::');
  if (halves.length > 2) return null;
  const head = parseGroups(halves[0] as string, halves.length === 1);
  const tail = halves.length === 2 ? parseGroups(halves[1] as string, true) : [];
  if (head === null || tail === null) return null;
  const groupCount = head.length + tail.length;
  if (halves.length === 1 ? groupCount !== 8 : groupCount > 7) return null;
  const bytes = new Uint8Array(16);
  head.forEach((group, i) => writeGroup(bytes, i, group));
  tail.forEach((group, i) => writeGroup(bytes, 8 - tail.length + i, group));
  return bytes;
}

// Parse colon-separated hex groups; the last one may be a dotted IPv4 address
// (two groups) when it ends the address.
function parseGroups(text: string, mayEndWithIpv4: boolean): number[] | null {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (mayEndWithIpv4 && i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4(part);
      if (v4 === null) return null;
      groups.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
    } else {
      const group = parseHexGroup(part);
      if (group < 0) return null;
      groups.push(group);
    }
  }
  return groups;
}

function writeGroup(bytes: Uint8Array, index: number, group: number): void {
  bytes[index * 2] = group >> 8;
  bytes[index * 2 + 1] = group & 0xff;
}

/** Whether the first `prefixLength` bits of two addresses of the same family are equal. */
export function bytesSharePrefix(address: Uint8Array, network: Uint8Array, prefixLength: number): boolean {
  if (address.length !== network.length) return false;
  const whole = prefixLength >> 3;
  for (let i = 0; i < whole; i++) if (address[i] !== network[i]) return false;
  const rest = prefixLength & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((address[whole] as number) & mask) === ((network[whole] as number) & mask);
}

/** The address with every bit past `prefixLength` cleared. */
export function maskBytes(address: Uint8Array, prefixLength: number): Uint8Array {
  const masked = new Uint8Array(address.length);
  for (let i = 0; i < address.length; i++) {
    const keep = Math.max(0, Math.min(8, prefixLength - i * 8));
    masked[i] = (address[i] as number) & ((0xff << (8 - keep)) & 0xff);
  }
  return masked;
}
