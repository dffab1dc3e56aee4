import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireFirewallLock } from '../src/firewall/firewall-lock.js';

// The firewall lock is not fair: among hundreds of alerts waiting, a `blocks restore` could wait
// for all of them. With `priority`, alerts that are already waiting stand back until it has had
// its turn.
describe('the firewall lock with priority', () => {
  it('a restore that starts waiting after an alert still goes first', async () => {
    const lockDir = mkdtempSync(join(tmpdir(), 'gr-lock-priority-'));
    const releaseHolder = await acquireFirewallLock({ lockDir });
    const order: string[] = [];
    const alert = acquireFirewallLock({ lockDir, waitTimeoutMs: 20_000 }).then((release) => {
      order.push('alert');
      release();
    });
    const restore = acquireFirewallLock({ lockDir, waitTimeoutMs: 20_000, priority: true }).then((release) => {
      order.push('restore');
      release();
    });
    releaseHolder();
    await Promise.all([alert, restore]);
    expect(order).toEqual(['restore', 'alert']);
    // Neither the lock nor the priority mark is left behind.
    expect(readdirSync(lockDir)).toEqual([]);
  });

  it('a priority mark whose holder is gone holds nobody back', async () => {
    const lockDir = mkdtempSync(join(tmpdir(), 'gr-lock-priority-'));
    // pid 2^22+1 is above Linux's pid_max: no such process.
    writeFileSync(join(lockDir, 'firewall.lock.priority'), '4194305 12345 abcdef\n');
    const release = await acquireFirewallLock({ lockDir, waitTimeoutMs: 2_000 });
    release();
    expect(readdirSync(lockDir)).toEqual(['firewall.lock.priority']);
  });
});
