import type { ValidatedConfigCache } from '../respond/load-config.js';
import { readNewestCacheText, readTrustedCache, writeCacheFile } from './cache-files.js';
import type { LoadedExecutable } from './loaded-executable.js';
import { partsFileName, readPart } from './parts-file.js';

/**
 * The running executable as the program sees it: its parts and its caches. It is also what a part
 * is handed as `__geoResponseExecutable` (load-chunk.ts), so it carries the loader's fields too.
 */
export interface Executable extends LoadedExecutable {
  /** The source of a part, from the parts file of this build beside the executable. */
  readPart(name: string): string;
  /** A text cache of this build (`config.json`, the validated configuration), or undefined when caching is off. */
  textCache(part: string): ValidatedConfigCache | undefined;
}

/** The executable the loader loaded this program from (loaded-executable.ts), with its parts file (parts-file.ts) and caches. */
export function openExecutable(loaded: LoadedExecutable, env: NodeJS.ProcessEnv): Executable {
  const { path, build, cachePrefix } = loaded;
  const partsPath = path.slice(0, path.lastIndexOf('/') + 1) + partsFileName(build);
  return {
    ...loaded,
    readPart: (name) => readPart(partsPath, build, name),
    textCache: (part) =>
      env.GEO_RESPONSE_CACHE !== '0'
        ? {
            read: () => readTrustedCache(cachePrefix + part, 'text'),
            write: (contents) => writeCacheFile(cachePrefix + part, contents),
            readNewestOfAnyBuild: () => readNewestCacheText(path, part),
          }
        : undefined,
  };
}
