import { chmodSync, chownSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync, closeSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findUntrustedDirectory, fixFor, judgeDirectory, judgeFile, openTrusted } from '../src/trust/trusted-path';

const DIR = 0o040000;
const FILE = 0o100000;
const LINK = 0o120000;
const FIFO = 0o010000;
const ME = process.geteuid?.() ?? 0;
const IS_ROOT = ME === 0;

describe('judgeDirectory', () => {
  it.each([
    { title: 'root 0755', stat: { uid: 0, mode: DIR | 0o755 }, problem: undefined },
    { title: 'root 0550 (OSSEC etc/)', stat: { uid: 0, mode: DIR | 0o550 }, problem: undefined },
    { title: 'root 0770 (Wazuh etc/)', stat: { uid: 0, mode: DIR | 0o770 }, problem: 'writable by its group (mode 0770)' },
    { title: 'root 0757', stat: { uid: 0, mode: DIR | 0o757 }, problem: 'writable by others (mode 0757)' },
    { title: 'root 0777', stat: { uid: 0, mode: DIR | 0o777 }, problem: 'writable by group and others (mode 0777)' },
    { title: 'root 1777 (/tmp)', stat: { uid: 0, mode: DIR | 0o1777 }, problem: undefined },
    { title: 'uid 4242 1777 (a sticky directory someone else owns)', stat: { uid: 4242, mode: DIR | 0o1777 }, problem: 'owned by uid 4242, not root' },
    { title: 'uid 4242 0755 (OSSEC logs/ owned by ossec)', stat: { uid: 4242, mode: DIR | 0o755 }, problem: 'owned by uid 4242, not root' },
    { title: 'a symbolic link', stat: { uid: 0, mode: LINK | 0o777 }, problem: 'not a directory' },
    { title: 'a regular file', stat: { uid: 0, mode: FILE | 0o755 }, problem: 'not a directory' },
  ])('$title', ({ stat, problem }) => {
    // 4242 is nobody on a test machine; our own uid counts as root so a developer's run checks the same shape.
    expect(judgeDirectory(stat, ME === 4242 ? 4243 : ME)).toBe(problem);
  });
});

describe('judgeFile', () => {
  it.each([
    { title: 'root 0640', stat: { uid: 0, mode: FILE | 0o640 }, problem: undefined },
    { title: 'root 0600', stat: { uid: 0, mode: FILE | 0o600 }, problem: undefined },
    { title: 'root 0660', stat: { uid: 0, mode: FILE | 0o660 }, problem: 'writable by its group (mode 0660)' },
    { title: 'root 0646', stat: { uid: 0, mode: FILE | 0o646 }, problem: 'writable by others (mode 0646)' },
    { title: 'uid 4242 0640', stat: { uid: 4242, mode: FILE | 0o640 }, problem: 'owned by uid 4242, not root' },
    { title: 'root 1777 file (sticky does not help a file)', stat: { uid: 0, mode: FILE | 0o1666 }, problem: 'writable by group and others (mode 01666)' },
    { title: 'a FIFO', stat: { uid: 0, mode: FIFO | 0o600 }, problem: 'not a regular file' },
    { title: 'a directory', stat: { uid: 0, mode: DIR | 0o755 }, problem: 'not a regular file' },
  ])('$title', ({ stat, problem }) => {
    expect(judgeFile(stat, ME === 4242 ? 4243 : ME)).toBe(problem);
  });

  it.each([
    { problem: 'owned by uid 4242, not root', fix: "chown root '/x/it'\\''s' (and review its contents)" },
    { problem: 'writable by its group (mode 0770)', fix: "chmod go-w '/x/it'\\''s' (and review its contents)" },
    { problem: 'not a regular file', fix: "replace '/x/it'\\''s' with a regular file owned by root" },
  ])('fix for "$problem" quotes the path for a shell', ({ problem, fix }) => {
    expect(fixFor("/x/it's", problem)).toBe(fix);
  });
});

describe('openTrusted on real files', () => {
  const base = mkdtempSync(join(tmpdir(), 'gr-trust-'));
  const safe = join(base, 'safe');
  mkdirSync(safe, { mode: 0o755 });
  chmodSync(safe, 0o755);
  const file = join(safe, 'geo-response.json');
  writeFileSync(file, '{}', { mode: 0o640 });
  chmodSync(file, 0o640);

  it('opens a file that is ours all the way up, and reports its size', () => {
    const opened = openTrusted(file);
    expect(opened.kind).toBe('open');
    if (opened.kind === 'open') {
      expect(opened.size).toBe(2);
      closeSync(opened.fd);
    }
  });

  it('says missing for a file that is not there', () => {
    expect(openTrusted(join(safe, 'absent.json'))).toEqual({ kind: 'missing' });
  });

  it('refuses a file writable by its group, naming the file', () => {
    const loose = join(safe, 'loose.json');
    writeFileSync(loose, '{}');
    chmodSync(loose, 0o660);
    expect(openTrusted(loose)).toEqual({ kind: 'untrusted', violation: { path: loose, problem: 'writable by its group (mode 0660)', fix: `chmod go-w '${loose}' (and review its contents)` } });
  });

  it('refuses every file below a directory its group can write, naming the directory (Wazuh etc/)', () => {
    const groupDir = join(base, 'group-etc');
    mkdirSync(groupDir);
    chmodSync(groupDir, 0o770);
    writeFileSync(join(groupDir, 'geo-response.json'), '{}', { mode: 0o640 });
    const opened = openTrusted(join(groupDir, 'geo-response.json'));
    expect(opened.kind).toBe('untrusted');
    expect(opened.kind === 'untrusted' && opened.violation.path).toBe(groupDir);
    expect(findUntrustedDirectory(groupDir)?.problem).toBe('writable by its group (mode 0770)');
  });

  it('refuses a FIFO at once, without blocking on it', () => {
    const fifo = join(safe, 'GeoLite2-City.mmdb');
    execFileSync('mkfifo', [fifo]);
    expect(openTrusted(fifo)).toMatchObject({ kind: 'untrusted', violation: { path: fifo, problem: 'not a regular file' } });
  });

  it('follows a link only to judge what it points at: a link in a trusted directory to a trusted file is that file', () => {
    const link = join(safe, 'current.json');
    symlinkSync(file, link);
    const opened = openTrusted(link);
    expect(opened.kind).toBe('open');
    if (opened.kind === 'open') closeSync(opened.fd);
  });

  it('a link to a file below a group-writable directory is judged by where it points', () => {
    const groupDir = join(base, 'group-dir-2');
    mkdirSync(groupDir);
    chmodSync(groupDir, 0o775);
    const target = join(groupDir, 'planted.mmdb');
    writeFileSync(target, 'x', { mode: 0o644 });
    const link = join(safe, 'GeoLite2-ASN.mmdb');
    symlinkSync(target, link);
    expect(openTrusted(link)).toMatchObject({ kind: 'untrusted', violation: { path: groupDir } });
  });

  it.skipIf(!IS_ROOT)('refuses a file owned by another user (needs root to chown)', () => {
    const theirs = join(safe, 'theirs.json');
    writeFileSync(theirs, '{}', { mode: 0o640 });
    chownSync(theirs, 4242, 4242);
    expect(openTrusted(theirs)).toMatchObject({ kind: 'untrusted', violation: { path: theirs, problem: 'owned by uid 4242, not root' } });
  });
});
