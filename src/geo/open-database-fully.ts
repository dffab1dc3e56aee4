import { closeSync, readFileSync } from 'node:fs';
import { Reader } from 'maxmind';
import { createNotFoundError } from './mmdb/mmdb-errors.js';
import { openDatabaseFile } from './open-database-file.js';
import type { DatabaseReader } from './database-reader.js';

/**
 * Open a MaxMind DB file with the `maxmind` package, which reads it whole: the right trade for
 * `lookup` and `check`, which may look up many addresses in one process. The per-alert path uses
 * the lazy reader instead (./mmdb/).
 */
export function openDatabaseFully(path: string): DatabaseReader {
  const { fd } = openDatabaseFile(path);
  let buffer: Buffer;
  try {
    buffer = readFileSync(fd);
  } catch (error) {
    throw createNotFoundError(path, error);
  } finally {
    closeSync(fd);
  }
  const reader = new Reader<Record<string, unknown>>(buffer);
  const ipVersion = reader.metadata.ipVersion === 4 ? 4 : 6;
  return {
    path,
    metadata: { databaseType: reader.metadata.databaseType, buildEpoch: Math.floor(reader.metadata.buildEpoch.getTime() / 1000), ipVersion },
    lookup(ip) {
      const [record, prefixLength] = reader.getWithPrefixLength(ip);
      return { record, prefixLength };
    },
    close() {
      // Nothing to release: the whole file is a Buffer that the garbage collector takes back.
    },
  };
}
