/*
 * The blocks geo-response put in place and has not lifted: what `blocks restore` re-applies after a
 * reboot or a firewall reload. Kept in a root-only file (state-file.ts) rather than read from the
 * geo log, which the ossec/wazuh group can write: a line planted there would block any address.
 * Everything here is pure; the clock comes in as epoch milliseconds.
 */
import { formatUtcTimestamp } from '../utc-timestamp.js';

/** One block in force, as the alert that made it recorded it. */
export interface BlockEntry {
  ip: string;
  /** The backend that holds it (nftables, ipset, iptables, firewalld). */
  backend: string;
  /** When it was put in place (ISO 8601, UTC). */
  since: string;
  /** When it ends: the backend's own expiry, or execd's delete at the latest for iptables; null = never. */
  expires: string | null;
}

export interface BlockState {
  blocks: BlockEntry[];
}

export const STATE_FORMAT_VERSION = 1;
/** At most this many blocks are kept (the ones ending soonest are dropped first): the file stays bounded under a flood. */
export const MAX_STATE_BLOCKS = 100_000;
/** A file larger than this is refused unread (100,000 entries take about 11 MB). */
export const MAX_STATE_BYTES = 32 * 1024 * 1024;

export const EMPTY_STATE: BlockState = { blocks: [] };

/** The state file's text as blocks; entries that do not have the expected shape are left out. Throws on text that is not the state at all. */
export function parseBlockState(text: string): BlockState {
  const document = JSON.parse(text) as { version?: unknown; blocks?: unknown };
  if (document?.version !== STATE_FORMAT_VERSION || !Array.isArray(document.blocks)) throw new Error(`not a version ${STATE_FORMAT_VERSION} block state`);
  const blocks = document.blocks.filter(isBlockEntry);
  return { blocks };
}

function isBlockEntry(value: unknown): value is BlockEntry {
  const entry = value as Partial<BlockEntry> | null;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof entry.ip === 'string' &&
    typeof entry.backend === 'string' &&
    typeof entry.since === 'string' &&
    !Number.isNaN(Date.parse(entry.since)) &&
    (entry.expires === null || (typeof entry.expires === 'string' && !Number.isNaN(Date.parse(entry.expires))))
  );
}

/** The state as the file holds it: one block per line, so an admin can read it with less. */
export function formatBlockState(state: BlockState): string {
  return `{"version":${STATE_FORMAT_VERSION},"blocks":[\n${state.blocks.map((entry) => JSON.stringify(entry)).join(',\n')}\n]}\n`;
}

/** The state after a block was put in place; a block already recorded keeps its start and end (a second add changes neither in the firewall). */
export function recordAdd(state: BlockState, block: { ip: string; backend: string; nowMs: number; expireSeconds: number }): BlockState {
  if (state.blocks.some((entry) => entry.ip === block.ip && entry.backend === block.backend)) return state;
  const entry: BlockEntry = {
    ip: block.ip,
    backend: block.backend,
    since: formatUtcTimestamp(new Date(block.nowMs)),
    expires: block.expireSeconds > 0 ? formatUtcTimestamp(new Date(block.nowMs + block.expireSeconds * 1000)) : null,
  };
  return { blocks: [...state.blocks.filter((other) => other.ip !== block.ip), entry] };
}

/** The state after an address was unblocked (by execd's delete or `blocks remove`). */
export function recordDelete(state: BlockState, ip: string): BlockState {
  return state.blocks.some((entry) => entry.ip === ip) ? { blocks: state.blocks.filter((entry) => entry.ip !== ip) } : state;
}

/** Seconds a block has left (at least 1), 0 when it never ends, or undefined when it has ended. */
export function remainingSeconds(entry: BlockEntry, nowMs: number): number | undefined {
  if (entry.expires === null) return 0;
  const left = Date.parse(entry.expires) - nowMs;
  return left > 0 ? Math.max(1, Math.round(left / 1000)) : undefined;
}

/** The state without the blocks that have ended, cut to MAX_STATE_BLOCKS (keeping those that end last). */
export function pruneBlockState(state: BlockState, nowMs: number): BlockState {
  const live = state.blocks.filter((entry) => remainingSeconds(entry, nowMs) !== undefined);
  if (live.length <= MAX_STATE_BLOCKS) return live.length === state.blocks.length ? state : { blocks: live };
  const endOf = (entry: BlockEntry) => (entry.expires === null ? Infinity : Date.parse(entry.expires));
  return { blocks: [...live].sort((a, b) => endOf(b) - endOf(a)).slice(0, MAX_STATE_BLOCKS) };
}
