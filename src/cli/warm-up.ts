import { readlinkSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { GeoResponseError } from '../errors.js';
import type { FirewallConfig } from '../policy/config-schema.js';
import { describeViolation, findUntrustedDirectory } from '../trust/trusted-path.js';

/**
 * install.sh's warm-up: one alert run by the installer right after it installed the executable, so
 * that the V8 code caches and the validated configuration the first real alert would write are
 * already there (docs/performance.md, "Compiled once, not per alert"). It is the alert path
 * itself, with the installation's real configuration and databases, and differs in what it
 * leaves behind only:
 *
 * - every line it would append (the geo record, an error for active-responses.log) goes into the
 *   throw-away directory named by GEO_RESPONSE_WARM_UP, never into the admin's logs;
 * - what it records as state (the blocks, the login history) goes there too;
 * - the firewall runs only where that touches nothing real: a configured dry run, or nftables,
 *   ipset or iptables inside a network namespace of its own (install.sh runs it under
 *   `unshare --net` where it can). Otherwise the firewall is left out, and so is its part: a code
 *   cache written by a path that alerts do not take would hold the wrong functions, and alerts
 *   never rewrite a cache V8 accepts (a dry run runs no command, so its cache would lack the
 *   compiled code of the runner and the plan's execution, which every later block would then
 *   compile from source).
 *
 * Only the environment turns it on: execd decides argv and stdin, from what attackers write, but
 * not the environment (it is execd's own, design §1), so no alert can ask for it.
 */
export const WARM_UP_ENV = 'GEO_RESPONSE_WARM_UP';

// The backends whose every change stays inside the network namespace it runs in. firewalld talks
// to the host's daemon over D-Bus, and `command` runs the admin's script, which may do anything.
const NAMESPACED_BACKENDS: ReadonlySet<string> = new Set(['nftables', 'ipset', 'iptables']);

export interface WarmUp {
  /** The throw-away directory every write goes to. */
  dir: string;
  /** Where a line meant for `path` goes instead. */
  redirect(path: string): string;
  /** Whether the firewall may run for this configuration without touching anything real. */
  firewallRuns(config: FirewallConfig): boolean;
}

/** The warm-up asked for by the environment, or undefined for an ordinary alert; refused when its directory is not root's alone. */
export function readWarmUp(env: NodeJS.ProcessEnv, inOwnNetworkNamespace: () => boolean = isInOwnNetworkNamespace): WarmUp | undefined {
  const dir = env[WARM_UP_ENV];
  if (dir === undefined) return undefined;
  if (dir === '' || !isAbsolute(dir)) {
    throw new GeoResponseError(`${WARM_UP_ENV} must name an absolute directory (install.sh sets it), not ${JSON.stringify(dir)}`, { code: 'WARM_UP_REFUSED', kind: 'usage' });
  }
  // Its lines are written as root: in a directory the group could write, a planted link would say where.
  const violation = findUntrustedDirectory(dir);
  if (violation !== undefined) throw new GeoResponseError(`${WARM_UP_ENV}: ${describeViolation(violation)}`, { code: 'WARM_UP_REFUSED', kind: 'usage' });
  let ownNamespace: boolean | undefined;
  return {
    dir,
    redirect: (path) => join(dir, basename(path)),
    firewallRuns: (config) => config.dry_run || (NAMESPACED_BACKENDS.has(config.backend) && (ownNamespace ??= inOwnNetworkNamespace())),
  };
}

/**
 * Whether this process has a network namespace of its own: not that of the process that started it
 * (install.sh, which runs in the namespace execd protects, or in one it shares), nor init's where
 * /proc lets us see it (some hosts refuse even root a look at init's namespaces).
 */
export function isInOwnNetworkNamespace(): boolean {
  let own: string;
  try {
    own = readlinkSync('/proc/self/ns/net');
    if (own === readlinkSync(`/proc/${process.ppid}/ns/net`)) return false;
  } catch {
    // Cannot tell: assume the host's.
    return false;
  }
  try {
    return own !== readlinkSync('/proc/1/ns/net');
  } catch {
    // Init's is hidden from us; the parent's differs, which is what unshare --net makes.
    return true;
  }
}
