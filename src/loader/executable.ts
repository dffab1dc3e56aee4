import { parseEmbeddedSections } from './embedded-sections.js';
import { readCacheText, readNewestCacheText, writeCacheFile } from './cache-files.js';
import { compileWithCodeCache, type ModuleFunction } from './code-cache.js';

/** The running executable as the loader found it: its sections, its build, its caches. */
export interface Executable {
  path: string;
  /** Hash of the loader and the sections: names every cache. */
  build: string;
  readSection(name: string): string;
  /** Compile a part, through a code cache when this process is an alert. */
  compile(source: string, part: string): ModuleFunction;
  /** Where one cache of this build lives, or undefined when caching is off. */
  cachePath(part: string): string | undefined;
  /**
   * The text caches (the validated configuration), through the loader's own functions: the
   * program uses these rather than carry a second, cold copy of cache-files.ts.
   */
  readTextCache(part: string): string | undefined;
  /** The newest text cache of `part` of any build of this executable (for right after an upgrade). */
  readNewestTextCache(part: string): string | undefined;
  writeTextCache(part: string, text: string): void;
}

/** The executable at `path`, from the text of its sections function (src/loader/embedded-sections.ts). */
export function openExecutable(path: string, sectionsText: string, options: { useCodeCache: boolean; env: NodeJS.ProcessEnv }): Executable {
  const sections = parseEmbeddedSections(sectionsText, path);
  // `path` is absolute (Node's __filename): split by hand, as node:path's join/dirname/basename
  // would be three more functions for every alert to compile.
  const slash = path.lastIndexOf('/');
  const cachePrefix = `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.${sections.build}.node${process.version}.`;
  const cachePath = (part: string) => (options.env.GEO_RESPONSE_CACHE === '0' ? undefined : cachePrefix + part);
  return {
    path,
    build: sections.build,
    readSection: (name) => sections.read(name),
    compile: (source, part) => compileWithCodeCache(source, `${path}#${part}`, options.useCodeCache ? cachePath(`${part}.v8cache`) : undefined),
    cachePath,
    readTextCache: (part) => ifCaching(cachePath(part), readCacheText),
    readNewestTextCache: (part) => ifCaching(cachePath(part), () => readNewestCacheText(path, part)),
    writeTextCache: (part, text) => ifCaching(cachePath(part), (at) => writeCacheFile(at, text)),
  };
}

function ifCaching<T>(path: string | undefined, use: (path: string) => T): T | undefined {
  return path === undefined ? undefined : use(path);
}
