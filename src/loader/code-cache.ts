import { Script } from 'node:vm';
import { cachePathFor, readCacheFile, writeCacheFile } from './cache-files.js';

/*
 * V8 code caches for the executable's program and its lazily loaded parts.
 *
 * Why: execd starts one process per alert, and a cold start compiles every function it calls.
 * Measured on the 2-core build machine, Node 20, execd's minimal environment: `node -e 0` 21.0 ms,
 * an `add` compiled from source 26.4 ms (1.26×), the same with a V8 code cache 23.6 ms (1.12×).
 * Node ≥ 22 has module.enableCompileCache() for this; Debian 12 and Ubuntu 24.04 ship Node 18.
 * A startup snapshot (--snapshot-blob) was slower here: 26 ms before running any of our code.
 *
 * Only alerts read or write code caches (other commands are run by hand). A cache is written at
 * the exit of the first alert that lacked it, so it holds every function that alert compiled;
 * V8 itself rejects a cache made under other flags, and then it is written anew.
 */

const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname) {';
const WRAPPER_TAIL = '\n})';

export type ModuleFunction = (exports: unknown, require: NodeRequire, module: { exports: unknown }, filename: string, dirname: string) => void;

/** Whether this process is an alert (execd's add/delete, or Wazuh's JSON on stdin), the only path that uses code caches. */
export function isAlertInvocation(argv: string[]): boolean {
  const first = argv[2];
  return first === undefined || first === 'add' || first === 'delete';
}

/** Compile CommonJS source as a module function, through a code cache beside the executable on alerts. */
export function compileModule(source: string, executable: string, part: string): ModuleFunction {
  const cachePath = isAlertInvocation(process.argv) ? cachePathFor(executable, `${part}.v8cache`, process.env) : undefined;
  const cachedData = cachePath === undefined ? undefined : readCacheFile(cachePath);
  const script = new Script(WRAPPER_HEAD + source + WRAPPER_TAIL, { filename: `${executable}#${part}`, ...(cachedData ? { cachedData } : {}) });
  if (cachePath !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
    process.once('exit', () => writeCacheFile(cachePath, script.createCachedData()));
  }
  return script.runInThisContext() as ModuleFunction;
}
