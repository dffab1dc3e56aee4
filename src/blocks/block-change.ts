/*
 * One change to the blocks in force, as an alert records it: a file of its own in the state's
 * changes directory (change-files.ts), folded into the state later. Why not the state itself: an
 * alert that rewrote the whole state needed a host-wide lock to order the writers, and a burst of
 * hundreds of blocking alerts queued on it (issue 12). Everything here is pure.
 */
import { recordAdd, recordDelete, type BlockState } from './block-state.js';

export type BlockChange = { action: 'add'; atMs: number; ip: string; backend: string; expireSeconds: number } | { action: 'delete'; atMs: number; ip: string };

/** A change as its file holds it: one JSON array on one line. */
export function formatBlockChange(change: BlockChange): string {
  const fields = change.action === 'add' ? [change.action, change.atMs, change.ip, change.backend, change.expireSeconds] : [change.action, change.atMs, change.ip];
  return `${JSON.stringify(fields)}\n`;
}

/** The change in a file's text, or undefined when the text is not one (a torn or hand-made file is left out, never guessed at). */
export function parseBlockChange(text: string): BlockChange | undefined {
  let fields: unknown;
  try {
    fields = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(fields)) return undefined;
  const [action, atMs, ip, backend, expireSeconds] = fields as unknown[];
  if (!isWholeNumber(atMs) || typeof ip !== 'string' || ip === '') return undefined;
  if (action === 'delete' && fields.length === 3) return { action, atMs, ip };
  if (action === 'add' && fields.length === 5 && typeof backend === 'string' && backend !== '' && isWholeNumber(expireSeconds)) return { action, atMs, ip, backend, expireSeconds };
  return undefined;
}

// At most what a Date can hold, so a restore batch never meets 1e+300.
function isWholeNumber(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= 8.64e15;
}

/** A change with the name of the file it came from: the name breaks ties between changes of the same millisecond. */
export interface NamedChange {
  name: string;
  change: BlockChange;
}

/** The state with the changes applied in the order they were made. */
export function applyBlockChanges(state: BlockState, changes: readonly NamedChange[]): BlockState {
  const ordered = [...changes].sort((a, b) => a.change.atMs - b.change.atMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return ordered.reduce(
    (current, { change }) =>
      change.action === 'add'
        ? recordAdd(current, { ip: change.ip, backend: change.backend, nowMs: change.atMs, expireSeconds: change.expireSeconds })
        : recordDelete(current, change.ip),
    state,
  );
}
