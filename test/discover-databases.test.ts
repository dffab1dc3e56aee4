import { describe, expect, it } from 'vitest';
import { discoverDatabases } from '../src/geo/discover-databases';

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
