import { resolve } from 'node:path';
import { GeoResponseError, toOneLine } from '../errors.js';
import { openDatabaseFully } from '../geo/open-database-fully.js';
import { parseIpAddress } from '../geo/ip-address.js';
import type { DatabaseReader } from '../geo/database-reader.js';
import type { DatabasePaths } from '../geo/discover-databases.js';
import { lookupAddress, type GeoLookup } from '../geo/lookup-address.js';
import { resolveInstallDatabases, type InstallDatabasesIo } from './install-databases.js';
import { exitCodeFor } from './exit-codes.js';
import { commandUsageError, parseCommandArgs } from './parse-command-args.js';
import { buildLookupRecord } from '../log/build-record.js';

export interface LookupCommandIo extends InstallDatabasesIo {
  /** Where the person ran the command: `--db` and `--asn-db` paths are relative to it. */
  cwd: string;
  writeStdout(text: string): void;
  writeStderr(text: string): void;
}

export const LOOKUP_USAGE = `Usage: geo-response lookup [--json] [--db FILE] [--asn-db FILE] <ip>...

Geolocate addresses with the installation's databases (or the files named) and print the
normalised record of each, as the geo log would hold it.

  --json            one JSON object per line, with the geo log's fields (source.*, geo_response.*)
  --db FILE         the City or Country database to use (relative to the current directory)
  --asn-db FILE     the ASN database to use
  -h, --help        this text
Exit codes: 0 ok, 2 usage error, 3 an address that is not an IP, 5 a database that cannot be read.
`;

/** `geo-response lookup [--json] [--db FILE] [--asn-db FILE] <ip>…`: the normalised record of each address. */
export async function runLookupCommand(args: string[], io: LookupCommandIo): Promise<number> {
  try {
    const options = parseLookupArgs(args, io.cwd);
    if (options.help) {
      io.writeStdout(LOOKUP_USAGE);
      return 0;
    }
    const paths = await resolveInstallDatabases(io, options.databases);
    // Each file is read once, and one that cannot be read is one error, not one per address.
    const open = openEachOnce(paths);
    let failed = false;
    for (const ip of options.ips) {
      const address = parseIpAddress(ip);
      const result = lookupAddress(address, paths, open);
      if (result.error) failed = true;
      io.writeStdout(options.json ? `${JSON.stringify(buildLookupRecord(address, result))}\n` : formatHuman(address.text, result));
    }
    return failed ? exitCodeFor('lookup') : 0;
  } catch (error) {
    const failure = error instanceof GeoResponseError ? error : new GeoResponseError(String(error), { code: 'INTERNAL', kind: 'internal', cause: error });
    io.writeStderr(`geo-response: ${toOneLine(failure.message)}\n`);
    return exitCodeFor(failure.kind);
  }
}

interface LookupOptions {
  json: boolean;
  help: boolean;
  databases: DatabasePaths;
  ips: string[];
}

function parseLookupArgs(args: string[], cwd: string): LookupOptions {
  const { values, positionals } = parseCommandArgs('lookup', args, {
    json: { type: 'boolean' },
    db: { type: 'string' },
    'asn-db': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const databases: DatabasePaths = {};
  if (values.db !== undefined) databases.geo = resolve(cwd, values.db);
  if (values['asn-db'] !== undefined) databases.asn = resolve(cwd, values['asn-db']);
  const options: LookupOptions = { json: values.json === true, help: values.help === true, databases, ips: positionals };
  if (!options.help && options.ips.length === 0) throw commandUsageError('lookup', 'at least one IP address is needed');
  return options;
}

// Open every database up front (an unreadable one throws here, once) and hand the same reader to each lookup.
function openEachOnce(paths: DatabasePaths): (path: string) => DatabaseReader {
  const readers = new Map<string, DatabaseReader>();
  for (const path of [paths.geo, paths.asn]) if (path !== undefined && !readers.has(path)) readers.set(path, openDatabaseFully(path));
  return (path) => readers.get(path) ?? openDatabaseFully(path);
}

function formatHuman(ip: string, result: GeoLookup): string {
  const f = result.fields;
  const lines = [`${ip}`];
  const add = (label: string, value: unknown) => {
    if (value !== undefined && value !== '') lines.push(`  ${label.padEnd(12)} ${String(value)}`);
  };
  add('class', result.addressClass === 'public' ? undefined : result.addressClass);
  add('network', result.network);
  add('country', f.countryIsoCode ? `${f.countryIsoCode}${f.countryName ? ` (${f.countryName})` : ''}` : result.addressClass === 'public' ? 'not found' : undefined);
  add('region', f.regionName);
  add('city', f.cityName);
  add('postal code', f.postalCode);
  add('location', f.latitude !== undefined && f.longitude !== undefined ? `${f.latitude}, ${f.longitude}${f.accuracyRadiusKm !== undefined ? ` (±${f.accuracyRadiusKm} km)` : ''}` : undefined);
  add('time zone', f.timezone);
  add('AS', f.asNumber !== undefined ? `AS${f.asNumber}${f.asOrganization ? ` ${f.asOrganization}` : ''}` : undefined);
  for (const db of result.databases) add(`${db.role} db`, `${db.path} (${db.type}, built ${db.buildDate.slice(0, 10)})`);
  add('error', result.error?.message);
  return `${lines.join('\n')}\n`;
}
