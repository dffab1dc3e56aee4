/** The kinds of failure geo-response distinguishes; each maps to one exit code in `cli/exit-codes.ts`. */
export type ErrorKind =
  | 'usage'
  | 'input'
  | 'config'
  | 'lookup'
  | 'command'
  | 'log'
  | 'handshake'
  | 'internal';

export interface GeoResponseErrorOptions {
  /** Stable machine-readable code, e.g. `INVALID_IP`; tests and logs key on it. */
  code: string;
  kind: ErrorKind;
  cause?: unknown;
}

// Subcommands and backends are compiled on first use from their own bundled copy of this
// module (see tsup.config.ts), so class identity is not enough: a registry symbol brands every
// copy's instances and `instanceof` checks the brand.
const BRAND = Symbol.for('geo-response.GeoResponseError');

/** The one error type thrown on purpose: a message that says what failed, on what, and what to do. */
export class GeoResponseError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly [BRAND] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    // Subclasses inherit this method: they keep the ordinary prototype check (the brand says only
    // "some GeoResponseError", not which subclass).
    if (this !== GeoResponseError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  constructor(message: string, options: GeoResponseErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GeoResponseError';
    this.code = options.code;
    this.kind = options.kind;
  }
}

/** Turn anything thrown into a GeoResponseError, keeping the original as the cause. */
export function toGeoResponseError(error: unknown): GeoResponseError {
  if (error instanceof GeoResponseError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new GeoResponseError(`unexpected error: ${message}`, { code: 'INTERNAL', kind: 'internal', cause: error });
}

/** A one-line rendering of an error message: stderr and active-responses.log take exactly one line. */
export function toOneLine(message: string): string {
  return message
    .split(/[\r\n]+/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' | ');
}
