import type { Config } from '../policy/config-schema.js';
import { defaultConfig } from '../policy/default-config.js';
import type { ConfigLocation } from '../trust/config-location.js';
import { untrustedPathError } from '../trust/untrusted-path-error.js';

/** The configuration file of one invocation, read at most once. */
export interface ConfigSource {
  path: string;
  /** The file's text; undefined when there is no file. */
  text(): string | undefined;
}

/**
 * Where the last validated configuration is kept: validating with zod costs ~3 ms of an alert's
 * ~25 ms (loading and building the schemas), yet the file changes rarely. So the result is
 * validated when the text changes, and reused while the text is byte-for-byte the same.
 */
export interface ValidatedConfigCache {
  /** This build's entry. */
  read(): string | undefined;
  write(contents: string): void;
  /** The newest entry of any build: what a delete falls back on right after an upgrade. */
  readNewestOfAnyBuild(): string | undefined;
}

interface CacheEntry {
  text: string;
  config: Config;
}

/**
 * The configuration of an installation as alerts, `check` and `lookup` read it: a configuration
 * left in an untrusted `<home>/etc` (config-location.ts) is an error, not "no file".
 */
export function createInstalledConfigSource(location: ConfigLocation, readText: (path: string) => string | undefined): ConfigSource {
  return createConfigSource(location.path, (path) => {
    const text = readText(path);
    if (text === undefined && location.stranded !== undefined) {
      const { violation, movable } = location.stranded;
      throw untrustedPathError(
        movable ? { ...violation, fix: `install.sh --apply moves ${location.stranded.path} to ${location.dir}/ (review it first: the group could have changed it)` } : violation,
        `configuration ${location.stranded.path} is not read`,
      );
    }
    return text;
  });
}

/** A ConfigSource that reads the file on first use only. */
export function createConfigSource(path: string, readText: (path: string) => string | undefined): ConfigSource {
  let cached: { text: string | undefined } | undefined;
  return {
    path,
    text() {
      cached ??= { text: readText(path) };
      return cached.text;
    },
  };
}

/** The configuration in force: defaults without a file, else the file validated (or its unchanged last validation). */
export async function loadConfig(source: ConfigSource, cache: ValidatedConfigCache | undefined): Promise<Config> {
  const text = source.text();
  if (text === undefined) return defaultConfig();
  const reused = readCacheEntry(cache, text);
  if (reused) return reused;
  // Loaded only when a file exists and changed: zod is the largest piece of start-up on this path.
  const { parseConfig } = await import('../policy/parse-config.js');
  const config = parseConfig(text, source.path);
  cache?.write(JSON.stringify({ text, config } satisfies CacheEntry));
  return config;
}

/** The last configuration that validated, whatever the file says now (for a delete that must still remove its block). */
export function readLastValidatedConfig(cache: ValidatedConfigCache | undefined): Config | undefined {
  const contents = cache?.read() ?? cache?.readNewestOfAnyBuild();
  if (contents === undefined) return undefined;
  try {
    const config = (JSON.parse(contents) as Partial<CacheEntry>).config;
    // Another build may have kept another shape: use it only if what a delete reads is there.
    const usable = typeof config?.firewall?.backend === 'string' && typeof config.firewall.expire_seconds === 'number' && typeof config.databases === 'object' && typeof config.policy === 'object';
    return usable ? config : undefined;
  } catch {
    // A torn or foreign cache file: nothing to fall back on.
    return undefined;
  }
}

function readCacheEntry(cache: ValidatedConfigCache | undefined, text: string): Config | undefined {
  const contents = cache?.read();
  if (contents === undefined) return undefined;
  try {
    const entry = JSON.parse(contents) as Partial<CacheEntry>;
    return entry.text === text && entry.config !== undefined ? entry.config : undefined;
  } catch {
    // A torn or foreign cache file is no cache: validate afresh (and the write replaces it).
    return undefined;
  }
}
