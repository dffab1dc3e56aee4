import type { LoadedExecutable } from './loaded-executable.js';
import { openExecutable, type Executable } from './executable.js';

// The loader passes what it loaded into the program's module wrapper under this name
// (code-cache.ts); code run from the sources (tests) has none.
declare const __geoResponseExecutable: LoadedExecutable | undefined;

let opened: Executable | undefined;

/** The executable this code was loaded from, or undefined when it runs from the sources. */
export function currentExecutable(): Executable | undefined {
  if (typeof __geoResponseExecutable === 'undefined') return undefined;
  return (opened ??= openExecutable(__geoResponseExecutable, process.env));
}
