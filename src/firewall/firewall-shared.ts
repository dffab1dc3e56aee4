import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { GeoResponseError } from '../errors.js';
import {
  acquireFirewallLock,
  defaultLockDir,
  FIREWALL_LOCK,
  isStaleLock,
  MAX_HOLD_MS,
  preparePrivateDirectory,
  readLock,
  startTimeOf,
  SYSTEM_PROBE,
  unlinkQuietly,
  writeToken,
  type LockOptions,
} from './firewall-lock.js';
import { uniqueHex } from '../state/unique-hex.js';

/*
 * Alerts on nftables and ipset change the firewall in one atomic run each: they need no lock among
 * themselves. One thing still must not run beside them: `blocks restore`, which reads the state and
 * then writes the firewall, so an alert's delete between the two would be undone by the restore.
 * So this is a readers-writer lock in files, in the same private directory as the firewall lock:
 *
 * - An alert leaves a token in `shared/` (its pid and start time), then looks for the restore's
 *   mark `firewall.exclusive`. None: it goes ahead, and removes its token once its change is
 *   recorded. A mark: it removes its token and waits for the firewall lock, which the restore holds.
 * - The restore takes the firewall lock, writes the mark, then waits until every token it finds is
 *   gone (or its process is: a killed alert leaves one behind).
 *
 * Each side writes its own file before it looks for the other's, so at least one of them sees the
 * other: an alert never runs inside a restore.
 */

const SHARED_DIR = 'shared';
const EXCLUSIVE_MARK = 'firewall.exclusive';
const DRAIN_POLL_MS = 5;

function lockError(message: string, cause?: unknown): GeoResponseError {
  return new GeoResponseError(`${FIREWALL_LOCK.what}: ${message}`, { code: FIREWALL_LOCK.code, kind: 'command', cause });
}

function identity(): string {
  return `${process.pid} ${startTimeOf(process.pid) ?? '-'} ${uniqueHex()}\n`;
}

/** For an alert whose backend is atomic by itself: go ahead beside other alerts, or wait for a restore. Returns the release. */
export async function enterFirewallShared(options: LockOptions = {}): Promise<() => void> {
  const dir = options.lockDir ?? defaultLockDir();
  preparePrivateDirectory(dir, lockError);
  const shared = join(dir, SHARED_DIR);
  try {
    mkdirSync(shared, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw lockError(`cannot create ${shared}`, error);
  }
  const token = join(shared, `${process.pid}.${uniqueHex()}`);
  try {
    writeToken(token, identity());
  } catch (error) {
    throw lockError(`cannot create ${token}`, error);
  }
  if (!exclusivePending(dir)) return () => unlinkQuietly(token);
  unlinkQuietly(token);
  return acquireFirewallLock(options);
}

function exclusivePending(dir: string): boolean {
  const seen = readLock(join(dir, EXCLUSIVE_MARK));
  return seen !== undefined && !isStaleLock(seen.content, Date.now() - seen.mtimeMs, SYSTEM_PROBE);
}

/**
 * For `blocks restore`, holding the firewall lock already: keep new alerts out, and wait for those
 * under way to finish. Returns the release of the mark.
 */
export async function drainFirewallShared(options: LockOptions = {}): Promise<() => void> {
  const dir = options.lockDir ?? defaultLockDir();
  const mark = join(dir, EXCLUSIVE_MARK);
  // Only the firewall lock's holder writes the mark: one left by a killed restore is ours to replace.
  unlinkQuietly(mark);
  try {
    writeToken(mark, identity());
  } catch (error) {
    throw lockError(`cannot create ${mark}`, error);
  }
  const deadline = Date.now() + (options.waitTimeoutMs ?? MAX_HOLD_MS);
  try {
    while (liveTokens(join(dir, SHARED_DIR)) > 0) {
      if (Date.now() >= deadline) throw lockError(`alerts under way did not finish within ${options.waitTimeoutMs ?? MAX_HOLD_MS} ms`);
      await delay(DRAIN_POLL_MS);
    }
  } catch (error) {
    unlinkQuietly(mark);
    throw error;
  }
  return () => unlinkQuietly(mark);
}

// The tokens of alerts still running; those of processes that are gone are removed on the way.
function liveTokens(shared: string): number {
  let names: string[];
  try {
    names = readdirSync(shared);
  } catch {
    return 0;
  }
  let live = 0;
  for (const name of names) {
    const path = join(shared, name);
    const seen = readLock(path);
    if (seen === undefined) continue;
    if (isStaleLock(seen.content, Date.now() - seen.mtimeMs, SYSTEM_PROBE)) unlinkQuietly(path);
    else live += 1;
  }
  return live;
}
