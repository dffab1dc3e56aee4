import type { ValidatedConfigCache } from '../respond/load-config.js';
import { parseEmbeddedSections } from './embedded-sections.js';
import { readCacheText, readNewestCacheText, writeCacheFile } from './cache-files.js';
import { compileWithCodeCache, type ModuleFunction } from './code-cache.js';
import { partsFileName, readPart } from './parts-file.js';

/** The running executable as the loader found it: its sections, its parts file and its caches. */
export interface Executable {
  path: string;
  /** The source of a part: the program from the executable, the others from the parts file. */
  readSection(name: string): string;
  /** Compile a part, through a code cache when this process is an alert. */
  compile(source: string, part: string): ModuleFunction;
  /**
   * A text cache of this build (`config.json`, the validated configuration), or undefined when
   * caching is off. Through the loader's own functions: the program uses these rather than carry
   * a second, cold copy of cache-files.ts.
   */
  textCache(part: string): ValidatedConfigCache | undefined;
}

/** The executable at `path`, from the text of its sections function (embedded-sections.ts) and its parts file (parts-file.ts). */
export function openExecutable(path: string, sectionsText: string, options: { useCodeCache: boolean; env: NodeJS.ProcessEnv }): Executable {
  const sections = parseEmbeddedSections(sectionsText, path);
  const caching = options.env.GEO_RESPONSE_CACHE !== '0';
  // `path` is absolute (Node's __filename): split by hand, as node:path's join/dirname/basename
  // would be three more functions for every alert to compile. The build and the Node version name
  // every cache, so a cache never meets another build.
  const slash = path.lastIndexOf('/');
  const cachePath = (part: string) => `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.${sections.build}.node${process.version}.${part}`;
  const partsPath = path.slice(0, slash + 1) + partsFileName(sections.build);
  return {
    path,
    readSection: (name) => (sections.has(name) ? sections.read(name) : readPart(partsPath, sections.build, name)),
    compile: (source, part) => compileWithCodeCache(source, `${path}#${part}`, caching && options.useCodeCache ? cachePath(`${part}.v8cache`) : undefined),
    textCache: (part) =>
      caching
        ? {
            read: () => readCacheText(cachePath(part)),
            write: (contents) => writeCacheFile(cachePath(part), contents),
            readNewestOfAnyBuild: () => readNewestCacheText(path, part),
          }
        : undefined,
  };
}
