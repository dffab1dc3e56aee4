import { probeLog } from '../log/append-line.js';

/** Where the geo log goes when the configuration does not say (relative to the home), as alerts write it. */
export const DEFAULT_LOG_PATH = 'logs/geo-response.log';

/** Whether an alert could append to the geo log, said in one line, by the alert's own checks; writes nothing. */
export function checkGeoLog(path: string, lines: string[]): boolean {
  try {
    const state = probeLog(path);
    lines.push(`geo log: ${path}: writable${state === 'missing' ? ' (created at the first alert)' : ''}`);
    return true;
  } catch (error) {
    lines.push(`geo log: FAILED: ${(error as Error).message}: no alert could record anything`);
    return false;
  }
}

/** The warning for a geo database that holds IPv4 addresses only. */
export function describeIpv4Only(path: string): string {
  return `  warning: ${path} holds IPv4 addresses only: IPv6 attackers get no country, and a policy by country never matches them (use a database with IPv6, e.g. GeoLite2-City.mmdb)`;
}
