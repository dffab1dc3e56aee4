/*
 * The trust rule for whatever can run code or decide a block (the configuration, the databases,
 * the parts file, the code caches, the last validated configuration): the file and every
 * directory above it, after symbolic links are resolved, are owned by root and writable by no
 * one else — the rule OpenSSH's StrictModes and sudo apply. geo-response runs as root among
 * directories the ossec/wazuh group can write (docs/security.md); a file the group could change,
 * or swap through a directory it can write, would hand that group root.
 *
 * Owned by root means owned by the process's own user: execd runs us as root, and a developer's
 * run as themselves then checks the same shape. A root-owned sticky directory (/tmp) is accepted
 * in the chain: nobody but an entry's owner can rename or remove that entry there.
 *
 * Built-ins through process.getBuiltinModule, as cache-files.ts (the loader runs this module too).
 */
const { closeSync, constants, fstatSync, lstatSync, openSync, realpathSync } = (process.getBuiltinModule?.('node:fs') ?? require('node:fs')) as typeof import('node:fs');

/** Why a path is not trusted, and the command that would make it so. */
export interface TrustViolation {
  /** The file or directory that breaks the rule. */
  path: string;
  /** What is wrong with it, in words. */
  problem: string;
  /** A shell command (or an instruction) that fixes it. */
  fix: string;
}

export type TrustedOpen = { kind: 'open'; fd: number; size: number } | { kind: 'missing' } | { kind: 'untrusted'; violation: TrustViolation };

/** The parts of a stat result the rule looks at. */
export interface OwnerAndMode {
  uid: number;
  mode: number;
}

/** The problem judgeFile names for a FIFO, a device or a directory where a file should be. */
export const NOT_A_REGULAR_FILE = 'not a regular file';

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_ISVTX = 0o1000;
const WRITABLE_BY_OTHERS = 0o022;
// No link followed at the last step (the path is already resolved), and a FIFO or a device never
// blocks the open: refused by its type afterwards, unread. libuv adds O_CLOEXEC itself.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** What is wrong with a directory of a trusted chain, or undefined when it passes. Pure. */
export function judgeDirectory(stat: OwnerAndMode, euid: number): string | undefined {
  if ((stat.mode & S_IFMT) !== S_IFDIR) return 'not a directory';
  if (stat.uid !== 0 && stat.uid !== euid) return `owned by uid ${stat.uid}, not root`;
  if ((stat.mode & WRITABLE_BY_OTHERS) !== 0 && !((stat.mode & S_ISVTX) !== 0 && stat.uid === 0)) return `writable by ${writers(stat.mode)} (mode ${octal(stat.mode)})`;
  return undefined;
}

/** What is wrong with a trusted file, or undefined when it passes. Pure. */
export function judgeFile(stat: OwnerAndMode, euid: number): string | undefined {
  if ((stat.mode & S_IFMT) !== S_IFREG) return NOT_A_REGULAR_FILE;
  if (stat.uid !== 0 && stat.uid !== euid) return `owned by uid ${stat.uid}, not root`;
  if ((stat.mode & WRITABLE_BY_OTHERS) !== 0) return `writable by ${writers(stat.mode)} (mode ${octal(stat.mode)})`;
  return undefined;
}

/** The command that fixes a problem judgeDirectory or judgeFile found. Pure. */
export function fixFor(path: string, problem: string): string {
  const quoted = `'${path.replaceAll("'", "'\\''")}'`;
  if (problem.startsWith('owned by')) return `chown root ${quoted} (and review its contents)`;
  if (problem.startsWith('writable by')) return `chmod go-w ${quoted} (and review its contents)`;
  return `replace ${quoted} with a regular file owned by root`;
}

const directoryVerdicts = new Map<string, TrustViolation | null>();

/** Whether a directory and every one above it pass the rule (remembered for the process: the chain cannot change under a trusted parent). */
export function findUntrustedDirectory(dir: string): TrustViolation | undefined {
  let real: string;
  try {
    real = realpathSync.native(dir);
  } catch (error) {
    return { path: dir, problem: `not resolvable (${(error as NodeJS.ErrnoException).code ?? 'error'})`, fix: `create ${dir} owned by root, mode 0750` };
  }
  return checkChain(real);
}

// Walks down from /, so a directory is judged only once its parent is: a parent that only root
// can write cannot have its entries swapped between the walk and the use.
function checkChain(real: string): TrustViolation | undefined {
  const known = directoryVerdicts.get(real);
  if (known !== undefined) return known ?? undefined;
  const slash = real.lastIndexOf('/');
  const parent = slash <= 0 ? (real === '/' ? undefined : '/') : real.slice(0, slash);
  let verdict = parent === undefined ? undefined : checkChain(parent);
  if (verdict === undefined) {
    const problem = judgeDirectory(lstatSync(real), euid());
    if (problem !== undefined) verdict = { path: real, problem, fix: fixFor(real, problem) };
  }
  directoryVerdicts.set(real, verdict ?? null);
  return verdict;
}

/** Open a file for reading only if it and its directories pass the rule; a missing file is `missing`. The caller closes the descriptor. */
export function openTrusted(path: string): TrustedOpen {
  let real: string;
  try {
    real = realpathSync.native(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    throw error;
  }
  const slash = real.lastIndexOf('/');
  const directoryProblem = checkChain(slash === 0 ? '/' : real.slice(0, slash));
  if (directoryProblem !== undefined) return { kind: 'untrusted', violation: directoryProblem };
  // Judged before the open too: opening a device can have effects of its own.
  const before = judgeFile(lstatSync(real), euid());
  if (before !== undefined) return untrusted(real, before);
  let fd: number;
  try {
    fd = openSync(real, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'ELOOP') return untrusted(real, 'a symbolic link');
    throw error;
  }
  const stat = fstatSync(fd);
  const problem = judgeFile(stat, euid());
  if (problem !== undefined) {
    closeSync(fd);
    return untrusted(real, problem);
  }
  return { kind: 'open', fd, size: stat.size };
}

/** One line for a record, a log or `check`: the path, what is wrong, the fix. */
export function describeViolation(violation: TrustViolation): string {
  return `${violation.path} is ${violation.problem}; not trusted (files that run code or decide a block must be root's, all the way up); fix: ${violation.fix}`;
}

function untrusted(path: string, problem: string): TrustedOpen {
  return { kind: 'untrusted', violation: { path, problem, fix: fixFor(path, problem) } };
}

function euid(): number {
  return process.geteuid?.() ?? 0;
}

function writers(mode: number): string {
  const group = (mode & 0o020) !== 0;
  const others = (mode & 0o002) !== 0;
  return group && others ? 'group and others' : group ? 'its group' : 'others';
}

function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8)}`;
}
