import type { ModuleFunction } from './code-cache.js';

/**
 * What the loader hands the program (as `__geoResponseExecutable` in its module wrapper): the
 * executable it was loaded from, its build, and the loader's compiler, which goes through a V8
 * code cache when the process is an alert. The program builds the rest (its parts, its text
 * caches) from this in its own, code-cached, modules (executable.ts).
 */
export interface LoadedExecutable {
  /** The executable's path, as Node's __filename. */
  path: string;
  build: string;
  /** The start of the name of every cache of this build beside the executable; a cache's kind ends it. */
  cachePrefix: string;
  /** Compile CommonJS source as a module function; `part` names its code cache. */
  compile(source: string, part: string): ModuleFunction;
}
