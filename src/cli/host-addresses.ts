import { readFileSync } from 'node:fs';
import { formatIpv6 } from '../geo/ip-address.js';

/**
 * Every address the kernel treats as this host's own, so the policy can refuse to block it.
 *
 * os.networkInterfaces() is not enough: libuv lists only interfaces that are up *and* running,
 * so an address on a link that lost its carrier (a cable pulled, a VPN peer down) would not be
 * protected. The kernel's own tables list them all, whatever the link state: /proc/net/fib_trie
 * (IPv4 local routes, including whole local ranges such as 127.0.0.0/8) and /proc/net/if_inet6.
 * They are read straight from /proc, as no maintained library parses them, and spawning
 * `ip -o addr` would cost every blocking alert a process.
 */
export async function listHostAddresses(): Promise<string[]> {
  // Loaded here, not at start-up: only a policy that may block needs it.
  const { networkInterfaces } = await import('node:os');
  const fromLibuv = Object.values(networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .map((entry) => entry.address.replace(/%.*$/, ''));
  const fromKernel = [...parseFibTrieLocal(readProc('/proc/net/fib_trie')), ...parseIfInet6(readProc('/proc/net/if_inet6'))];
  return [...new Set([...fromLibuv, ...fromKernel])];
}

/** The local addresses (and local ranges, as CIDR) in /proc/net/fib_trie. */
export function parseFibTrieLocal(text: string): string[] {
  const found: string[] = [];
  let lastAddress: string | undefined;
  for (const line of text.split('\n')) {
    const leaf = /\|-- (\d+\.\d+\.\d+\.\d+)\s*$/.exec(line);
    if (leaf) {
      lastAddress = leaf[1];
      continue;
    }
    const route = /^\s*\/(\d+) host LOCAL\s*$/.exec(line);
    if (route && lastAddress !== undefined) found.push(route[1] === '32' ? lastAddress : `${lastAddress}/${route[1]}`);
  }
  return found;
}

/** The IPv6 addresses in /proc/net/if_inet6 (32 hex digits per line, then index, prefix, scope, flags, name). */
export function parseIfInet6(text: string): string[] {
  const found: string[] = [];
  for (const line of text.split('\n')) {
    const hex = /^([0-9a-f]{32})\s/i.exec(line)?.[1];
    if (hex !== undefined) found.push(formatIpv6(Buffer.from(hex, 'hex')));
  }
  return found;
}

function readProc(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    // Not Linux, or /proc not mounted: the interfaces libuv reports are all there is.
    return '';
  }
}
