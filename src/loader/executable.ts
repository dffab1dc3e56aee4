import { openSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readSectionIndex, readSectionText } from './embedded-sections.js';
import { compileWithCodeCache, type ModuleFunction } from './code-cache.js';

/** The running executable as the loader opened it: its sections, its build, its caches. */
export interface Executable {
  path: string;
  /** Hash of the assembled file (after the index line): names every cache. */
  build: string;
  readSection(name: string): string;
  /** Compile a part, through a code cache when this process is an alert. */
  compile(source: string, part: string): ModuleFunction;
  /** Where one cache of this build lives, or undefined when caching is off. */
  cachePath(part: string): string | undefined;
}

/**
 * Open the executable once, at start-up. The descriptor stays open for the life of the process:
 * an upgrade that renames a new file over this one (install.sh does) leaves a running alert
 * reading its own build's parts, never a mix of two.
 */
export function openExecutable(path: string, options: { useCodeCache: boolean; env: NodeJS.ProcessEnv }): Executable {
  const fd = openSync(path, 'r');
  const { index, base } = readSectionIndex(fd, path);
  const cachePath = (part: string) =>
    options.env.GEO_RESPONSE_CACHE === '0' ? undefined : join(dirname(path), `.${basename(path)}.${index.build}.node${process.version}.${part}`);
  return {
    path,
    build: index.build,
    readSection: (name) => readSectionText(fd, path, base, index, name),
    compile: (source, part) => compileWithCodeCache(source, `${path}#${part}`, options.useCodeCache ? cachePath(`${part}.v8cache`) : undefined),
    cachePath,
  };
}
