import { closeSync, constants, fsyncSync, mkdirSync, openSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { GeoResponseError } from '../errors.js';
import { describeViolation, findUntrustedDirectory, openTrusted } from '../trust/trusted-path.js';
import { untrustedPathError } from '../trust/untrusted-path-error.js';
import { uniqueHex } from './unique-hex.js';

/*
 * A state file that decides something (a finding, a block): root's own, in a directory only root
 * can enter, read only when it passes the trust rule, replaced whole by write-and-rename so a
 * reader sees the old state or the new one, never half of either. The callers serialise their
 * writers with a lock (firewall-lock.ts); the rename alone would lose concurrent updates.
 */

const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** What the errors call the file and which code they carry. */
export interface StateFileLabel {
  /** e.g. "login history" */
  what: string;
  code: string;
}

/** The file's text, or undefined when there is none. Refused (never read) when it fails the trust rule or is larger than maxBytes. */
export function readRootOnlyState(path: string, maxBytes: number, label: StateFileLabel): string | undefined {
  let opened: ReturnType<typeof openTrusted>;
  try {
    opened = openTrusted(path);
  } catch (error) {
    throw stateError(label, `cannot read ${path}: ${describeCause(error)}`, error);
  }
  if (opened.kind === 'missing') return undefined;
  if (opened.kind === 'untrusted') throw untrustedPathError(opened.violation, `${label.what} ${path}`);
  try {
    if (opened.size > maxBytes) throw stateError(label, `${path} is ${opened.size} bytes, more than the ${maxBytes} it may hold; not read`);
    // Not zero-filled (megabytes for a large state): only the bytes read are ever looked at.
    const buffer = Buffer.allocUnsafe(opened.size);
    let filled = 0;
    while (filled < buffer.length) {
      const read = readSync(opened.fd, buffer, filled, buffer.length - filled, filled);
      if (read === 0) break;
      filled += read;
    }
    return buffer.toString('utf8', 0, filled);
  } finally {
    closeSync(opened.fd);
  }
}

/**
 * Replace the file with `text`: a private temporary file, flushed (unless `flush` is false),
 * renamed over the old one; the directory is made root-only (0700) when missing and must pass the
 * trust rule. The temporary file is `<path>.<pid>.<hex>.tmp`.
 */
export function writeRootOnlyState(path: string, text: string, label: StateFileLabel, { flush = true }: { flush?: boolean } = {}): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw stateError(label, `cannot create ${dir}: ${describeCause(error)}`, error);
  }
  const violation = findUntrustedDirectory(dir);
  if (violation !== undefined) throw stateError(label, `not writing ${path}: ${describeViolation(violation)}`);
  const temporary = `${path}.${process.pid}.${uniqueHex()}.tmp`;
  try {
    const fd = openSync(temporary, WRITE_FLAGS, 0o600);
    try {
      const bytes = Buffer.from(text);
      if (writeSync(fd, bytes) !== bytes.length) throw new Error('short write (disk full?)');
      if (flush) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    unlinkQuietly(temporary);
    throw stateError(label, `cannot write ${path}: ${describeCause(error)}; the previous state is kept`, error);
  }
}

/** The error of a state file that could not be read or written. */
export function stateError(label: StateFileLabel, message: string, cause?: unknown): GeoResponseError {
  return new GeoResponseError(`${label.what}: ${message}`, { code: label.code, kind: 'command', ...(cause === undefined ? {} : { cause }) });
}

/** An fs error in a few words: its code (EACCES, ENOSPC) or else its message. */
export function describeCause(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/** Remove a file that may already be gone. */
export function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Never created, or already renamed: nothing to clean.
  }
}
