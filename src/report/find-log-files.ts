import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { GeoResponseError } from '../errors.js';

const LOG_NAME = 'geo-response.log';
// logrotate names: geo-response.log.1, .2.gz (numbered) or geo-response.log-20261127[.gz] (dateext).
const ROTATED = /^geo-response\.log(?:\.(\d+)|-(\d{8,10}))(?:\.gz)?$/;

/** The default geo log of an installation. */
export function defaultLogPath(home: string): string {
  return path.join(home, 'logs', LOG_NAME);
}

/**
 * Order rotated log names oldest first: dateext names by date, then numbered
 * ones from the highest number (oldest) down, then the live file.
 */
export function sortLogNames(names: string[]): string[] {
  const rank = (name: string): [number, number] => {
    const match = ROTATED.exec(name);
    if (match === null) return [2, 0];
    if (match[2] !== undefined) return [0, Number(match[2])];
    return [1, -Number(match[1])];
  };
  return [...names].sort((a, b) => {
    const [ga, va] = rank(a);
    const [gb, vb] = rank(b);
    return ga - gb || va - vb;
  });
}

/** The installation's geo log and its rotated siblings, oldest first; an input error when there is none. */
export async function findDefaultLogFiles(home: string): Promise<string[]> {
  const live = defaultLogPath(home);
  const directory = path.dirname(live);
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    throw new GeoResponseError(`cannot list ${directory}: ${(error as Error).message} (pass the log FILE or set GEO_RESPONSE_HOME)`, {
      code: 'REPORT_NO_LOG',
      kind: 'input',
      cause: error,
    });
  }
  const logs = names.filter((name) => name === LOG_NAME || ROTATED.test(name));
  if (logs.length === 0) {
    throw new GeoResponseError(`no geo log at ${live} (nothing logged yet? pass the log FILE or set GEO_RESPONSE_HOME)`, {
      code: 'REPORT_NO_LOG',
      kind: 'input',
    });
  }
  return sortLogNames(logs).map((name) => path.join(directory, name));
}
