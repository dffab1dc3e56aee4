import { GeoResponseError } from '../errors.js';
import { readRootOnlyState, stateError, writeRootOnlyState, type StateFileLabel } from '../state/root-only-file.js';
import { EMPTY_STATE, formatBlockState, MAX_STATE_BYTES, parseBlockState, type BlockState } from './block-state.js';

const LABEL: StateFileLabel = { what: 'block state', code: 'BLOCK_STATE_FAILED' };

/** The blocks recorded in the state file; none when it does not exist. Refused (never read) when it fails the trust rule or is too large. */
export function readBlockState(path: string): BlockState {
  const text = readBlockStateText(path);
  return text === undefined ? EMPTY_STATE : parseBlockStateText(path, text);
}

/** The state file's text (for `restore`'s scan), undefined when it does not exist; refused as readBlockState refuses it. */
export function readBlockStateText(path: string): string | undefined {
  return readRootOnlyState(path, MAX_STATE_BYTES, LABEL);
}

/** The blocks in the state file's text; a text that is not a block state is an error naming the file and the way out. */
export function parseBlockStateText(path: string, text: string): BlockState {
  try {
    return parseBlockState(text);
  } catch (error) {
    if (error instanceof GeoResponseError) throw error;
    throw stateError(LABEL, `${path} is not a block state (${(error as Error).message}); move it aside (then nothing is restored until new blocks are recorded)`, error);
  }
}

/**
 * Replace the state file with `state`, atomically and flushed to disk (it must survive the reboot
 * it exists for). The caller holds the firewall lock, which orders every writer (restore, and
 * the folds of change-files.ts).
 */
export function writeBlockState(path: string, state: BlockState): void {
  writeBlockStateText(path, formatBlockState(state));
}

/** writeBlockState for a state already formatted (restore's rewrite keeps the rows' own text). */
export function writeBlockStateText(path: string, text: string): void {
  writeRootOnlyState(path, text, LABEL);
}
