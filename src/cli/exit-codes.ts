import type { ErrorKind } from '../errors.js';

/** Exit codes, documented in docs/commands.md; the only place a kind of failure becomes a number. */
export const EXIT_CODES = {
  ok: 0,
  internal: 1,
  usage: 2,
  input: 3,
  config: 4,
  lookup: 5,
  command: 6,
  log: 7,
  handshake: 8,
} as const satisfies Record<ErrorKind | 'ok', number>;

/** The exit code for a failure of this kind. */
export function exitCodeFor(kind: ErrorKind): number {
  return EXIT_CODES[kind];
}
