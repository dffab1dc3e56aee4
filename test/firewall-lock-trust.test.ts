import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireFirewallLock, defaultLockDir, isStaleLock, type ProcessProbe } from '../src/firewall/firewall-lock';

// A process table of two: pid 100 started at tick 5000, pid 1 (init) at tick 1.
const PROBE: ProcessProbe = {
  startTime: (pid) => ({ 100: '5000', 1: '1' })[pid],
  isAlive: (pid) => pid === 100 || pid === 1,
};

describe('isStaleLock', () => {
  it.each([
    { title: 'our own token, holder alive', content: '100 5000 ab12\n', ageMs: 10, stale: false },
    { title: 'pid reused by another process (other start time)', content: '100 4999 ab12\n', ageMs: 10, stale: true },
    { title: 'pid 1 with a made-up start time', content: '1 777 ab12\n', ageMs: 10, stale: true },
    { title: 'holder gone', content: '200 5000 ab12\n', ageMs: 10, stale: true },
    { title: 'no start time, pid alive, fresh', content: '100 held\n', ageMs: 10, stale: false },
    { title: 'no start time, pid 1, older than 3 s', content: '1\n', ageMs: 3_001, stale: true },
    { title: 'no start time, pid gone', content: '200 killed\n', ageMs: 10, stale: true },
    { title: 'empty, fresh', content: '', ageMs: 10, stale: false },
    { title: 'empty, older than 3 s', content: '', ageMs: 3_001, stale: true },
    { title: 'garbage', content: '\u0000\u0000zero', ageMs: 10, stale: false },
    { title: 'a live holder older than any plan (stuck)', content: '100 5000 ab12\n', ageMs: 45_001, stale: true },
  ])('$title', ({ content, ageMs, stale }) => {
    expect(isStaleLock(content, ageMs, PROBE)).toBe(stale);
  });
});

describe('the lock directory', () => {
  it('is /run/geo-response for root, never under an installation', () => {
    if (process.geteuid?.() === 0) expect(defaultLockDir()).toMatch(/^\/(var\/)?run\/geo-response$/);
    else expect(defaultLockDir()).toContain(`geo-response-${process.geteuid?.()}`);
  });

  it('is refused when another user could write it, and nothing is left behind', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'gr-lockdir-')), 'shared');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    await expect(acquireFirewallLock({ lockDir: dir, waitTimeoutMs: 100 })).rejects.toThrowError(
      expect.objectContaining({ code: 'FIREWALL_LOCK_FAILED', message: expect.stringMatching(/not private: .*writable by group and others/) }),
    );
    expect(existsSync(join(dir, 'firewall.lock'))).toBe(false);
  });

  it('removes the staged files of killed invocations and breaks a lock whose holder is gone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gr-lockdir-'));
    // pid 2^22+1 is above Linux's pid_max ceiling: no process has it.
    writeFileSync(join(dir, 'firewall.lock.4194305.ab12cd34.new'), '4194305 1 x\n');
    writeFileSync(join(dir, 'firewall.lock'), '4194305 1 x\n');
    const release = await acquireFirewallLock({ lockDir: dir, waitTimeoutMs: 1_000 });
    expect(existsSync(join(dir, 'firewall.lock.4194305.ab12cd34.new'))).toBe(false);
    release();
    expect(existsSync(join(dir, 'firewall.lock'))).toBe(false);
  });
});
