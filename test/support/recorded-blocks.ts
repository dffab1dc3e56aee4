import type { BlockState } from '../../src/blocks/block-state.js';
import { readRecordedBlocks } from '../../src/blocks/change-files.js';
import { blockStatePath } from '../../src/blocks/state-path.js';

/** The blocks an installation has recorded: its state with the changes that wait to be folded, none left out as ended (judged at the epoch). */
export function readRecordedState(home: string): BlockState {
  return readRecordedBlocks(blockStatePath(home), 0);
}
