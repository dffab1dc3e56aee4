import { readFileSync } from 'node:fs';
import { Reader } from 'maxmind';
import { GeoResponseError } from '../errors.js';
import type { DatabaseReader } from './database-reader.js';

/** Open a MaxMind DB file for lookups. */
export function openDatabase(path: string): DatabaseReader {
  let buffer: Buffer;
  try {
    buffer = readFileSync(path);
  } catch (error) {
    throw new GeoResponseError(`database ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      code: 'DATABASE_NOT_FOUND',
      kind: 'lookup',
      cause: error,
    });
  }
  const reader = new Reader<Record<string, unknown>>(buffer);
  return {
    path,
    metadata: { databaseType: reader.metadata.databaseType, buildEpoch: Math.floor(reader.metadata.buildEpoch.getTime() / 1000), ipVersion: reader.metadata.ipVersion as 4 | 6 },
    lookup(ip) {
      const [record, prefixLength] = reader.getWithPrefixLength(ip);
      return { record, prefixLength };
    },
    close() {},
  };
}
