import { closeSync, constants, fsyncSync, mkdirSync, readSync, renameSync, unlinkSync, writeSync, openSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { GeoResponseError } from '../errors.js';
import { describeViolation, findUntrustedDirectory, openTrusted } from '../trust/trusted-path.js';
import { untrustedPathError } from '../trust/untrusted-path-error.js';
import { EMPTY_STATE, formatBlockState, MAX_STATE_BYTES, parseBlockState, pruneBlockState, type BlockState } from './block-state.js';

const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** The blocks recorded in the state file; none when it does not exist. Refused (never read) when it fails the trust rule or is too large. */
export function readBlockState(path: string): BlockState {
  let opened: ReturnType<typeof openTrusted>;
  try {
    opened = openTrusted(path);
  } catch (error) {
    throw stateError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, error);
  }
  if (opened.kind === 'missing') return EMPTY_STATE;
  if (opened.kind === 'untrusted') throw untrustedPathError(opened.violation, `block state ${path}`);
  try {
    if (opened.size > MAX_STATE_BYTES) throw stateError(`${path} is ${opened.size} bytes, more than the ${MAX_STATE_BYTES} a block state can take; not read`);
    const buffer = Buffer.alloc(opened.size);
    let filled = 0;
    while (filled < buffer.length) {
      const read = readSync(opened.fd, buffer, filled, buffer.length - filled, filled);
      if (read === 0) break;
      filled += read;
    }
    return parseBlockState(buffer.toString('utf8', 0, filled));
  } catch (error) {
    if (error instanceof GeoResponseError) throw error;
    throw stateError(`${path} is not a block state (${(error as Error).message}); move it aside (then nothing is restored until new blocks are recorded)`, error);
  } finally {
    closeSync(opened.fd);
  }
}

/**
 * Replace the state file with `state`, atomically: a private temporary file, flushed to disk (it
 * must survive the reboot it exists for), then renamed over the old one. The caller holds the
 * firewall lock, which orders every writer.
 */
export function writeBlockState(path: string, state: BlockState): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw stateError(`cannot create ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, error);
  }
  const violation = findUntrustedDirectory(dir);
  if (violation !== undefined) throw stateError(`not writing the block state: ${describeViolation(violation)}`);
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const fd = openSync(temporary, WRITE_FLAGS, 0o600);
    try {
      const bytes = Buffer.from(formatBlockState(state));
      if (writeSync(fd, bytes) !== bytes.length) throw new Error('short write (disk full?)');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    unlinkQuietly(temporary);
    throw stateError(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; the previous state is kept`, error);
  }
}

/** Read, change, drop what has ended, write back. The caller holds the firewall lock. */
export function updateBlockState(path: string, nowMs: number, change: (state: BlockState) => BlockState): BlockState {
  const before = readBlockState(path);
  const after = pruneBlockState(change(before), nowMs);
  if (after !== before) writeBlockState(path, after);
  return after;
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Never created, or already renamed: nothing to clean.
  }
}

function stateError(message: string, cause?: unknown): GeoResponseError {
  return new GeoResponseError(`block state: ${message}`, { code: 'BLOCK_STATE_FAILED', kind: 'command', cause });
}
