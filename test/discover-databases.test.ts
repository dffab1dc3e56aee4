import { describe, expect, it } from 'vitest';
import { discoverDatabases, isDatabaseFileName, type DatabaseFileName } from '../src/geo/discover-databases';

const listing = (files: Record<string, string[]>) => (dir: string) => files[dir] ?? [];

describe('discoverDatabases', () => {
  it.each([
    { title: 'configured paths win', configured: { geo: '/x/geo.mmdb', asn: '/x/asn.mmdb' }, files: { '/var/lib/GeoIP': ['GeoLite2-City.mmdb'] }, expected: { geo: '/x/geo.mmdb', asn: '/x/asn.mmdb' } },
    { title: 'City before Country across directories', configured: {}, files: { '/var/lib/GeoIP': ['GeoLite2-Country.mmdb'], '/usr/share/GeoIP': ['GeoLite2-City.mmdb', 'GeoLite2-ASN.mmdb'] }, expected: { geo: '/usr/share/GeoIP/GeoLite2-City.mmdb', asn: '/usr/share/GeoIP/GeoLite2-ASN.mmdb' } },
    { title: 'newest dated DB-IP file', configured: {}, files: { '/var/lib/GeoIP': ['dbip-city-lite-2026-01.mmdb', 'dbip-city-lite-2026-10.mmdb', 'dbip-asn-lite-2026-10.mmdb'] }, expected: { geo: '/var/lib/GeoIP/dbip-city-lite-2026-10.mmdb', asn: '/var/lib/GeoIP/dbip-asn-lite-2026-10.mmdb' } },
    { title: 'family-split files are not picked', configured: {}, files: { '/var/lib/GeoIP': ['dbip-city-ipv4.mmdb'] }, expected: { geo: '/bundle/dbip-country-lite.mmdb' } },
    { title: 'the install etc/ before the embedded default', configured: {}, files: { '/home/etc': ['dbip-country-lite.mmdb'] }, expected: { geo: '/home/etc/dbip-country-lite.mmdb' } },
    { title: 'the embedded default last', configured: { asn: '/x/asn.mmdb' }, files: {}, expected: { geo: '/bundle/dbip-country-lite.mmdb', asn: '/x/asn.mmdb' } },
  ])('$title', ({ configured, files, expected }) => {
    const withBundle: Record<string, string[]> = { '/bundle': ['dbip-country-lite.mmdb'], ...(files as Record<string, string[]>) };
    expect(discoverDatabases({ configured, searchDirs: ['/var/lib/GeoIP', '/usr/share/GeoIP', '/home/etc'], bundleDir: '/bundle', listDir: listing(withBundle) })).toEqual(expected);
  });

  it('finds nothing when there is nothing', () => {
    expect(discoverDatabases({ configured: {}, searchDirs: ['/a'], bundleDir: '/b', listDir: () => [] })).toEqual({});
  });
});

describe('database file names', () => {
  // The names as regular expressions, the plain definition the hand-written test must agree with.
  const reference: Array<[DatabaseFileName, RegExp]> = [
    [{ product: 'GeoIP2-City' }, /^GeoIP2-City\b.*\.mmdb$/],
    [{ product: 'GeoLite2-City' }, /^GeoLite2-City\b.*\.mmdb$/],
    [{ product: 'dbip-city', anyCase: true }, /^dbip-city\b.*\.mmdb$/i],
    [{ product: 'GeoLite2-ASN' }, /^GeoLite2-ASN\b.*\.mmdb$/],
    [{ product: 'dbip-asn', anyCase: true }, /^dbip-asn\b.*\.mmdb$/i],
    [{ product: 'GeoIP2-Country' }, /^GeoIP2-Country\b.*\.mmdb$/],
    [{ product: 'GeoLite2-Country' }, /^GeoLite2-Country\b.*\.mmdb$/],
    [{ product: 'dbip-country', anyCase: true }, /^dbip-country\b.*\.mmdb$/i],
    [{ product: 'GeoIP2-ISP' }, /^GeoIP2-ISP\b.*\.mmdb$/],
  ];
  const names = [
    'GeoIP2-City.mmdb', 'GeoIP2-City-Test.mmdb', 'GeoIP2-City_Test.mmdb', 'GeoIP2-City2.mmdb', 'GeoIP2-Citymmdb', 'GeoIP2-City.mmdb.bak', 'geoip2-city.mmdb', 'xGeoIP2-City.mmdb',
    'GeoLite2-City.mmdb', 'GeoLite2-City.MMDB', 'GeoLite2-City..mmdb', 'GeoLite2-ASN.mmdb', 'GeoLite2-ASNs.mmdb', 'GeoLite2-ASN 2026.mmdb',
    'dbip-city-lite-2026-10.mmdb', 'DBIP-City-Lite.MMDB', 'dbip-city.mmdb', 'dbip-cityx.mmdb', 'dbip-city', 'dbip-asn-lite-2026-10.mmdb', 'dbip-ASN.mmdb', 'dbip-asn.mmdbx', '.mmdb', '',
    'GeoIP2-Country.mmdb', 'GeoIP2-Country-Test.mmdb', 'GeoLite2-Country.mmdb', 'GeoLite2-Countryx.mmdb', 'dbip-country-lite.mmdb', 'DBIP-COUNTRY.mmdb', 'GeoIP2-ISP.mmdb', 'GeoIP2-ISP-Test.mmdb', 'GeoIP2-ISPs.mmdb',
  ];
  it.each(reference)('%o matches exactly what its regular expression matches', (fileName, pattern) => {
    for (const name of names) expect([name, isDatabaseFileName(name, fileName)]).toEqual([name, pattern.test(name)]);
  });
});

describe('discoverDatabases reads directories only when it must', () => {
  it('lists nothing when both databases are configured, and each directory once otherwise', () => {
    const listed: string[] = [];
    const listDir = (dir: string) => (listed.push(dir), []);
    discoverDatabases({ configured: { geo: '/x/geo.mmdb', asn: '/x/asn.mmdb' }, searchDirs: ['/a', '/b'], bundleDir: '/bundle', listDir });
    expect(listed).toEqual([]);
    discoverDatabases({ configured: {}, searchDirs: ['/a', '/b'], bundleDir: '/bundle', listDir });
    expect(listed).toEqual(['/a', '/b', '/bundle']);
  });
});
