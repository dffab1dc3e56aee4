import { createInvalidError, createNotFoundError } from './mmdb/mmdb-errors.js';
import { NOT_A_REGULAR_FILE, openTrusted } from '../trust/trusted-path.js';
import { untrustedPathError } from '../trust/untrusted-path-error.js';

/**
 * Open a database for reading, only if root's all the way up (trust/trusted-path.ts): a database
 * decides blocks (an allow-mode policy blocks every country it does not list). A FIFO or a device
 * named like a database is refused by its type, unopened, so it never blocks a lookup.
 */
export function openDatabaseFile(path: string): { fd: number; size: number } {
  let opened;
  try {
    opened = openTrusted(path);
  } catch (error) {
    throw createNotFoundError(path, error);
  }
  if (opened.kind === 'missing') throw createNotFoundError(path, { code: 'ENOENT' });
  if (opened.kind === 'untrusted') {
    // A directory or a FIFO where the file should be is a wrong path, not a trust question.
    if (opened.violation.problem === NOT_A_REGULAR_FILE) throw createInvalidError(path, 'it is not a regular file');
    throw untrustedPathError(opened.violation, `database ${path}`);
  }
  return opened;
}
