import { GeoResponseError, toOneLine } from '../errors.js';
import { openDatabaseFully } from '../geo/open-database-fully.js';
import { parseIpAddress } from '../geo/ip-address.js';
import { lookupAddress, type GeoLookup } from '../geo/lookup-address.js';
import { resolveInstallDatabases, type InstallDatabasesIo } from './install-databases.js';
import { exitCodeFor } from './exit-codes.js';
import { definedOnly } from '../invocation/json-fields.js';
import { formatDatabaseUses } from '../log/build-record.js';

export interface LookupCommandIo extends InstallDatabasesIo {
  writeStdout(text: string): void;
  writeStderr(text: string): void;
}

/** `geo-response lookup [--json] [--db FILE] [--asn-db FILE] <ip>…`: the normalised record of each address. */
export async function runLookupCommand(args: string[], io: LookupCommandIo): Promise<number> {
  try {
    const options = parseLookupArgs(args);
    const paths = await resolveInstallDatabases(io, options.databases);
    let failed = false;
    for (const ip of options.ips) {
      const address = parseIpAddress(ip);
      const result = lookupAddress(address, paths, openDatabaseFully);
      if (result.error) failed = true;
      io.writeStdout(options.json ? `${JSON.stringify(toJson(address.text, result))}\n` : formatHuman(address.text, result));
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
  databases: { geo?: string; asn?: string };
  ips: string[];
}

function parseLookupArgs(args: string[]): LookupOptions {
  const options: LookupOptions = { json: false, databases: {}, ips: [] };
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--json') options.json = true;
    else if (arg === '--db' || arg === '--asn-db') {
      const value = args[(i += 1)];
      if (value === undefined) throw usage(`${arg} needs a file`);
      options.databases[arg === '--db' ? 'geo' : 'asn'] = value;
    } else if (arg.startsWith('-')) throw usage(`unknown option ${JSON.stringify(arg)}`);
    else options.ips.push(arg);
  }
  if (options.ips.length === 0) throw usage('lookup needs at least one IP address');
  return options;
}

function usage(message: string): GeoResponseError {
  return new GeoResponseError(`${message} (usage: geo-response lookup [--json] [--db FILE] [--asn-db FILE] <ip>…)`, { code: 'USAGE', kind: 'usage' });
}

// The geo log's own leaf names (snake_case), flat, so `lookup --json` and the log read alike.
function toJson(ip: string, result: GeoLookup): Record<string, unknown> {
  const f = result.fields;
  const fields = {
    country_iso_code: f.countryIsoCode,
    country_name: f.countryName,
    region_name: f.regionName,
    city_name: f.cityName,
    postal_code: f.postalCode,
    latitude: f.latitude,
    longitude: f.longitude,
    accuracy_radius_km: f.accuracyRadiusKm,
    timezone: f.timezone,
    as_number: f.asNumber,
    as_organization: f.asOrganization,
  };
  return {
    ip,
    address_class: result.addressClass,
    found: result.found,
    ...(result.network ? { network: result.network } : {}),
    ...definedOnly(fields),
    databases: formatDatabaseUses(result.databases),
    ...(result.error ? { error: result.error.message } : {}),
  };
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
