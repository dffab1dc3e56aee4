/**
 * `check`'s geo log line says what the next alert would meet: it runs the alert's own open and
 * checks (append-line's probeLog), so the two cannot disagree.
 */
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkGeoLog } from '../src/check/check-log-and-databases.js';
import { appendLine } from '../src/log/append-line.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gr-check-log-'));
  dirs.push(dir);
  return dir;
}

function check(path: string): { ok: boolean; line: string } {
  const lines: string[] = [];
  const ok = checkGeoLog(path, lines);
  expect(lines).toHaveLength(1);
  return { ok, line: lines[0]! };
}

// Whether the alert path agrees: appendLine throws exactly when check says FAILED.
function alertSucceeds(path: string): boolean {
  try {
    appendLine(path, '{"probe":true}');
    return true;
  } catch {
    return false;
  }
}

describe('check: the geo log', () => {
  it('a plain log file: writable', () => {
    const log = join(scratch(), 'geo.log');
    writeFileSync(log, '');
    expect(check(log)).toEqual({ ok: true, line: `geo log: ${log}: writable` });
    expect(alertSucceeds(log)).toBe(true);
  });

  it('no log yet in an existing directory: writable, created at the first alert', () => {
    const log = join(scratch(), 'geo.log');
    expect(check(log)).toEqual({ ok: true, line: `geo log: ${log}: writable (created at the first alert)` });
    expect(alertSucceeds(log)).toBe(true);
  });

  it('its directory missing: FAILED, as an alert does not create logs/', () => {
    const log = join(scratch(), 'logs', 'geo.log');
    const result = check(log);
    expect(result.ok).toBe(false);
    expect(result.line).toMatch(/^geo log: FAILED: cannot append to .*logs\/geo\.log: its directory .*logs is missing \(ENOENT\)/);
    expect(alertSucceeds(log)).toBe(false);
  });

  it('a symbolic link: FAILED, naming the link', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'target'), '');
    const log = join(dir, 'geo.log');
    symlinkSync(join(dir, 'target'), log);
    const result = check(log);
    expect(result.ok).toBe(false);
    expect(result.line).toContain(`refusing to append to ${log}: it is a symbolic link`);
    expect(alertSucceeds(log)).toBe(false);
  });

  it('a second hard link: FAILED, naming the count', () => {
    const dir = scratch();
    const log = join(dir, 'geo.log');
    writeFileSync(log, '');
    linkSync(log, join(dir, 'other-name'));
    const result = check(log);
    expect(result.ok).toBe(false);
    expect(result.line).toContain('has 2 hard links');
    expect(alertSucceeds(log)).toBe(false);
  });

  it('a directory at the log path: FAILED', () => {
    const log = join(scratch(), 'geo.log');
    mkdirSync(log);
    const result = check(log);
    expect(result.ok).toBe(false);
    expect(result.line).toMatch(/^geo log: FAILED: .*geo\.log/);
    expect(alertSucceeds(log)).toBe(false);
  });
});
