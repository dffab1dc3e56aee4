import { nodeBuiltin } from './node-builtin.js';

const { accessSync, closeSync, constants, fstatSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeSync } = nodeBuiltin<typeof import('node:fs')>('node:fs');
const { basename, dirname, join } = nodeBuiltin<typeof import('node:path')>('node:path');

/*
 * Caches beside the executable (V8 code caches, the last validated configuration). Their names
 * carry the build and the Node version (src/loader/executable.ts), so a new build or a Node
 * upgrade never meets an old cache. Each is written atomically (temp file + rename), so
 * concurrent alerts never see a torn one. A cache is code or configuration that runs as root:
 * one that is not ours (another owner, writable by others) is ignored. GEO_RESPONSE_CACHE=0
 * turns them off.
 */

/** A binary cache's contents (a V8 code cache), or undefined when there is none (or it is not one we wrote). */
export function readCacheBytes(path: string): Uint8Array | undefined {
  return withTrustedCache(path, (fd, size) => {
    // A plain Uint8Array: V8 takes any typed array, and Buffer.alloc would be one more Node
    // function for every alert to compile.
    const data = new Uint8Array(size);
    return readSync(fd, data, 0, size, 0) === size ? data : undefined;
  });
}

/** A text cache's contents (the validated configuration), or undefined as for readCacheBytes. */
export function readCacheText(path: string): string | undefined {
  // readFileSync(fd, 'utf8') is the path Node's own module loader has already compiled.
  return withTrustedCache(path, (fd) => readFileSync(fd, 'utf8'));
}

// Open a cache and hand it over only when it is ours: owned by this user, writable by no one else.
function withTrustedCache<T>(path: string, read: (fd: number, size: number) => T | undefined): T | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    // No cache yet (the first alert after install or upgrade).
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    if (stat.uid !== process.geteuid?.() || (stat.mode & 0o022) !== 0) return undefined;
    return read(fd, stat.size);
  } finally {
    closeSync(fd);
  }
}

/** The newest text cache of one kind (`config.json`) of any build of this executable, if one is ours. */
export function readNewestCacheText(executable: string, part: string): string | undefined {
  const prefix = `.${basename(executable)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(executable)).filter((name) => name.startsWith(prefix) && name.endsWith(`.${part}`));
  } catch {
    return undefined;
  }
  const newest = names
    .map((name) => join(dirname(executable), name))
    .map((path) => ({ path, mtimeMs: statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs)[0];
  return newest === undefined ? undefined : readCacheText(newest.path);
}

/** Whether caches can be written in the directory of this one. */
export function canWriteBeside(path: string): boolean {
  try {
    accessSync(dirname(path), constants.W_OK);
    return true;
  } catch {
    return false;
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
    // Read-only or foreign-owned directory, or a full disk: the alert was handled; it stays uncached.
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
