import { closeSync, constants, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { GeoResponseError } from '../errors.js';
import { describeViolation, findUntrustedDirectory } from '../trust/trusted-path.js';
import { uniqueHex } from '../state/unique-hex.js';

export const LOCK_WAIT_TIMEOUT_MS = 30_000;
// Short first waits: one plan takes a few milliseconds of nft/ipset, and a botnet burst queues dozens of us.
const RETRY_MIN_MS = 5;
const RETRY_MAX_MS = 50;
// `<lock>.priority`: present while an administrator's command (`blocks restore`) waits: alerts then
// stand back, so a burst of hundreds of them cannot starve it (the lock is not fair). It names its
// holder like the lock does, so one left by a killed command, or older than MAX_HOLD_MS, is ignored.
const PRIORITY_SUFFIX = '.priority';
// A lock whose holder cannot be identified (no start time: the exclusive-create fallback stopped
// between its open and its write) is nobody's after this: that window is microseconds wide.
const ANONYMOUS_LOCK_STALE_MS = 3_000;
// A holder runs a plan of a few commands, each killed with its process group at 10 s + 1 s
// (run-command.ts): a lock older than this is held by a process that is stuck, not working.
export const MAX_HOLD_MS = 45_000;
// A token is "<pid> <start time in clock ticks> <random>\n"; nothing longer is ever read.
const TOKEN_MAX_BYTES = 128;
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

export interface LockOptions {
  /** Default: defaultLockDir(). Every invocation must name the same one. */
  lockDir?: string;
  waitTimeoutMs?: number;
  /** Ask alerts to let this one go first (`blocks restore`): they wait while it waits. */
  priority?: boolean;
}

/**
 * Where the host-wide lock lives: a directory only root can write (/run/geo-response, 0700), never
 * under the installation's var/run, which the ossec/wazuh group can write (a lock planted there
 * stopped every block and delete). The firewall is the host's, so one lock for every installation.
 */
export function defaultLockDir(): string {
  if (process.geteuid?.() !== 0) return join(tmpdir(), `geo-response-${process.geteuid?.() ?? 'user'}`);
  return lstatSync('/run', { throwIfNoEntry: false })?.isDirectory() ? '/run/geo-response' : '/var/run/geo-response';
}

/** Which lock: its file in the lock directory, and what its errors say. */
export interface LockSpec {
  fileName: string;
  /** e.g. "firewall lock" */
  what: string;
  code: string;
}

export const FIREWALL_LOCK: LockSpec = { fileName: 'firewall.lock', what: 'firewall lock', code: 'FIREWALL_LOCK_FAILED' };

/**
 * Take the host-wide firewall lock, waiting for other invocations. Check-then-change sequences
 * (iptables -C then -I, ipset test then add) race without it. Returns the release function.
 */
export async function acquireFirewallLock(options: LockOptions = {}): Promise<() => void> {
  return acquireLock(FIREWALL_LOCK, options);
}

/**
 * Take a host-wide lock (a lock file that appears holding our pid and start time) in the private
 * lock directory, waiting for other invocations. Returns the release function.
 */
export async function acquireLock(spec: LockSpec, options: LockOptions = {}): Promise<() => void> {
  const dir = options.lockDir ?? defaultLockDir();
  const path = join(dir, spec.fileName);
  const lockError = (message: string, cause?: unknown) => new GeoResponseError(`${spec.what}: ${message}`, { code: spec.code, kind: 'command', cause });
  const token = `${process.pid} ${startTimeOf(process.pid) ?? '-'} ${uniqueHex()}\n`;
  const deadline = Date.now() + (options.waitTimeoutMs ?? LOCK_WAIT_TIMEOUT_MS);
  preparePrivateDirectory(dir, lockError);
  removeLeftovers(dir, spec.fileName);
  // The lock file appears with its holder's identity already in it: written once to a private temp
  // file, then hard-linked into place on each attempt (link fails while the lock exists). So no
  // crash or full disk can leave an empty lock that nobody could ever prove stale. A filesystem
  // without hard links gets the plain exclusive create instead, which can.
  const staged = `${path}.${process.pid}.${uniqueHex()}.new`;
  try {
    writeToken(staged, token);
  } catch (error) {
    throw lockError(`cannot create the lock file ${path}`, error);
  }
  const priority = options.priority ? claimPriority(`${path}${PRIORITY_SUFFIX}`, token) : undefined;
  try {
    for (let attempt = 0; ; attempt += 1) {
      const standBack = !options.priority && priorityPending(`${path}${PRIORITY_SUFFIX}`);
      if (!standBack && tryCreate(staged, path, token, lockError)) return () => release(path, token);
      breakIfStale(path);
      if (Date.now() >= deadline) {
        throw lockError(`another geo-response held ${path} for longer than ${options.waitTimeoutMs ?? LOCK_WAIT_TIMEOUT_MS} ms`);
      }
      const backoff = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(attempt, 5));
      await delay(backoff / 2 + Math.random() * backoff);
    }
  } finally {
    unlinkQuietly(staged);
    priority?.();
  }
}

// The priority mark, if no other command holds it; returns its release.
function claimPriority(path: string, token: string): (() => void) | undefined {
  try {
    writeToken(path, token);
  } catch {
    // Another command waits with priority already (or the mark cannot be made): wait as usual.
    return undefined;
  }
  return () => release(path, token);
}

function priorityPending(path: string): boolean {
  const seen = readLock(path);
  return seen !== undefined && !isStaleLock(seen.content, Date.now() - seen.mtimeMs, SYSTEM_PROBE);
}

// Created 0700 if missing; used only if it and every directory above it are ours alone.
export type LockError = (message: string, cause?: unknown) => GeoResponseError;

export function preparePrivateDirectory(dir: string, lockError: LockError): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw lockError(`cannot create the lock directory ${dir}`, error);
  }
  const violation = findUntrustedDirectory(dir);
  if (violation !== undefined) throw lockError(`the lock directory is not private: ${describeViolation(violation)}`);
}

function tryCreate(staged: string, path: string, token: string, lockError: LockError): boolean {
  try {
    linkSync(staged, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') return tryCreateExclusive(path, token, lockError);
    throw lockError(`cannot create the lock file ${path}`, error);
  }
}

function tryCreateExclusive(path: string, token: string, lockError: LockError): boolean {
  try {
    writeToken(path, token);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw lockError(`cannot create the lock file ${path}`, error);
  }
}

export function writeToken(path: string, token: string): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    if (writeSync(fd, token) !== Buffer.byteLength(token)) throw new Error('short write');
  } finally {
    closeSync(fd);
  }
}

/** What the lock's staleness is judged by, about a process. */
export interface ProcessProbe {
  startTime(pid: number): string | undefined;
  isAlive(pid: number): boolean;
}

/** Whether a lock's holder is gone, judged from its bounded contents and its age. Pure. */
export function isStaleLock(content: string, ageMs: number, probe: ProcessProbe): boolean {
  if (ageMs > MAX_HOLD_MS) return true;
  const [pidText = '', startTime = ''] = content.split(' ');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return ageMs > ANONYMOUS_LOCK_STALE_MS;
  // Without a start time the pid alone may name a process that reused it (pid 1 is always alive).
  if (!/^\d+$/.test(startTime)) return !probe.isAlive(pid) || ageMs > ANONYMOUS_LOCK_STALE_MS;
  // The same pid with another start time is a new process that reused it: the holder is gone.
  return probe.startTime(pid) !== startTime;
}

export const SYSTEM_PROBE: ProcessProbe = { startTime: startTimeOf, isAlive };

function breakIfStale(path: string): void {
  const seen = readLock(path);
  if (seen === undefined || !isStaleLock(seen.content, Date.now() - seen.mtimeMs, SYSTEM_PROBE)) return;
  const aside = `${path}.stale.${process.pid}.${uniqueHex()}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // another waiter broke it first
  }
  if (readLock(aside)?.content !== seen.content) {
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
  if (readLock(path)?.content === token) unlinkQuietly(path);
}

// Staged and set-aside files of invocations that were killed before their finally ran.
function removeLeftovers(dir: string, fileName: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const leftover = new RegExp(`^${fileName.replaceAll('.', '\\.')}\\.(?:stale\\.)?(\\d+)\\.[0-9a-f]+(?:\\.new)?$`);
  for (const name of names) {
    const match = leftover.exec(name);
    if (match && !isAlive(Number(match[1]))) unlinkQuietly(join(dir, name));
  }
}

// At most TOKEN_MAX_BYTES, without following a link or blocking.
export function readLock(path: string): { content: string; mtimeMs: number } | undefined {
  let fd: number;
  try {
    fd = openSync(path, READ_FLAGS);
  } catch {
    return undefined;
  }
  try {
    const buffer = Buffer.alloc(TOKEN_MAX_BYTES);
    const length = readSync(fd, buffer, 0, TOKEN_MAX_BYTES, 0);
    return { content: buffer.toString('latin1', 0, length), mtimeMs: lstatSync(path, { throwIfNoEntry: false })?.mtimeMs ?? Date.now() };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

// Field 22 of /proc/<pid>/stat, read after the command name (which may hold spaces and parentheses).
export function startTimeOf(pid: number): string | undefined {
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/stat`, READ_FLAGS);
  } catch {
    return undefined;
  }
  try {
    const buffer = Buffer.alloc(1024);
    const text = buffer.toString('latin1', 0, readSync(fd, buffer, 0, buffer.length, 0));
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
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

export function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone: the goal is reached.
  }
}
