import { resolve } from 'node:path';

// Paths are built with resolve rather than join (the directories are absolute; a relative one from
// GEO_RESPONSE_DB_SEARCH_PATH is taken from the working directory, as opening it would): resolve is
// already compiled by Node's module loader, join would cost every alert its first use.

/** The directories geoipupdate and the distributions use, searched when no path is configured. */
export const SYSTEM_DATABASE_DIRS = ['/var/lib/GeoIP', '/usr/share/GeoIP', '/usr/local/share/GeoIP'];
/** The DB-IP Lite country database that ships with the bundle (beside it, and in <home>/etc once installed). */
export const EMBEDDED_DATABASE_FILE = 'dbip-country-lite.mmdb';

/** A database file name: a product name as a whole word (`GeoLite2-City`, `GeoLite2-City-Test`…), anything, `.mmdb`. */
export interface DatabaseFileName {
  product: string;
  /** DB-IP's names come in either case. */
  anyCase?: boolean;
}

// Most detailed first: a City file answers country too.
const GEO_FILE_NAMES: readonly DatabaseFileName[] = [
  { product: 'GeoIP2-City' },
  { product: 'GeoLite2-City' },
  { product: 'dbip-city', anyCase: true },
  { product: 'GeoIP2-Country' },
  { product: 'GeoLite2-Country' },
  { product: 'dbip-country', anyCase: true },
];
const ASN_FILE_NAMES: readonly DatabaseFileName[] = [{ product: 'GeoIP2-ISP' }, { product: 'GeoLite2-ASN' }, { product: 'dbip-asn', anyCase: true }];

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
  // Listed only when a role is left to discover: with both paths configured, no directory is read.
  let listings: Listing[] | undefined;
  const listAll = () => (listings ??= options.searchDirs.map((dir) => ({ dir, names: options.listDir(dir).filter((name) => !isFamilySplit(name)) })));
  const geo = options.configured.geo ?? findFirst(listAll(), GEO_FILE_NAMES) ?? findEmbedded(options);
  const asn = options.configured.asn ?? findFirst(listAll(), ASN_FILE_NAMES);
  return { ...(geo ? { geo } : {}), ...(asn ? { asn } : {}) };
}

interface Listing {
  dir: string;
  names: string[];
}

function findFirst(listings: Listing[], wanted: readonly DatabaseFileName[]): string | undefined {
  for (const fileName of wanted) {
    for (const { dir, names } of listings) {
      const match = names.filter((name) => isDatabaseFileName(name, fileName)).sort().at(-1);
      if (match !== undefined) return resolve(dir, match);
    }
  }
  return undefined;
}

// Name tests by hand rather than regular expressions: every alert tests the names it finds, and
// each expression's first use (compiling it, then tiering up) costs an alert ~20 µs.

/** Whether `name` is `product` as a whole word, then anything, then `.mmdb`. */
export function isDatabaseFileName(name: string, { product, anyCase = false }: DatabaseFileName): boolean {
  const spelled = anyCase ? name.toLowerCase() : name;
  if (!spelled.startsWith(anyCase ? product.toLowerCase() : product) || !spelled.endsWith('.mmdb')) return false;
  if (name.length < product.length + '.mmdb'.length) return false;
  return !isWordCharacter(name.charCodeAt(product.length));
}

// ip-location-db's *-ipv4.mmdb / *-ipv6.mmdb answer only half the addresses: used only when configured.
function isFamilySplit(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.endsWith('-ipv4.mmdb') || lower.endsWith('-ipv6.mmdb');
}

function isWordCharacter(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

function findEmbedded(options: DiscoverOptions): string | undefined {
  return options.listDir(options.bundleDir).includes(EMBEDDED_DATABASE_FILE) ? resolve(options.bundleDir, EMBEDDED_DATABASE_FILE) : undefined;
}

export interface InstallDatabaseOptions {
  home: string;
  bundleDir: string;
  env: NodeJS.ProcessEnv;
  /** The directory holding the configuration (config-location.ts): searched after the system directories. */
  configDir: string;
  /** Paths from the configuration (relative ones are taken from home). */
  configured: DatabasePaths;
  listDir: (dir: string) => string[];
}

/**
 * The databases an installation uses: configured paths, then the system directories
 * (GEO_RESPONSE_DB_SEARCH_PATH replaces them, colon-separated), then the configuration's directory
 * (never an etc/ the group can write: a planted database there would decide blocks), then the
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
    searchDirs: [...systemDirs, options.configDir],
    bundleDir: options.bundleDir,
    listDir: options.listDir,
  });
}
