/*
 * The blocks geo-response put in place and has not lifted: what `blocks restore` re-applies after a
 * reboot or a firewall reload. Kept in a root-only file (state-file.ts) rather than read from the
 * geo log, which the ossec/wazuh group can write: a line planted there would block any address.
 * Everything here is pure; the clock comes in as epoch milliseconds.
 */

/** One block in force, as the alert that made it recorded it. */
export interface BlockEntry {
  ip: string;
  /** The backend that holds it (nftables, ipset, iptables, firewalld). */
  backend: string;
  /** When it was put in place (epoch milliseconds). */
  since_ms: number;
  /** When it ends (epoch milliseconds): the backend's own expiry, or execd's delete at the latest for iptables; null = never. */
  expires_ms: number | null;
}

export interface BlockState {
  blocks: BlockEntry[];
}

// Version 2 holds each block as an array of epoch milliseconds under named columns: 100,000 blocks
// are 5 MB rather than version 1's 11.7 MB of objects with ISO strings (Date.parse twice each), and
// `blocks restore` has to read them all in well under a second.
export const STATE_FORMAT_VERSION = 2;
export const STATE_COLUMNS = ['ip', 'backend', 'since_ms', 'expires_ms'] as const;
/** The file's first line, up to the first block. */
export const STATE_HEADER = `{"version":${STATE_FORMAT_VERSION},"columns":${JSON.stringify(STATE_COLUMNS)},"blocks":[\n`;
/** At most this many blocks are kept (the ones ending soonest are dropped first): the file stays bounded under a flood. */
export const MAX_STATE_BLOCKS = 100_000;
/** A file larger than this is refused unread (100,000 blocks take about 5 MB). */
export const MAX_STATE_BYTES = 32 * 1024 * 1024;

export const EMPTY_STATE: BlockState = { blocks: [] };

/** The state file's text as blocks; entries that do not have the expected shape are left out. Throws on text that is not the state at all. */
export function parseBlockState(text: string): BlockState {
  const document = JSON.parse(text) as { version?: unknown; columns?: unknown; blocks?: unknown };
  if (document === null || typeof document !== 'object' || !Array.isArray(document.blocks)) throw notTheState();
  if (document.version === 1) return { blocks: document.blocks.flatMap(fromVersion1) };
  if (document.version !== STATE_FORMAT_VERSION || JSON.stringify(document.columns) !== JSON.stringify(STATE_COLUMNS)) throw notTheState();
  return { blocks: document.blocks.flatMap(fromRow) };
}

function notTheState(): Error {
  return new Error(`not a version ${STATE_FORMAT_VERSION} block state`);
}

function fromRow(row: unknown): BlockEntry[] {
  if (!Array.isArray(row) || row.length !== STATE_COLUMNS.length) return [];
  const [ip, backend, sinceMs, expiresMs] = row as unknown[];
  if (typeof ip !== 'string' || typeof backend !== 'string' || !isEpochMs(sinceMs) || !(expiresMs === null || isEpochMs(expiresMs))) return [];
  return [{ ip, backend, since_ms: sinceMs, expires_ms: expiresMs }];
}

// A whole number of milliseconds a Date can hold: 1e300 would become "timeout 1e+297s" in a restore batch (which nft refuses whole).
function isEpochMs(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_DATE_MS;
}

const MAX_DATE_MS = 8.64e15;

// Version 1 (written by builds before 2026-12-03) held objects with ISO 8601 strings; read as they are, written back as version 2.
function fromVersion1(value: unknown): BlockEntry[] {
  const entry = value as { ip?: unknown; backend?: unknown; since?: unknown; expires?: unknown } | null;
  if (typeof entry !== 'object' || entry === null || typeof entry.ip !== 'string' || typeof entry.backend !== 'string' || typeof entry.since !== 'string') return [];
  const sinceMs = Date.parse(entry.since);
  const expiresMs = entry.expires === null ? null : typeof entry.expires === 'string' ? Date.parse(entry.expires) : Number.NaN;
  if (Number.isNaN(sinceMs) || Number.isNaN(expiresMs)) return [];
  return [{ ip: entry.ip, backend: entry.backend, since_ms: sinceMs, expires_ms: expiresMs }];
}

/** The state as the file holds it: one block per line, so an admin can read it with less. */
export function formatBlockState(state: BlockState): string {
  const rows = state.blocks.map((entry) => `[${JSON.stringify(entry.ip)},${JSON.stringify(entry.backend)},${entry.since_ms},${entry.expires_ms}]`);
  return `${STATE_HEADER}${rows.join(',\n')}\n]}\n`;
}

/** The state after a block was put in place; a block already recorded keeps its start and end (a second add changes neither in the firewall). */
export function recordAdd(state: BlockState, block: { ip: string; backend: string; nowMs: number; expireSeconds: number }): BlockState {
  if (state.blocks.some((entry) => entry.ip === block.ip && entry.backend === block.backend)) return state;
  const entry: BlockEntry = {
    ip: block.ip,
    backend: block.backend,
    since_ms: block.nowMs,
    expires_ms: block.expireSeconds > 0 ? block.nowMs + block.expireSeconds * 1000 : null,
  };
  return { blocks: [...state.blocks.filter((other) => other.ip !== block.ip), entry] };
}

/** The state after an address was unblocked (by execd's delete or `blocks remove`). */
export function recordDelete(state: BlockState, ip: string): BlockState {
  return state.blocks.some((entry) => entry.ip === ip) ? { blocks: state.blocks.filter((entry) => entry.ip !== ip) } : state;
}

/** Seconds a block has left (at least 1), 0 when it never ends, or undefined when it has ended. */
export function remainingSeconds(entry: BlockEntry, nowMs: number): number | undefined {
  if (entry.expires_ms === null) return 0;
  return entry.expires_ms > nowMs ? secondsLeft(entry.expires_ms, nowMs) : undefined;
}

/** Whole seconds from now to a later end, at least 1: what a restored block is given. */
export function secondsLeft(expiresMs: number, nowMs: number): number {
  return Math.max(1, Math.round((expiresMs - nowMs) / 1000));
}

/** The state without the blocks that have ended, cut to MAX_STATE_BLOCKS (keeping those that end last). */
export function pruneBlockState(state: BlockState, nowMs: number): BlockState {
  const live = state.blocks.filter((entry) => entry.expires_ms === null || entry.expires_ms > nowMs);
  if (live.length <= MAX_STATE_BLOCKS) return live.length === state.blocks.length ? state : { blocks: live };
  const endOf = (entry: BlockEntry) => entry.expires_ms ?? Infinity;
  return { blocks: live.sort((a, b) => endOf(b) - endOf(a)).slice(0, MAX_STATE_BLOCKS) };
}
