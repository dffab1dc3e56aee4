import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { GeoResponseError } from '../errors.js';

export const DEFAULT_LOCK_DIR = '/run/geo-response';
export const LOCK_WAIT_TIMEOUT_MS = 30_000;
// Short first waits: one plan takes a few milliseconds of nft/ipset, and a botnet burst queues dozens of us.
const RETRY_MIN_MS = 5;
const RETRY_MAX_MS = 50;
const LOCK_FILE_NAME = 'firewall.lock';
// A plan runs a few commands of at most 10 s each; a pid-less lock older than this is nobody's.
const ANONYMOUS_LOCK_STALE_MS = 15_000;

export interface LockOptions {
  lockDir?: string;
  waitTimeoutMs?: number;
}

/**
 * Take the host-wide firewall lock (an exclusive-create lock file holding our pid), waiting for other invocations.
 * Check-then-change sequences (iptables -C then -I, ipset test then add) race without it. Returns the release function.
 */
export async function acquireFirewallLock(options: LockOptions = {}): Promise<() => void> {
  const dir = options.lockDir ?? DEFAULT_LOCK_DIR;
  const path = join(dir, LOCK_FILE_NAME);
  const token = `${process.pid} ${randomBytes(6).toString('hex')}\n`;
  const deadline = Date.now() + (options.waitTimeoutMs ?? LOCK_WAIT_TIMEOUT_MS);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o750 });
  } catch (error) {
    throw lockError(`cannot create the lock directory ${dir}`, error);
  }
  for (let attempt = 0; ; attempt += 1) {
    if (tryCreate(path, token)) return () => release(path, token);
    breakIfStale(path);
    if (Date.now() >= deadline) {
      throw lockError(`another geo-response held ${path} for longer than ${options.waitTimeoutMs ?? LOCK_WAIT_TIMEOUT_MS} ms`);
    }
    const backoff = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(attempt, 5));
    await delay(backoff / 2 + Math.random() * backoff);
  }
}

// The lock file appears with its holder's pid already in it: written to a private temp file first,
// then hard-linked into place (link fails if the lock exists). So no crash or full disk can leave an
// empty lock that nobody could ever prove stale. A filesystem without hard links gets the plain
// exclusive create instead.
function tryCreate(path: string, token: string): boolean {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.new`;
  try {
    writeToken(temporary, token);
    linkSync(temporary, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') return tryCreateExclusive(path, token);
    throw lockError(`cannot create the lock file ${path}`, error);
  } finally {
    unlinkQuietly(temporary);
  }
}

function tryCreateExclusive(path: string, token: string): boolean {
  try {
    writeToken(path, token);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw lockError(`cannot create the lock file ${path}`, error);
  }
}

function writeToken(path: string, token: string): void {
  const fd = openSync(path, 'wx', 0o640);
  try {
    if (writeSync(fd, token) !== Buffer.byteLength(token)) throw new Error('short write');
  } finally {
    closeSync(fd);
  }
}

// A lock without a pid cannot come from tryCreate: one left by an older version or a damaged
// disk is stale once it is older than any holder's plan could be.
function breakIfStale(path: string): void {
  const content = readOrUndefined(path);
  if (content === undefined) return;
  const pid = Number.parseInt(content, 10);
  if (Number.isInteger(pid) ? isAlive(pid) : !isOlderThan(path, ANONYMOUS_LOCK_STALE_MS)) return;
  const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // another waiter broke it first
  }
  if (readOrUndefined(aside) !== content) {
    try {
      linkSync(aside, path);
    } catch {
      // A newer lock already stands; the moved one was a live holder's that finished meanwhile or will find its file gone.
    }
  }
  unlinkQuietly(aside);
}

function release(path: string, token: string): void {
  // Only remove our own file: after a stale break the path could name another holder's lock.
  if (readOrUndefined(path) === token) unlinkQuietly(path);
}

function isOlderThan(path: string, ageMs: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > ageMs;
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone: the goal is reached.
  }
}

function lockError(message: string, cause?: unknown): GeoResponseError {
  return new GeoResponseError(`firewall lock: ${message}`, { code: 'FIREWALL_LOCK_FAILED', kind: 'command', cause });
}
