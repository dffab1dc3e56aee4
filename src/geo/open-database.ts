import type { DatabaseReader } from './database-reader.js';
import { openMmdb } from './mmdb/index.js';

/**
 * Open a MaxMind DB file for lookups: lazily, with positioned reads (see ./mmdb/lazy-reader.ts),
 * so one lookup costs the same whatever the file's size. `maxmind` reads the whole file and
 * stays the oracle in tests.
 */
export function openDatabase(path: string): DatabaseReader {
  return openMmdb(path);
}
