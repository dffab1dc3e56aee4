import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { GeoResponseError } from '../errors.js';

/** The configuration file's text; undefined when it does not exist, a config error when it cannot be read. */
export function readConfigText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new GeoResponseError(`cannot read ${path}: ${code ?? (error as Error).message}`, { code: 'CONFIG_UNREADABLE', kind: 'config', cause: error });
  }
}

/** The .mmdb files in a directory; none when the directory does not exist or cannot be read. */
export function listDatabaseFiles(dir: string): string[] {
  // Most of the usual places do not exist on a given host. Asking first spares every alert the
  // exceptions readdirSync would build for them (~25 µs each, stack trace included).
  if (!existsSync(dir)) return [];
  try {
    return readdirSync(dir).filter((name) => name.endsWith('.mmdb'));
  } catch {
    // Removed since, or not readable: no databases there.
    return [];
  }
}
