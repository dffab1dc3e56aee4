import { parseArgs, type ParseArgsConfig } from 'node:util';
import { GeoResponseError } from '../errors.js';

type CommandOptions = NonNullable<ParseArgsConfig['options']>;

/** A usage error of a hand-run command, pointing at its --help (one line; exit 2). */
export function commandUsageError(command: string, message: string, options: { code?: string; cause?: unknown } = {}): GeoResponseError {
  return new GeoResponseError(`${command}: ${message} (see geo-response ${command} --help)`, { code: options.code ?? 'USAGE', kind: 'usage', cause: options.cause });
}

/** A hand-run command's options and positionals through node:util parseArgs (`--opt v`, `--opt=v`); anything unknown or malformed is a usage error. */
export function parseCommandArgs<const T extends CommandOptions>(command: string, args: string[], options: T, code?: string) {
  try {
    return parseArgs({ args, allowPositionals: true, strict: true, options });
  } catch (error) {
    throw commandUsageError(command, error instanceof Error ? error.message : String(error), { code, cause: error });
  }
}
