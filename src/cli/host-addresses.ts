import { closeSync, openSync, readSync } from 'node:fs';
import { findBinary } from '../firewall/find-binary.js';
import { parseIpAddress } from '../geo/ip-address.js';

/**
 * Every address configured on this host, so the policy can refuse to block it.
 *
 * os.networkInterfaces() is not enough: libuv lists only interfaces that are up *and* running,
 * so an address on a link that lost its carrier (a cable pulled, a VPN peer down) would not be
 * protected. The kernel's own lists are read instead, which hold those too, without starting a
 * process (a blocking alert must cost about one Node start, design §7; `ip` cost ~5 ms):
 * - IPv6: /proc/net/if_inet6, every address of every interface;
 * - IPv4: the `/32 host LOCAL` entries of /proc/net/fib_trie, the kernel's local routes, which it
 *   keeps for an address whatever the carrier. Only /32 entries: a TPROXY/AnyIP `local 0.0.0.0/0`
 *   route would otherwise make every address "local".
 * With a full routing table (a BGP router) fib_trie is tens of megabytes: over FIB_TRIE_MAX_BYTES,
 * `ip -o addr show` is asked instead. An address on an interface that is administratively down
 * has no local route (the kernel drops it with the link), so it is not listed; no packet to it is
 * accepted either.
 */
export async function listHostAddresses(): Promise<string[]> {
  // Loaded here, not at start-up: only an alert the policy would block needs them.
  const { networkInterfaces } = await import('node:os');
  const fromLibuv = Object.values(networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .map((entry) => entry.address.replace(/%.*$/, ''));
  const inet6 = readProcFile('/proc/net/if_inet6', PROC_FILE_MAX_BYTES);
  const fibTrie = readProcFile('/proc/net/fib_trie', FIB_TRIE_MAX_BYTES);
  const fromKernel = inet6 !== undefined && fibTrie !== undefined ? [...parseIfInet6(inet6), ...parseFibTrieLocal(fibTrie)] : parseIpAddrOutput(await runIpAddr());
  return [...new Set([...fromLibuv, ...fromKernel])];
}

const PROC_FILE_MAX_BYTES = 1024 * 1024;
const FIB_TRIE_MAX_BYTES = 1024 * 1024;

/** The addresses in /proc/net/if_inet6 (32 hex digits, then index, prefix, scope, flags, name), as geo-response writes IPv6. Pure. */
export function parseIfInet6(text: string): string[] {
  const found: string[] = [];
  for (const line of text.split('\n')) {
    const hex = line.trim().split(/\s+/)[0] ?? '';
    if (!/^[0-9a-f]{32}$/.test(hex)) continue;
    found.push(parseIpAddress(hex.replace(/(.{4})(?!$)/g, '$1:')).text);
  }
  return found;
}

/** The addresses of the `/32 host LOCAL` entries of /proc/net/fib_trie (each follows its `|-- a.b.c.d` line). Pure. */
export function parseFibTrieLocal(text: string): string[] {
  const found = new Set<string>();
  let address: string | undefined;
  for (const line of text.split('\n')) {
    const leaf = /^\s*\|-- (\d+\.\d+\.\d+\.\d+)$/.exec(line);
    if (leaf) {
      address = leaf[1];
      continue;
    }
    if (address !== undefined && /^\s*\/32 host LOCAL$/.test(line)) found.add(address);
  }
  return [...found];
}

/** The addresses in `ip -o addr show` output (`inet 192.0.2.2/24 …`, `inet6 fd00::2/64 …`). */
export function parseIpAddrOutput(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/\binet6? ([0-9a-fA-F.:]+)\/\d+/g)) {
    if (match[1] !== undefined) found.push(match[1]);
  }
  return found;
}

// A /proc file's text (their size is reported as 0: read until the end), or undefined when it
// cannot be read or is larger than maxBytes.
function readProcFile(path: string, maxBytes: number): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const buffer = Buffer.allocUnsafe(maxBytes + 1);
    let filled = 0;
    for (;;) {
      const read = readSync(fd, buffer, filled, buffer.length - filled, null);
      if (read === 0) return buffer.toString('latin1', 0, filled);
      filled += read;
      if (filled > maxBytes) return undefined;
    }
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

const IP_ADDR_TIMEOUT_MS = 2000;

async function runIpAddr(): Promise<string> {
  const program = findBinary('ip');
  if (program === undefined) return '';
  const { execFileSync } = await import('node:child_process');
  try {
    return execFileSync(program, ['-o', 'addr', 'show'], { encoding: 'utf8', timeout: IP_ADDR_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    // No iproute2 answer: the interfaces libuv reports are all there is.
    return '';
  }
}
