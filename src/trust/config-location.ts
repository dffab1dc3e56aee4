import { lstatSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { findUntrustedDirectory, type TrustViolation } from './trusted-path.js';

export const CONFIG_FILE_NAME = 'geo-response.json';

/** Where an installation keeps geo-response's configuration and its embedded database. */
export interface ConfigLocation {
  /** The directory: `<home>/etc` where only root can change it, else `<home>/active-response/etc`. */
  dir: string;
  /** The configuration file in it. */
  path: string;
  /** Why `<home>/etc` is not used, when it is not (Wazuh's etc/ is root:wazuh 0770). */
  etcProblem?: TrustViolation;
  /** A configuration left in an untrusted `<home>/etc` while the trusted place has none (an install from before the move). */
  stranded?: { path: string; violation: TrustViolation; /** Whether moving it helps: etc/ itself fails, not a directory above the installation (which fails active-response/etc too). */ movable: boolean };
}

/**
 * The configuration's place in an installation. OSSEC's etc/ is root:ossec 0550, so the file stays
 * where an admin looks for it; Wazuh's etc/ is group-writable (its daemons write there), so a file
 * there could be swapped by the group, and geo-response's own files live in active-response/etc/,
 * which only root can change on both products (docs/security.md). Decided by the same rule every
 * file is trusted by, so install.sh and the executable agree without a marker file.
 */
export function locateConfig(home: string): ConfigLocation {
  const etc = resolve(home, 'etc');
  const etcProblem = findUntrustedDirectory(etc);
  if (etcProblem === undefined) return { dir: etc, path: resolve(etc, CONFIG_FILE_NAME) };
  const dir = resolve(home, 'active-response', 'etc');
  const path = resolve(dir, CONFIG_FILE_NAME);
  const left = resolve(etc, CONFIG_FILE_NAME);
  // A policy the admin wrote must not silently become "log only": say where it is and why it is not read.
  const stranded = exists(left) && !exists(path) ? { path: left, violation: etcProblem, movable: isEtcItself(etc, etcProblem.path) } : undefined;
  return { dir, path, etcProblem, ...(stranded ? { stranded } : {}) };
}

function isEtcItself(etc: string, failing: string): boolean {
  try {
    return realpathSync.native(etc) === failing;
  } catch {
    // No etc/ at all: the trusted place is active-response/etc.
    return true;
  }
}

function exists(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
}
