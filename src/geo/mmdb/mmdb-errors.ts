import { GeoResponseError } from '../../errors.js';

/** The database file cannot be opened: it is not there (or not readable). */
export function createNotFoundError(path: string, cause: unknown): GeoResponseError {
  const reason = (cause as NodeJS.ErrnoException | undefined)?.code ?? 'unreadable';
  return new GeoResponseError(
    `cannot open MaxMind database ${path} (${reason}): check the configured path or run geoipupdate`,
    { code: 'DATABASE_NOT_FOUND', kind: 'lookup', cause },
  );
}

/** The file is not a MaxMind DB we can read (no metadata marker, bad metadata, unsupported format). */
export function createInvalidError(path: string, detail: string, cause?: unknown): GeoResponseError {
  return new GeoResponseError(
    `${path} is not a usable MaxMind DB file: ${detail}; replace it with a .mmdb database`,
    { code: 'DATABASE_INVALID', kind: 'lookup', cause },
  );
}

/** The file is a MaxMind DB but something it refers to is missing or malformed. */
export function createTruncatedError(path: string, detail: string, cause?: unknown): GeoResponseError {
  return new GeoResponseError(
    `MaxMind database ${path} looks truncated or corrupt (${detail}); download it again`,
    { code: 'DATABASE_TRUNCATED', kind: 'lookup', cause },
  );
}
