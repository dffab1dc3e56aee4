import { GeoResponseError, toGeoResponseError } from '../errors.js';
import type { OpenDatabase } from './database-reader.js';
import type { DatabasePaths } from './discover-databases.js';
import type { GeoFields } from './geo-fields.js';
import type { IpAddress } from './ip-address.js';
import { formatUtcTimestamp } from '../utc-timestamp.js';
import { formatNetwork } from './network-prefix.js';
import { normaliseRecord } from './normalise-record.js';
import { classifyAddress, type AddressClass } from './special-ranges.js';

export interface DatabaseUse {
  role: 'geo' | 'asn';
  path: string;
  type: string;
  buildDate: string;
  /** 4 for a file that holds IPv4 addresses only (it answers no IPv6 address). */
  ipVersion: 4 | 6;
}

export interface GeoLookup {
  addressClass: AddressClass;
  /** The special range, or the database network the address matched. */
  network?: string;
  fields: GeoFields;
  /** Whether a database had a record for the address. */
  found: boolean;
  databases: DatabaseUse[];
  /** The first database failure; the fields of the other database are still filled. */
  error?: GeoResponseError;
}

/** Geolocate one address: special ranges without a lookup, public ones in the geo and ASN databases. */
export function lookupAddress(address: IpAddress, paths: DatabasePaths, open: OpenDatabase): GeoLookup {
  const classification = classifyAddress(address);
  const result: GeoLookup = { addressClass: classification.addressClass, fields: {}, found: false, databases: [] };
  if (classification.network !== undefined) result.network = classification.network;
  if (classification.addressClass !== 'public') return result;
  for (const role of ['geo', 'asn'] as const) {
    const path = paths[role];
    if (path === undefined) continue;
    try {
      queryDatabase(role, path, address, open, result);
    } catch (error) {
      result.error ??= toLookupError(error, path);
    }
  }
  return result;
}

function queryDatabase(role: 'geo' | 'asn', path: string, address: IpAddress, open: OpenDatabase, result: GeoLookup): void {
  const reader = open(path);
  try {
    result.databases.push({ role, path, type: reader.metadata.databaseType, buildDate: formatUtcTimestamp(new Date(reader.metadata.buildEpoch * 1000)), ipVersion: reader.metadata.ipVersion });
    // An IPv4-only database has no answer for an IPv6 address: that is "not found", not a failure.
    if (address.family === 6 && reader.metadata.ipVersion === 4) return;
    const hit = reader.lookup(address.text);
    if (hit.record === null || hit.record === undefined) return;
    result.found = true;
    if (role === 'geo') result.network = formatNetwork(address, hit.prefixLength);
    const fields = normaliseRecord(hit.record);
    // The ASN file is the authority for AS fields, the geo file for the rest.
    const picked = role === 'asn' ? { asNumber: fields.asNumber, asOrganization: fields.asOrganization } : fields;
    for (const [key, value] of Object.entries(picked)) if (value !== undefined) (result.fields as Record<string, unknown>)[key] = value;
  } finally {
    reader.close();
  }
}

function toLookupError(error: unknown, path: string): GeoResponseError {
  if (error instanceof GeoResponseError) return error;
  return new GeoResponseError(`database ${path}: ${toGeoResponseError(error).message.replace(/^unexpected error: /, '')}`, {
    code: 'DATABASE_ERROR',
    kind: 'lookup',
    cause: error,
  });
}
