import { readFileSync } from 'node:fs';
import { Reader } from 'maxmind';
import { GeoResponseError } from '../errors.js';
import type { DatabaseReader } from './database-reader.js';

/**
 * Open a MaxMind DB file with the `maxmind` package, which reads it whole: the right trade for
 * `lookup` and `check`, which may look up many addresses in one process. The per-alert path uses
 * the lazy reader instead (./mmdb/).
 */
export function openDatabaseFully(path: string): DatabaseReader {
  let buffer: Buffer;
  try {
    buffer = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new GeoResponseError(`cannot open MaxMind database ${path} (${code}): check the configured path or run geoipupdate`, {
      code: 'DATABASE_NOT_FOUND',
      kind: 'lookup',
      cause: error,
    });
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
