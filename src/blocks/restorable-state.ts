import type { RestoreEntry } from '../firewall/firewall-types.js';
import { formatBlockState, pruneBlockState, remainingSeconds, type BlockEntry, type BlockState } from './block-state.js';
import { recordedAddress } from './recorded-address.js';

/** What `blocks restore` makes of the recorded state. Pure. */
export interface RestorableState {
  /** The blocks to put back, each with the seconds it has left (0 = no expiry). */
  entries: RestoreEntry[];
  /** Recorded blocks whose time is up (or beyond the state's bound): left out. */
  ended: number;
  /** Recorded entries whose address is not one geo-response writes (a hand edit): left out. */
  unusable: number;
  /** The state's text without what was left out, when that differs from the file; undefined when the file is right as it is. */
  rewrite?: string;
}

/** From the state as parsed in full: every live block with an address geo-response writes; the state written back in the current layout. */
export function restorableFromState(state: BlockState, nowMs: number): RestorableState {
  const live = pruneBlockState(state, nowMs);
  const kept: BlockEntry[] = [];
  const entries: RestoreEntry[] = [];
  for (const entry of live.blocks) {
    const address = recordedAddress(entry.ip);
    if (address === undefined) continue;
    kept.push(entry);
    entries.push({ address, remainingSeconds: remainingSeconds(entry, nowMs) as number });
  }
  // Always written back: the file was not in the layout the scan reads (or the scan would have read it), and next time it is.
  return { entries, ended: state.blocks.length - live.blocks.length, unusable: live.blocks.length - kept.length, rewrite: formatBlockState({ blocks: kept }) };
}
