import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createTestAccount, IS_ROOT, removeAccount, type Account } from './support/fake-install-tree.js';

const getent = (database: 'group' | 'passwd', name: string) => spawnSync('getent', [database, name], { encoding: 'utf8' });

// The install tests need a group and a daemon user like OSSEC's or Wazuh's. They must neither
// depend on the host's own accounts (a host may have a `wazuh` group without a `wazuh` user, and
// groupadd then fails) nor leave accounts behind.
describe.skipIf(!IS_ROOT)('test accounts (needs root: groupadd)', () => {
  it.each(['ossec', 'wazuh'])('the %s account is new, uniquely named, a daemon account, and gone after removeAccount', (label) => {
    const hostAccount = [getent('passwd', label).status, getent('group', label).status];
    const made: Account[] = [];
    try {
      made.push(createTestAccount(label), createTestAccount(label));
      const [first, second] = made as [Account, Account];
      // Named for the test, never the product's own account; two calls, two accounts.
      expect(first.name).toMatch(new RegExp(`^gr-${label}-[0-9a-z]+-[0-9a-f]{6}$`));
      expect(second.name).not.toBe(first.name);
      expect(first.name.length).toBeLessThanOrEqual(32); // useradd's limit
      for (const account of made) {
        // passwd: name:x:uid:gid:gecos:home:shell, a login-less daemon in a group of its own.
        const [, , uid, gid, , home, shell] = getent('passwd', account.name).stdout.trim().split(':');
        expect({ uid: Number(uid), gid: Number(gid), home, shell }).toEqual({ uid: account.uid, gid: account.gid, home: '/nonexistent', shell: '/usr/sbin/nologin' });
        expect(getent('group', account.name).stdout.split(':')[2]).toBe(String(account.gid));
      }
      expect(first.uid).not.toBe(second.uid);
      // removeAccount leaves alone an account this process did not make.
      removeAccount({ ...second, created: false });
      expect(getent('passwd', second.name).status).toBe(0);
    } finally {
      for (const account of made) removeAccount(account);
    }
    for (const account of made) {
      expect(getent('passwd', account.name).status).not.toBe(0);
      expect(getent('group', account.name).status).not.toBe(0);
    }
    // The host's own account of that name (if any) is as it was.
    expect([getent('passwd', label).status, getent('group', label).status]).toEqual(hostAccount);
  });
});
