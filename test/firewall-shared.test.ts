import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drainFirewallShared, enterFirewallShared } from '../src/firewall/firewall-shared.js';
import { startTimeOf } from '../src/firewall/firewall-lock.js';

// The readers-writer lock in files that keeps lock-free alerts (nftables, ipset) out of a restore.
const lockDir = () => mkdtempSync(join(tmpdir(), 'gr-shared-'));
// pid 2^22+1 is above Linux's pid_max ceiling, so no live process has it.
const DEAD_PID = 4194305;

describe('alerts beside each other, and a restore', () => {
  it('an alert leaves a token while it works, and removes it when released', async () => {
    const dir = lockDir();
    const release = await enterFirewallShared({ lockDir: dir });
    expect(readdirSync(join(dir, 'shared'))).toHaveLength(1);
    release();
    expect(readdirSync(join(dir, 'shared'))).toEqual([]);
  });

  it('a restore waits for a live token, and gives up at its deadline, leaving no mark', async () => {
    const dir = lockDir();
    const release = await enterFirewallShared({ lockDir: dir });
    await expect(drainFirewallShared({ lockDir: dir, waitTimeoutMs: 100 })).rejects.toThrow(/alerts under way did not finish within 100 ms/);
    expect(existsSync(join(dir, 'firewall.exclusive'))).toBe(false);
    release();
    const releaseMark = await drainFirewallShared({ lockDir: dir, waitTimeoutMs: 100 });
    expect(existsSync(join(dir, 'firewall.exclusive'))).toBe(true);
    releaseMark();
    expect(existsSync(join(dir, 'firewall.exclusive'))).toBe(false);
  });

  it('a token left by a killed alert does not hold a restore: it is removed', async () => {
    const dir = lockDir();
    mkdirSync(join(dir, 'shared'), { mode: 0o700 });
    writeFileSync(join(dir, 'shared', `${DEAD_PID}.dead`), `${DEAD_PID} 123 x\n`);
    const releaseMark = await drainFirewallShared({ lockDir: dir, waitTimeoutMs: 100 });
    expect(readdirSync(join(dir, 'shared'))).toEqual([]);
    releaseMark();
  });

  it('while a restore holds its mark, an alert waits for the lock instead of going ahead', async () => {
    const dir = lockDir();
    const releaseMark = await drainFirewallShared({ lockDir: dir });
    // The restore holds the firewall lock too: written here as a live holder's.
    writeFileSync(join(dir, 'firewall.lock'), `${process.pid} ${startTimeOf(process.pid)} restore\n`);
    await expect(enterFirewallShared({ lockDir: dir, waitTimeoutMs: 150 })).rejects.toThrow(/firewall lock: another geo-response held/);
    expect(readdirSync(join(dir, 'shared'))).toEqual([]);
    releaseMark();
  });

  it('a mark left by a killed restore is ignored', async () => {
    const dir = lockDir();
    writeFileSync(join(dir, 'firewall.exclusive'), `${DEAD_PID} 123 x\n`);
    const release = await enterFirewallShared({ lockDir: dir, waitTimeoutMs: 150 });
    expect(readdirSync(join(dir, 'shared'))).toHaveLength(1);
    release();
  });
});
