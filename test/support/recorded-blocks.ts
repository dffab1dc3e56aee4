import { applyBlockChanges } from '../../src/blocks/block-change.js';
import type { BlockState } from '../../src/blocks/block-state.js';
import { readBlockChanges } from '../../src/blocks/change-files.js';
import { readBlockState } from '../../src/blocks/state-file.js';
import { blockStatePath } from '../../src/blocks/state-path.js';

/** The blocks an installation has recorded: its state with the changes that wait to be folded, nothing pruned. */
export function readRecordedState(home: string): BlockState {
  const path = blockStatePath(home);
  return applyBlockChanges(readBlockState(path), readBlockChanges(path).changes);
}
