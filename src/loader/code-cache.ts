import { canWriteBeside, readTrustedCache, writeCacheFile } from './cache-files.js';

// Through process.getBuiltinModule, written out for the loader (cache-files.ts says why).
const { Script } = (process.getBuiltinModule?.('node:vm') ?? require('node:vm')) as typeof import('node:vm');

/*
 * V8 code caches for the executable's program and its lazily loaded parts.
 *
 * Why: execd starts one process per alert, and a cold start compiles every function it calls.
 * Measured on the 2-core build machine (Node 20, execd's minimal environment, medians of 31
 * interleaved runs): `node -e 0` 19.6 ms; an OSSEC `add` compiled from source 26.0 ms, with the
 * code cache 23.9 ms. Node ≥ 22's module.enableCompileCache() does this for files; Debian 12 and
 * Ubuntu 24.04 ship Node 18. A startup snapshot (--snapshot-blob) was slower here: 26 ms before
 * running any code of ours.
 *
 * Only alerts read or write code caches (other commands are run by hand). A cache is written at
 * the exit of the first alert that lacked it, so it holds every function that alert compiled;
 * V8 rejects a cache made under other flags, and it is then written anew.
 */

// The same wrapper Node puts around a CommonJS module.
const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname, __geoResponseExecutable) {';
const WRAPPER_TAIL = '\n})';

export type ModuleFunction = (exports: unknown, require: (id: string) => unknown, module: { exports: unknown }, filename: string, dirname: string, executable: unknown) => void;

/** Compile CommonJS source as a module function, through the code cache at `cachePath` when given. */
export function compileWithCodeCache(source: string, filename: string, cachePath: string | undefined): ModuleFunction {
  const cachedData = cachePath === undefined ? undefined : readTrustedCache(cachePath, 'bytes');
  const script = new Script(WRAPPER_HEAD + source + WRAPPER_TAIL, { filename, ...(cachedData ? { cachedData } : {}) });
  const stale = cachedData === undefined || script.cachedDataRejected === true;
  if (cachePath !== undefined && stale) keepCodeCache(script, cachePath);
  return script.runInThisContext() as ModuleFunction;
}

// Only when the cache was missing or rejected: the first alert after an install or an upgrade.
function keepCodeCache(script: import('node:vm').Script, cachePath: string): void {
  // A directory execd cannot write (a read-only install) must not cost every alert a cache it cannot keep.
  if (canWriteBeside(cachePath)) process.once('exit', () => writeCacheFile(cachePath, script.createCachedData()));
}
