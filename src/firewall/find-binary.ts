import { accessSync, constants } from 'node:fs';
import { isAbsolute, join } from 'node:path';

// execd's PATH may be minimal or missing entirely, so the backends never rely on it.
export const DEFAULT_BIN_DIRS: readonly string[] = ['/usr/sbin', '/sbin', '/usr/bin', '/bin'];

/** The absolute path of an executable program (a bare name searched in `binDirs`, or an absolute path checked as is), or undefined. */
export function findBinary(program: string, binDirs: readonly string[] = DEFAULT_BIN_DIRS): string | undefined {
  const candidates = isAbsolute(program) ? [program] : binDirs.map((dir) => join(dir, program));
  return candidates.find(isExecutable);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    // Not there or not executable: both mean "not this candidate".
    return false;
  }
}
