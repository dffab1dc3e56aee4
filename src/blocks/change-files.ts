import { lstatSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describeCause, readRootOnlyState, stateError, unlinkQuietly, writeRootOnlyState, type StateFileLabel } from '../state/root-only-file.js';
import { describeViolation, findUntrustedDirectory } from '../trust/trusted-path.js';
import { applyBlockChanges, formatBlockChange, parseBlockChange, type BlockChange, type NamedChange } from './block-change.js';
import { pruneBlockState, type BlockState } from './block-state.js';
import { readBlockState, writeBlockState } from './state-file.js';
import { uniqueHex } from '../state/unique-hex.js';

/*
 * The changes directory beside the block state (`state/blocks.changes/`, root's, 0700): each alert
 * that blocked or unblocked writes one file there, whole (writeRootOnlyState: a private temporary
 * file renamed to `<ms>-<pid>-<hex>.change`, not flushed), and needs no lock: no two alerts ever write the same
 * file. Whoever holds the firewall lock (restore, remove, or an alert once enough changes wait:
 * FOLD_CHANGES_FROM) folds them into the state and deletes the files it folded; a change written
 * meanwhile is not listed, so it waits for the next fold. Readers apply the waiting changes to the
 * state, so they see every block however long ago it was folded.
 */

const LABEL: StateFileLabel = { what: 'block state', code: 'BLOCK_STATE_FAILED' };
const SUFFIX = '.change';
// A change is one short line; anything larger is not one of ours.
const MAX_CHANGE_BYTES = 1024;
/** An alert folds the waiting changes into the state (if the lock is free) once this many wait. */
export const FOLD_CHANGES_FROM = 64;
// A temporary file this old was left by an alert that was killed between its write and its rename.
const ABANDONED_TEMPORARY_MS = 60_000;

/** The changes directory of a state file. */
export function changesDirectory(statePath: string): string {
  return join(dirname(statePath), 'blocks.changes');
}

/** Record one change; returns how many changes now wait to be folded (this one included). */
export function writeBlockChange(statePath: string, change: BlockChange): number {
  const dir = changesDirectory(statePath);
  const name = `${String(change.atMs).padStart(15, '0')}-${process.pid}-${uniqueHex()}${SUFFIX}`;
  // Not flushed: an fsync cost a blocking alert 1.7 ms here, a sixth of its budget (design §7). A
  // reboot writes it out; only a power cut within the kernel's write-back interval (5 s on ext4)
  // loses it, and the attacker's next alert blocks again. A fold flushes the state it writes.
  writeRootOnlyState(join(dir, name), formatBlockChange(change), LABEL, { flush: false });
  return listChangeNames(dir).length;
}

/** The changes waiting in the directory, with the names of every change file (those that are not a change too, so a fold removes them). */
export function readBlockChanges(statePath: string): { changes: NamedChange[]; names: string[] } {
  const dir = changesDirectory(statePath);
  const violation = lstatSync(dir, { throwIfNoEntry: false }) === undefined ? undefined : findUntrustedDirectory(dir);
  if (violation !== undefined) throw stateError(LABEL, `not reading ${dir}: ${describeViolation(violation)}`);
  const names = listChangeNames(dir);
  const changes: NamedChange[] = [];
  const present: string[] = [];
  for (const name of names) {
    // Folded and deleted by another process since the listing: its change is in the state now.
    const text = readRootOnlyState(join(dir, name), MAX_CHANGE_BYTES, LABEL);
    if (text === undefined) continue;
    present.push(name);
    const change = parseBlockChange(text);
    if (change !== undefined) changes.push({ name, change });
  }
  return { changes, names: present };
}

/**
 * The blocks recorded: the state with the changes that wait applied. For display (`blocks`), without
 * the lock: a fold that runs between the two reads can make a waiting change count twice, which
 * only matters for an address added and deleted within that moment. `restore` and `remove` fold
 * under the lock and never read this way.
 */
export function readRecordedBlocks(statePath: string, nowMs: number, pending = readBlockChanges(statePath)): BlockState {
  return pruneBlockState(applyBlockChanges(readBlockState(statePath), pending.changes), nowMs);
}

/** Fold the waiting changes into the state and delete their files. The caller holds the firewall lock, which orders the folds. */
export function foldBlockChanges(statePath: string, nowMs: number, pending = readBlockChanges(statePath)): BlockState {
  const { changes, names } = pending;
  const before = readBlockState(statePath);
  const after = pruneBlockState(applyBlockChanges(before, changes), nowMs);
  if (after !== before) writeBlockState(statePath, after);
  const dir = changesDirectory(statePath);
  // Only once the state holding them is on disk.
  for (const name of names) unlinkQuietly(join(dir, name));
  removeAbandonedTemporaries(dir, nowMs);
  return after;
}

function listChangeNames(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw stateError(LABEL, `cannot list ${dir}: ${describeCause(error)}`, error);
  }
  return names.filter((name) => name.endsWith(SUFFIX)).sort();
}

function removeAbandonedTemporaries(dir: string, nowMs: number): void {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.tmp'));
  } catch {
    return;
  }
  for (const name of names) {
    const stat = lstatSync(join(dir, name), { throwIfNoEntry: false });
    if (stat !== undefined && nowMs - stat.mtimeMs > ABANDONED_TEMPORARY_MS) unlinkQuietly(join(dir, name));
  }
}
