import { closeSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { GeoResponseError } from '../errors.js';
import { openTrusted, type TrustedOpen } from '../trust/trusted-path.js';
import { untrustedPathError } from '../trust/untrusted-path-error.js';

/** The configuration file's text; undefined when it does not exist, UNTRUSTED_PATH when the group could have changed it, a config error when it cannot be read. */
export function readConfigText(path: string): string | undefined {
  let opened: TrustedOpen;
  try {
    opened = openTrusted(path);
  } catch (error) {
    throw unreadable(path, error);
  }
  if (opened.kind === 'missing') return undefined;
  if (opened.kind === 'untrusted') throw untrustedPathError(opened.violation, `configuration ${path}`);
  try {
    return readFileSync(opened.fd, 'utf8');
  } catch (error) {
    throw unreadable(path, error);
  } finally {
    closeSync(opened.fd);
  }
}

function unreadable(path: string, error: unknown): GeoResponseError {
  const code = (error as NodeJS.ErrnoException).code;
  return new GeoResponseError(`cannot read ${path}: ${code ?? (error as Error).message}`, { code: 'CONFIG_UNREADABLE', kind: 'config', cause: error });
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
