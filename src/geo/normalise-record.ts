import { definedOnly, fieldAt, numberAt, stringAt } from '../invocation/json-fields.js';
import type { GeoFields } from './geo-fields.js';
import { nameCountry } from './country-names.js';

/**
 * Map one database record to GeoFields. The schema is recognised from the record itself, so the
 * same code reads GeoIP2/GeoLite2 City, Country and ASN, DB-IP Lite (GeoIP2 schema) and the flat
 * ip-location-db files, whatever their metadata calls them.
 */
export function normaliseRecord(record: unknown): GeoFields {
  if (record === null || typeof record !== 'object') return {};
  const fields = isFlatSchema(record) ? readFlat(record) : readGeoIp2(record);
  const asn = readAsn(record);
  const merged = { ...fields, ...asn };
  if (merged.countryIsoCode !== undefined && merged.countryName === undefined) {
    const name = nameCountry(merged.countryIsoCode);
    if (name !== undefined) merged.countryName = name;
  }
  return definedOnly(merged) ?? {};
}

function isFlatSchema(record: object): boolean {
  return 'country_code' in record || 'state1' in record;
}

// GeoIP2: names are per language; English is the log's language. An address with no `country`
// (anonymous proxies, satellite providers) still has a `registered_country`.
function readGeoIp2(record: object): GeoFields {
  const country = fieldAt(record, ['country']) ?? fieldAt(record, ['registered_country']);
  const countryIsoCode = stringAt(country, ['iso_code']);
  const subdivisionCode = stringAt(fieldAt(record, ['subdivisions']), ['0', 'iso_code']) ?? firstSubdivision(record, ['iso_code']);
  return {
    continentCode: stringAt(record, ['continent', 'code']),
    continentName: stringAt(record, ['continent', 'names', 'en']),
    countryIsoCode,
    countryName: stringAt(country, ['names', 'en']),
    regionName: stringAt(fieldAt(record, ['subdivisions']), ['0', 'names', 'en']) ?? firstSubdivision(record, ['names', 'en']),
    // ECS writes the region as ISO 3166-2 (`CA-QC`); GeoIP2 stores the subdivision part alone.
    regionIsoCode: countryIsoCode !== undefined && subdivisionCode !== undefined ? `${countryIsoCode}-${subdivisionCode}` : undefined,
    cityName: stringAt(record, ['city', 'names', 'en']),
    postalCode: stringAt(record, ['postal', 'code']),
    latitude: numberAt(record, ['location', 'latitude']),
    longitude: numberAt(record, ['location', 'longitude']),
    accuracyRadiusKm: numberAt(record, ['location', 'accuracy_radius']),
    timezone: stringAt(record, ['location', 'time_zone']),
  };
}

function firstSubdivision(record: object, path: readonly string[]): string | undefined {
  const subdivisions = fieldAt(record, ['subdivisions']);
  return Array.isArray(subdivisions) ? stringAt(subdivisions[0], path) : undefined;
}

// ip-location-db flat schema: country_code, state1, state2, city, postcode, latitude, longitude, timezone.
function readFlat(record: object): GeoFields {
  return {
    countryIsoCode: stringAt(record, ['country_code']),
    regionName: stringAt(record, ['state1']),
    cityName: stringAt(record, ['city']),
    postalCode: stringAt(record, ['postcode']),
    latitude: asStoredFloat(numberAt(record, ['latitude'])),
    longitude: asStoredFloat(numberAt(record, ['longitude'])),
    timezone: stringAt(record, ['timezone']),
  };
}

// These files store coordinates as 32-bit floats, which read back as doubles with float noise
// (48.1374 comes back as 48.137401580810547): give the shortest decimal that is the same float,
// which is what the database was written from.
function asStoredFloat(value: number | undefined): number | undefined {
  if (value === undefined || Math.fround(value) !== value) return value;
  for (let digits = 1; digits < 9; digits += 1) {
    const shortest = Number(value.toPrecision(digits));
    if (Math.fround(shortest) === value) return shortest;
  }
  return value;
}

// GeoLite2-ASN, DB-IP ASN Lite and ip-location-db ASN files all use these two keys.
function readAsn(record: object): GeoFields {
  return {
    asNumber: numberAt(record, ['autonomous_system_number']),
    asOrganization: stringAt(record, ['autonomous_system_organization']),
  };
}
