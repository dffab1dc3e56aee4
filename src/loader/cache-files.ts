import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

declare const __GEO_RESPONSE_PROGRAM_HASH__: string | undefined;

/*
 * Caches beside the executable (V8 code caches, the last validated configuration). Their names
 * carry a hash of the build and the Node version, so a new build or a Node upgrade never meets an
 * old cache. Each is written atomically (temp file + rename), so concurrent alerts never see a
 * torn one; a directory we cannot write only means no cache. GEO_RESPONSE_CACHE=0 turns them off.
 */

/** The path of one cache of the executable, or undefined when caching is off (or the code is not a build). */
export function cachePathFor(executable: string, part: string, env: NodeJS.ProcessEnv): string | undefined {
  if (env.GEO_RESPONSE_CACHE === '0' || typeof __GEO_RESPONSE_PROGRAM_HASH__ !== 'string') return undefined;
  return join(dirname(executable), `.${basename(executable)}.${__GEO_RESPONSE_PROGRAM_HASH__}.node${process.version}.${part}`);
}

/** A cache's contents, or undefined when there is none yet. */
export function readCacheFile(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    // No cache yet (the first alert after install or upgrade).
    return undefined;
  }
}

/** Replace a cache in one rename; failures are silent because a cache is only ever an optimisation. */
export function writeCacheFile(path: string, data: Buffer | string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(temporary, 'wx', 0o640);
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch {
    // Read-only or foreign-owned directory: the alert was handled; it just stays uncached.
    removeQuietly(temporary);
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Never created: nothing to remove.
  }
}
