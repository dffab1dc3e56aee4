import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Reader } from 'maxmind';
import { lookupAddress } from '../src/geo/lookup-address';
import { openMmdb as openDatabase } from '../src/geo/mmdb/index';
import { parseIpAddress } from '../src/geo/ip-address';
import { EMBEDDED_DB, makeBundleHome, TEST_NODE, REPO_ROOT } from './support/bundle-home';

const FIXTURES = join(__dirname, 'fixtures');
const fixture = (name: string) => join(FIXTURES, `${name}.mmdb`);
const lookup = (ip: string, geo?: string, asn?: string) =>
  lookupAddress(parseIpAddress(ip), { ...(geo ? { geo: fixture(geo) } : {}), ...(asn ? { asn: fixture(asn) } : {}) }, openDatabase);

const MUNICH = { countryIsoCode: 'DE', countryName: 'Germany', regionName: 'Bavaria', cityName: 'Munich' };
// The GeoIP2 schema has continents and ISO 3166-2 subdivision codes; the flat schema has neither.
const EUROPE = { continentCode: 'EU', continentName: 'Europe' };

describe('every schema normalises to the same record', () => {
  it.each([
    { db: 'GeoIP2-City-Test', ip: '5.9.10.11', network: '5.9.0.0/16', fields: { ...EUROPE, ...MUNICH, regionIsoCode: 'DE-BY', postalCode: '80331', latitude: 48.1374, longitude: 11.5755, accuracyRadiusKm: 20, timezone: 'Europe/Berlin' } },
    { db: 'GeoIP2-City-Test', ip: '2a01:4f8:c17:1::2', network: '2a01:4f8::/32', fields: { ...EUROPE, ...MUNICH, regionIsoCode: 'DE-BY', postalCode: '80331', latitude: 48.1374, longitude: 11.5755, accuracyRadiusKm: 20, timezone: 'Europe/Berlin' } },
    { db: 'GeoIP2-City-Test', ip: '77.88.55.60', network: '77.88.0.0/18', fields: { ...EUROPE, countryIsoCode: 'RU', countryName: 'Russia', latitude: 55.7386, longitude: 37.6068, accuracyRadiusKm: 1000, timezone: 'Europe/Moscow' } },
    { db: 'GeoIP2-City-Test', ip: '185.73.25.1', network: '185.73.24.0/22', fields: { countryIsoCode: 'GB', countryName: 'United Kingdom' } },
    { db: 'GeoIP2-Country-Test', ip: '1.0.9.9', network: '1.0.8.0/21', fields: { continentCode: 'AS', continentName: 'Asia', countryIsoCode: 'CN', countryName: 'China' } },
    { db: 'DBIP-City-Lite-Test', ip: '200.160.2.3', network: '200.160.0.0/20', fields: { continentCode: 'SA', continentName: 'South America', countryIsoCode: 'BR', countryName: 'Brazil', regionName: 'São Paulo', cityName: 'São Paulo', latitude: expect.any(Number), longitude: expect.any(Number) } },
    { db: 'ip-location-db-city-Test', ip: '5.9.10.11', network: '5.9.0.0/16', fields: { ...MUNICH, postalCode: '80331', latitude: expect.closeTo(48.1374, 3), longitude: expect.closeTo(11.5755, 3), timezone: 'Europe/Berlin' } },
    { db: 'ip-location-db-city-Test', ip: '240e:3b0::1', network: '240e::/20', fields: { countryIsoCode: 'CN', countryName: 'China', regionName: 'Beijing', cityName: 'Beijing', latitude: expect.any(Number), longitude: expect.any(Number) } },
    { db: 'ip-location-db-country-Test', ip: '95.173.130.7', network: '95.173.128.0/19', fields: { countryIsoCode: 'RU', countryName: 'Russia' } },
    { db: 'IPv4-Only-Test', ip: '38.100.21.7', network: '38.0.0.0/8', fields: { continentCode: 'NA', continentName: 'North America', countryIsoCode: 'US', countryName: 'United States' } },
  ])('$db: $ip', ({ db, ip, network, fields }) => {
    const result = lookup(ip, db);
    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({ addressClass: 'public', found: true, network });
    expect(result.fields).toEqual(fields);
    expect(result.databases).toEqual([{ role: 'geo', path: fixture(db), type: expect.any(String), buildDate: '2026-01-01T00:00:00.000Z', ipVersion: db === 'IPv4-Only-Test' ? 4 : 6 }]);
  });

  it.each([
    ['GeoLite2-ASN-Test', '5.9.10.11', 24940, 'Hetzner Online GmbH'],
    ['ip-location-db-asn-Test', '2a00:1fa0:4:5::6', 12389, 'PJSC Rostelecom'],
    ['GeoLite2-ASN-Test', '1.1.1.1', 13335, 'CLOUDFLARENET'],
  ])('ASN from %s for %s', (db, ip, asNumber, asOrganization) => {
    expect(lookup(ip, undefined, db).fields).toEqual({ asNumber, asOrganization });
  });

  it('geo and ASN databases together', () => {
    const result = lookup('95.173.130.7', 'GeoIP2-City-Test', 'GeoLite2-ASN-Test');
    expect(result.fields).toMatchObject({ countryIsoCode: 'RU', cityName: 'Moscow', asNumber: 12389, asOrganization: 'PJSC Rostelecom' });
    expect(result.databases.map((d) => d.role)).toEqual(['geo', 'asn']);
  });

  it.each([
    ['41.0.0.1', 'GeoIP2-City-Test'],
    ['2c0f:f000::1', 'ip-location-db-city-Test'],
    // An IPv4-only database has no answer for IPv6: not found, never the decoy KR its first 32 bits would hit.
    ['2a01:4f8:c17:1::2', 'IPv4-Only-Test'],
  ])('%s is not found in %s', (ip, db) => {
    const result = lookup(ip, db);
    expect(result).toMatchObject({ found: false, fields: {}, addressClass: 'public' });
    expect(result.error).toBeUndefined();
  });

  it('::ffff:-mapped addresses are looked up as IPv4, also in files without the alias', () => {
    expect(lookup('::ffff:5.9.10.11', 'ip-location-db-country-Test').fields.countryIsoCode).toBe('DE');
  });

  it('special ranges are classified without opening a database', () => {
    const result = lookupAddress(parseIpAddress('10.1.2.3'), { geo: '/nonexistent.mmdb' }, openDatabase);
    expect(result).toEqual({ addressClass: 'private', network: '10.0.0.0/8', fields: {}, found: false, databases: [] });
  });
});

describe('the real DB-IP country database', () => {
  const reader = new Reader<any>(readFileSync(EMBEDDED_DB));
  const SAMPLE = ['81.2.69.142', '5.9.10.11', '77.88.55.60', '1.0.9.9', '200.160.2.3', '8.8.8.8', '2a01:4f8:c17:1::2', '2a02:6b8::1', '240e:3b0::1', '2c0f:f000::1'];

  it.each(SAMPLE)('%s agrees with maxmind', (ip) => {
    const [record, prefixLength] = reader.getWithPrefixLength(ip);
    const result = lookupAddress(parseIpAddress(ip), { geo: EMBEDDED_DB }, openDatabase);
    expect(result.fields.countryIsoCode).toBe(record?.country_code);
    if (record) expect(result.network?.endsWith(`/${prefixLength}`)).toBe(true);
  });

  const mmdblookup = ['/usr/bin/mmdblookup', '/usr/local/bin/mmdblookup'].find(existsSync);
  it.skipIf(!mmdblookup)('`geo-response lookup --json` agrees with mmdblookup on the same file', () => {
    const home = makeBundleHome();
    const out = execFileSync(TEST_NODE, [home.exe, 'lookup', '--json', ...SAMPLE], { env: home.env, encoding: 'utf8', cwd: REPO_ROOT });
    const ours = out.trim().split('\n').map((line) => JSON.parse(line));
    expect(ours).toHaveLength(SAMPLE.length);
    for (const [index, ip] of SAMPLE.entries()) {
      let theirs: string | undefined;
      try {
        const text = execFileSync(mmdblookup!, ['--file', EMBEDDED_DB, '--ip', ip, 'country_code'], { encoding: 'utf8' });
        theirs = /"([A-Z]{2})"/.exec(text)?.[1];
      } catch {
        theirs = undefined; // mmdblookup exits non-zero when the address is not in the database
      }
      // The geo log's shape: source.ip, source.geo.country_iso_code.
      expect(ours[index].source.ip).toBe(ip);
      expect(ours[index].source.geo?.country_iso_code).toBe(theirs);
    }
  });
});
