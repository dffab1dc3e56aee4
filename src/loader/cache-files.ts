// Built-ins through process.getBuiltinModule, as the program's require (run-program.ts says why),
// written out: the loader runs this on every alert, compiled from source, where every function
// costs its first compile.
const { accessSync, closeSync, constants, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeSync } = (process.getBuiltinModule?.('node:fs') ??
  require('node:fs')) as typeof import('node:fs');
const { basename, dirname, join } = (process.getBuiltinModule?.('node:path') ?? require('node:path')) as typeof import('node:path');

import { findUntrustedDirectory, openTrusted } from '../trust/trusted-path.js';

/*
 * Caches beside the executable (V8 code caches, the last validated configuration). Their names
 * carry the build and the Node version (the loader's cache prefix, run-program.ts), so a new build or a Node
 * upgrade never meets an old cache. Each is written atomically (temp file + rename), so
 * concurrent alerts never see a torn one. A cache is code or configuration that runs as root:
 * one that fails the trust rule (trust/trusted-path.ts: root's, all the way up) is ignored, and
 * none is written where the rule fails. GEO_RESPONSE_CACHE=0 turns them off.
 */

/**
 * A cache's contents, as bytes (a V8 code cache) or text (the validated configuration), or
 * undefined when there is none, or when it fails the trust rule. One function rather than a reader per kind: the loader runs it on every alert,
 * compiled from source, where every function costs its first compile (run-program.ts).
 */
export function readTrustedCache(path: string, as: 'bytes'): Uint8Array | undefined;
export function readTrustedCache(path: string, as: 'text'): string | undefined;
export function readTrustedCache(path: string, as: 'bytes' | 'text'): Uint8Array | string | undefined {
  let opened;
  try {
    opened = openTrusted(path);
  } catch {
    return undefined;
  }
  // Missing: the first alert after install or upgrade. Untrusted: as good as missing.
  if (opened.kind !== 'open') return undefined;
  const { fd, size } = opened;
  try {
    // readFileSync(fd, 'utf8') is the path Node's own module loader has already compiled.
    if (as === 'text') return readFileSync(fd, 'utf8');
    // A plain Uint8Array: V8 takes any typed array, and Buffer.alloc would be one more Node
    // function for every alert to compile.
    const data = new Uint8Array(size);
    return readSync(fd, data, 0, size, 0) === size ? data : undefined;
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
  return newest === undefined ? undefined : readTrustedCache(newest.path, 'text');
}

/** Whether caches can be written in the directory of this one: writable by us, and root's all the way up (else they would be ignored). */
export function canWriteBeside(path: string): boolean {
  if (findUntrustedDirectory(dirname(path)) !== undefined) return false;
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
