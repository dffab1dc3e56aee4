import { findBinary } from '../firewall/find-binary.js';

/**
 * Every address configured on this host, so the policy can refuse to block it.
 *
 * os.networkInterfaces() is not enough: libuv lists only interfaces that are up *and* running,
 * so an address on a link that lost its carrier (a cable pulled, a VPN peer down) would not be
 * protected. `ip -o addr show` lists them all, whatever the link state. It costs a process
 * (~5 ms), so it is asked only when the policy says block, not for alerts that are only logged. Routing
 * tables are not read: a TPROXY/AnyIP `local 0.0.0.0/0` route would make every address "local",
 * and a full BGP table in /proc/net/fib_trie is tens of megabytes.
 */
export async function listHostAddresses(): Promise<string[]> {
  // Loaded here, not at start-up (child_process alone pulls in net and streams): only an alert
  // the policy would block needs them.
  const { networkInterfaces } = await import('node:os');
  const { execFileSync } = await import('node:child_process');
  const fromLibuv = Object.values(networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .map((entry) => entry.address.replace(/%.*$/, ''));
  return [...new Set([...fromLibuv, ...parseIpAddrOutput(runIpAddr(execFileSync))])];
}

/** The addresses in `ip -o addr show` output (`inet 192.0.2.2/24 …`, `inet6 fd00::2/64 …`). */
export function parseIpAddrOutput(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/\binet6? ([0-9a-fA-F.:]+)\/\d+/g)) {
    if (match[1] !== undefined) found.push(match[1]);
  }
  return found;
}

const IP_ADDR_TIMEOUT_MS = 2000;

function runIpAddr(execFileSync: typeof import('node:child_process').execFileSync): string {
  const program = findBinary('ip');
  if (program === undefined) return '';
  try {
    return execFileSync(program, ['-o', 'addr', 'show'], { encoding: 'utf8', timeout: IP_ADDR_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    // No iproute2 answer: the interfaces libuv reports are all there is.
    return '';
  }
}
