import type { Executable } from './executable.js';

// The loader passes the opened executable into the program's module wrapper under this name
// (code-cache.ts); code run from the sources (tests) has none.
declare const __geoResponseExecutable: Executable | undefined;

/** The executable this code was loaded from, or undefined when it runs from the sources. */
export function currentExecutable(): Executable | undefined {
  return typeof __geoResponseExecutable === 'undefined' ? undefined : __geoResponseExecutable;
}
