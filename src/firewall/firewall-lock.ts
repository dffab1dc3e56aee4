import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { GeoResponseError } from '../errors.js';

export const LOCK_WAIT_TIMEOUT_MS = 30_000;
// Short first waits: one plan takes a few milliseconds of nft/ipset, and a botnet burst queues dozens of us.
const RETRY_MIN_MS = 5;
const RETRY_MAX_MS = 50;
const LOCK_FILE_NAME = 'firewall.lock';
// A plan runs a few commands of at most 10 s each; a pid-less lock older than this is nobody's.
const ANONYMOUS_LOCK_STALE_MS = 15_000;

export interface LockOptions {
  /** Every invocation must name the same one (the CLI passes <home>/var/run). */
  lockDir: string;
  waitTimeoutMs?: number;
}

/**
 * Take the host-wide firewall lock (a lock file that appears holding our pid), waiting for other invocations.
 * Check-then-change sequences (iptables -C then -I, ipset test then add) race without it. Returns the release function.
 */
export async function acquireFirewallLock(options: LockOptions): Promise<() => void> {
  const dir = options.lockDir;
  const path = join(dir, LOCK_FILE_NAME);
  const token = `${process.pid} ${randomBytes(6).toString('hex')}\n`;
  const deadline = Date.now() + (options.waitTimeoutMs ?? LOCK_WAIT_TIMEOUT_MS);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o750 });
  } catch (error) {
    throw lockError(`cannot create the lock directory ${dir}`, error);
  }
  // The lock file appears with its holder's pid already in it: written once to a private temp file,
  // then hard-linked into place on each attempt (link fails while the lock exists). So no crash or
  // full disk can leave an empty lock that nobody could ever prove stale. A filesystem without
  // hard links gets the plain exclusive create instead, which can.
  const staged = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.new`;
  try {
    writeToken(staged, token);
  } catch (error) {
    throw lockError(`cannot create the lock file ${path}`, error);
  }
  try {
    for (let attempt = 0; ; attempt += 1) {
      if (tryCreate(staged, path, token)) return () => release(path, token);
      breakIfStale(path);
      if (Date.now() >= deadline) {
        throw lockError(`another geo-response held ${path} for longer than ${options.waitTimeoutMs ?? LOCK_WAIT_TIMEOUT_MS} ms`);
      }
      const backoff = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(attempt, 5));
      await delay(backoff / 2 + Math.random() * backoff);
    }
  } finally {
    unlinkQuietly(staged);
  }
}

function tryCreate(staged: string, path: string, token: string): boolean {
  try {
    linkSync(staged, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') return tryCreateExclusive(path, token);
    throw lockError(`cannot create the lock file ${path}`, error);
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

// A lock without a pid comes from the exclusive-create fallback stopped between its open and its
// write, an older version or a damaged disk: stale once it is older than any holder's plan could be.
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
