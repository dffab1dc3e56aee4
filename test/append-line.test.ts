import { chmodSync, chownSync, linkSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendLine } from '../src/log/append-line';

const IS_ROOT = process.geteuid?.() === 0;

function logsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gr-append-'));
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  return logs;
}

describe('appendLine writes only to a plain log', () => {
  it('appends whole lines and creates a missing log', () => {
    const path = join(logsDir(), 'geo-response.log');
    appendLine(path, '{"a":1}');
    appendLine(path, '{"a":2}\n');
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}\n{"a":2}\n');
  });

  it('refuses a symbolic link, writing nothing through it and leaving its target as it was', () => {
    const logs = logsDir();
    const victim = join(logs, '..', 'victim.sh');
    writeFileSync(victim, '#!/bin/sh\necho hi\n');
    symlinkSync(victim, join(logs, 'geo-response.log'));
    expect(() => appendLine(join(logs, 'geo-response.log'), '"$(id>/tmp/x)"')).toThrowError(expect.objectContaining({ code: 'LOG_UNSAFE', kind: 'log', message: expect.stringMatching(/symbolic link/) }));
    expect(readFileSync(victim, 'utf8')).toBe('#!/bin/sh\necho hi\n');
  });

  it('refuses a symbolic link to a missing file, creating nothing', () => {
    const logs = logsDir();
    const target = join(logs, '..', 'created-by-root');
    symlinkSync(target, join(logs, 'active-responses.log'));
    expect(() => appendLine(join(logs, 'active-responses.log'), 'x')).toThrowError(expect.objectContaining({ code: 'LOG_UNSAFE' }));
    expect(() => statSync(target)).toThrow();
  });

  it('refuses a FIFO at once instead of hanging on it', () => {
    const path = join(logsDir(), 'geo-response.log');
    execFileSync('mkfifo', [path]);
    expect(() => appendLine(path, 'x')).toThrowError(expect.objectContaining({ code: 'LOG_UNSAFE', message: expect.stringMatching(/FIFO|not a regular file/) }));
  });

  it('refuses a file with a second hard link', () => {
    const logs = logsDir();
    const elsewhere = join(logs, '..', 'elsewhere');
    writeFileSync(elsewhere, 'kept\n');
    linkSync(elsewhere, join(logs, 'geo-response.log'));
    expect(() => appendLine(join(logs, 'geo-response.log'), 'x')).toThrowError(expect.objectContaining({ code: 'LOG_UNSAFE', message: expect.stringMatching(/2 hard links/) }));
    expect(readFileSync(elsewhere, 'utf8')).toBe('kept\n');
  });

  it('does not recreate a missing logs directory', () => {
    const logs = logsDir();
    const path = join(logs, 'gone', 'geo-response.log');
    expect(() => appendLine(path, 'x')).toThrowError(expect.objectContaining({ code: 'LOG_NOT_WRITABLE', message: expect.stringMatching(/directory .* is missing/) }));
    expect(() => statSync(join(logs, 'gone'))).toThrow();
  });

  it.skipIf(!IS_ROOT)('creates a missing log with its directory\'s owner and group, mode 0660, as the installer does (root)', () => {
    const logs = logsDir();
    chownSync(logs, 4242, 4243);
    const path = join(logs, 'active-responses.log');
    appendLine(path, 'x');
    const stat = statSync(path);
    expect({ uid: stat.uid, gid: stat.gid, mode: stat.mode & 0o777 }).toEqual({ uid: 4242, gid: 4243, mode: 0o660 });
  });

  it.skipIf(!IS_ROOT)('appends to a log owned by its directory\'s owner, refuses one owned by a third user (root)', () => {
    const logs = logsDir();
    chownSync(logs, 4242, 4242);
    const ours = join(logs, 'geo-response.log');
    writeFileSync(ours, '');
    chownSync(ours, 4242, 4242);
    appendLine(ours, 'x');
    expect(readFileSync(ours, 'utf8')).toBe('x\n');
    const theirs = join(logs, 'other.log');
    writeFileSync(theirs, '');
    chownSync(theirs, 4244, 4244);
    chmodSync(theirs, 0o666);
    expect(() => appendLine(theirs, 'x')).toThrowError(expect.objectContaining({ code: 'LOG_UNSAFE', message: expect.stringMatching(/uid 4244/) }));
  });
});
