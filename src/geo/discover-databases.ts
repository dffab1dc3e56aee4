import { resolve } from 'node:path';

// Paths are built with resolve rather than join (the directories are absolute; a relative one from
// GEO_RESPONSE_DB_SEARCH_PATH is taken from the working directory, as opening it would): resolve is
// already compiled by Node's module loader, join would cost every alert its first use.

/** The directories geoipupdate and the distributions use, searched when no path is configured. */
export const SYSTEM_DATABASE_DIRS = ['/var/lib/GeoIP', '/usr/share/GeoIP', '/usr/local/share/GeoIP'];
/** The DB-IP Lite country database that ships with the bundle (beside it, and in <home>/etc once installed). */
export const EMBEDDED_DATABASE_FILE = 'dbip-country-lite.mmdb';

// Most detailed first: a City file answers country too. Files split by family
// (ip-location-db's *-ipv4.mmdb / *-ipv6.mmdb) answer only half the addresses, so they are
// used only when configured explicitly.
const GEO_FILE_PATTERNS = [/^GeoIP2-City\b.*\.mmdb$/, /^GeoLite2-City\b.*\.mmdb$/, /^dbip-city\b.*\.mmdb$/i, /^GeoIP2-Country\b.*\.mmdb$/, /^GeoLite2-Country\b.*\.mmdb$/, /^dbip-country\b.*\.mmdb$/i];
const ASN_FILE_PATTERNS = [/^GeoIP2-ISP\b.*\.mmdb$/, /^GeoLite2-ASN\b.*\.mmdb$/, /^dbip-asn\b.*\.mmdb$/i];
const FAMILY_SPLIT_FILE = /-ipv[46]\.mmdb$/i;

export interface DatabasePaths {
  geo?: string;
  asn?: string;
}

export interface DiscoverOptions {
  configured: DatabasePaths;
  /** Directories searched in order (the system ones, then <home>/etc). */
  searchDirs: string[];
  /** The directory of the executable, where the embedded database sits before install. */
  bundleDir: string;
  /** Names of the .mmdb files in a directory (empty when it does not exist). */
  listDir: (dir: string) => string[];
}

/** Choose the geo and ASN database files: configured paths first, then the usual places, then the embedded default. */
export function discoverDatabases(options: DiscoverOptions): DatabasePaths {
  const listings = options.searchDirs.map((dir) => ({ dir, names: options.listDir(dir).filter((name) => !FAMILY_SPLIT_FILE.test(name)) }));
  const geo = options.configured.geo ?? findFirst(listings, GEO_FILE_PATTERNS) ?? findEmbedded(options);
  const asn = options.configured.asn ?? findFirst(listings, ASN_FILE_PATTERNS);
  return { ...(geo ? { geo } : {}), ...(asn ? { asn } : {}) };
}

function findFirst(listings: Array<{ dir: string; names: string[] }>, patterns: RegExp[]): string | undefined {
  for (const pattern of patterns) {
    for (const { dir, names } of listings) {
      const match = names.filter((name) => pattern.test(name)).sort().at(-1);
      if (match !== undefined) return resolve(dir, match);
    }
  }
  return undefined;
}

function findEmbedded(options: DiscoverOptions): string | undefined {
  return options.listDir(options.bundleDir).includes(EMBEDDED_DATABASE_FILE) ? resolve(options.bundleDir, EMBEDDED_DATABASE_FILE) : undefined;
}

export interface InstallDatabaseOptions {
  home: string;
  bundleDir: string;
  env: NodeJS.ProcessEnv;
  /** Paths from the configuration (relative ones are taken from home). */
  configured: DatabasePaths;
  listDir: (dir: string) => string[];
}

/**
 * The databases an installation uses: configured paths, then the system directories
 * (GEO_RESPONSE_DB_SEARCH_PATH replaces them, colon-separated), then <home>/etc, then the
 * embedded default beside the executable.
 */
export function discoverInstallDatabases(options: InstallDatabaseOptions): DatabasePaths {
  const fromEnv = options.env.GEO_RESPONSE_DB_SEARCH_PATH;
  const systemDirs = fromEnv === undefined ? SYSTEM_DATABASE_DIRS : fromEnv.split(':').filter(Boolean);
  const { geo, asn } = options.configured;
  return discoverDatabases({
    configured: {
      ...(geo ? { geo: resolve(options.home, geo) } : {}),
      ...(asn ? { asn: resolve(options.home, asn) } : {}),
    },
    searchDirs: [...systemDirs, resolve(options.home, 'etc')],
    bundleDir: options.bundleDir,
    listDir: options.listDir,
  });
}
