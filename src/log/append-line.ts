import { accessSync, closeSync, constants, fchmodSync, fchownSync, fstatSync, ftruncateSync, openSync, readSync, statSync, writeSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { GeoResponseError } from '../errors.js';

/*
 * The geo log and active-responses.log live in logs/, which the ossec/wazuh group can write: a
 * daemon of that group, or a member, can put a link, a FIFO or a hard link where the log should
 * be. So the file is opened without following a link and without blocking, and written only if
 * it is then a regular file with one name, owned by root or by the owner of its directory (as the
 * installer made it). libuv opens with O_CLOEXEC itself.
 */
const APPEND_FLAGS = constants.O_RDWR | constants.O_APPEND | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const CREATE_FLAGS = APPEND_FLAGS | constants.O_CREAT | constants.O_EXCL;
// What the installer gives logs/active-responses.log and the geo log: the daemons' user and group, 0660.
const CREATED_MODE = 0o660;

/**
 * Append one line with a single write(2) to a file opened with O_APPEND. The kernel positions
 * each such write at the end of the file atomically, so hundreds of concurrent invocations never
 * interleave or tear a line. The file is opened anew on every call, so logrotate's
 * move-and-create needs no signal. A record is whole or absent: a short write is cut back.
 */
export function appendLine(path: string, line: string): void {
  const data = line.endsWith('\n') ? line : `${line}\n`;
  let fd: number;
  try {
    fd = openLog(path);
  } catch (error) {
    throw error instanceof GeoResponseError ? error : logError(path, error);
  }
  try {
    writeWhole(fd, data, path);
  } finally {
    closeSync(fd);
  }
}

function openLog(path: string, mayCreate = true): number {
  const directory = statDirectory(path);
  const fd = openExisting(path, directory);
  if (fd !== undefined) return fd;
  if (!mayCreate) throw logError(path, Object.assign(new Error('ENOENT'), { code: 'ENOENT' }));
  return createLog(path, directory);
}

/**
 * Whether an alert could append to the log, by the same checks an alert makes, writing nothing:
 * 'exists' when the file passes them, 'missing' when the first alert would create it. Throws the
 * error the alert would meet.
 */
export function probeLog(path: string): 'exists' | 'missing' {
  try {
    const directory = statDirectory(path);
    const fd = openExisting(path, directory);
    if (fd !== undefined) {
      closeSync(fd);
      return 'exists';
    }
    // Root passes access(2) whatever the mode; a read-only file system still fails it.
    accessSync(dirname(path), constants.W_OK);
    return 'missing';
  } catch (error) {
    throw error instanceof GeoResponseError ? error : logError(path, error);
  }
}

// The open every append makes, and its checks; undefined when there is no file yet.
function openExisting(path: string, directory: Stats): number | undefined {
  let fd: number;
  try {
    fd = openSync(path, APPEND_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw unsafe(path, 'is a symbolic link');
    if (code === 'ENXIO') throw unsafe(path, 'is a FIFO or socket');
    if (code === 'ENOENT') return undefined;
    throw error;
  }
  refuseUnlessPlainLog(fd, path, directory);
  return fd;
}

// Created as the installer would: the directory's owner and group (the daemons'), mode 0660.
// O_EXCL with O_NOFOLLOW: a link planted meanwhile makes this fail, it is never followed.
function createLog(path: string, directory: Stats): number {
  let fd: number;
  try {
    fd = openSync(path, CREATE_FLAGS, CREATED_MODE);
  } catch (error) {
    // Another alert created it first: open that one, under the same checks (once: no loop to race).
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return openLog(path, false);
    throw error;
  }
  try {
    fchmodSync(fd, CREATED_MODE);
    fchownSync(fd, directory.uid, directory.gid);
  } catch {
    // Not root (a developer's run): the file stays the creator's, which the check accepts.
  }
  return fd;
}

function refuseUnlessPlainLog(fd: number, path: string, directory: Stats): void {
  const stat = fstatSync(fd);
  let problem: string | undefined;
  if (!stat.isFile()) problem = 'is not a regular file';
  else if (stat.nlink !== 1) problem = `has ${stat.nlink} hard links`;
  else if (stat.uid !== 0 && stat.uid !== process.geteuid?.() && stat.uid !== directory.uid) problem = `is owned by uid ${stat.uid}, neither root nor the owner of its directory`;
  if (problem === undefined) return;
  closeSync(fd);
  throw unsafe(path, problem);
}

function statDirectory(path: string): Stats {
  const dir = dirname(path);
  try {
    return statSync(dir);
  } catch (error) {
    // Not recreated: a logs/ made here would be root's, and the daemons could no longer write their own logs.
    throw new GeoResponseError(`cannot append to ${path}: its directory ${dir} is missing (${(error as NodeJS.ErrnoException).code ?? 'error'}); reinstall, or create it as the OSSEC/Wazuh installer does`, {
      code: 'LOG_NOT_WRITABLE',
      kind: 'log',
      cause: error,
    });
  }
}

// One write(2) is what the atomicity relies on. A full disk or a quota can still cut it: then the
// bytes that did land are cut off again, so the next record starts on a line of its own.
function writeWhole(fd: number, data: string, path: string): void {
  let written: number;
  try {
    written = writeSync(fd, data);
  } catch (error) {
    throw logError(path, error);
  }
  const expected = Buffer.byteLength(data);
  if (written === expected) return;
  const cut = cutBack(fd, Buffer.from(data).subarray(0, written));
  throw new GeoResponseError(`cannot append to ${path}: short write, ${written} of ${expected} bytes (disk full or quota?); ${cut ? 'the partial record was removed' : 'a partial record may remain'}`, {
    code: 'LOG_NOT_WRITABLE',
    kind: 'log',
  });
}

// Only our own bytes are cut: they must be the file's last ones (O_APPEND put them at the end, and
// an appender after us would have failed on the same full disk).
function cutBack(fd: number, ours: Buffer): boolean {
  try {
    const size = fstatSync(fd).size;
    const start = size - ours.length;
    if (start < 0) return false;
    const tail = Buffer.alloc(ours.length);
    if (readSync(fd, tail, 0, ours.length, start) !== ours.length || !tail.equals(ours)) return false;
    ftruncateSync(fd, start);
    return true;
  } catch {
    return false;
  }
}

function unsafe(path: string, problem: string): GeoResponseError {
  return new GeoResponseError(`refusing to append to ${path}: it ${problem} (the ossec/wazuh group can write its directory); nothing was written through it — remove it, and check who put it there`, {
    code: 'LOG_UNSAFE',
    kind: 'log',
  });
}

function logError(path: string, error: unknown): GeoResponseError {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new GeoResponseError(`cannot append to ${path}: ${code} (check the directory exists and is writable by execd's user)`, {
    code: 'LOG_NOT_WRITABLE',
    kind: 'log',
    cause: error,
  });
}
