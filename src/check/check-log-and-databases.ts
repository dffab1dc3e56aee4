import { accessSync, closeSync, constants, lstatSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/** Where the geo log goes when the configuration does not say (relative to the home), as alerts write it. */
export const DEFAULT_LOG_PATH = 'logs/geo-response.log';

/**
 * Whether an alert could append to the geo log, said in one line; writes nothing. An existing
 * file is opened for appending (without following a link, without waiting on a special file);
 * a missing one needs its nearest existing directory to be writable (alerts create the rest).
 */
export function checkGeoLog(path: string, lines: string[]): boolean {
  try {
    const existing = statOrUndefined(path);
    if (existing !== undefined) {
      if (!existing.isFile()) throw new Error(existing.isDirectory() ? 'is a directory' : existing.isSymbolicLink() ? 'is a symbolic link' : 'is not a regular file');
      closeSync(openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW | constants.O_NONBLOCK));
      lines.push(`geo log: ${path}: writable`);
      return true;
    }
    let dir = dirname(path);
    while (statOrUndefined(dir) === undefined && dirname(dir) !== dir) dir = dirname(dir);
    if (!statOrUndefined(dir)?.isDirectory()) throw new Error(`${dir} is not a directory`);
    accessSync(dir, constants.W_OK);
    lines.push(`geo log: ${path}: writable (created at the first alert)`);
    return true;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    lines.push(`geo log: FAILED: ${path} cannot be written (${reason}): no alert could record anything`);
    return false;
  }
}

/** The warning for a geo database that holds IPv4 addresses only. */
export function describeIpv4Only(path: string): string {
  return `  warning: ${path} holds IPv4 addresses only: IPv6 attackers get no country, and a policy by country never matches them (use a database with IPv6, e.g. GeoLite2-City.mmdb)`;
}

function statOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
