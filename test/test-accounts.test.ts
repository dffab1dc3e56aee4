import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createTestAccount, IS_ROOT, removeAccount, type Account } from './support/fake-install-tree.js';

const getent = (database: 'group' | 'passwd', name: string) => spawnSync('getent', [database, name], { encoding: 'utf8' });

// The install tests need a group and a daemon user like OSSEC's or Wazuh's. They must neither
// depend on the host's own accounts (a host may have a `wazuh` group without a `wazuh` user, and
// groupadd then fails) nor leave accounts behind.
describe.skipIf(!IS_ROOT)('test accounts (needs root: groupadd)', () => {
  it.each(['ossec', 'wazuh'])('the %s account is new, uniquely named, and gone after removeAccount', (label) => {
    const made: Account[] = [];
    try {
      made.push(createTestAccount(label), createTestAccount(label));
      const [first, second] = made as [Account, Account];
      expect(first.name).not.toBe(label);
      expect(first.name).not.toBe(second.name);
      expect(first.name.length).toBeLessThanOrEqual(32);
      for (const account of made) {
        expect(account.created).toBe(true);
        expect(getent('passwd', account.name).stdout.split(':')[3]).toBe(String(account.gid));
        expect(getent('group', account.name).stdout.split(':')[2]).toBe(String(account.gid));
      }
    } finally {
      for (const account of made) removeAccount(account);
    }
    for (const account of made) {
      expect(getent('passwd', account.name).status).not.toBe(0);
      expect(getent('group', account.name).status).not.toBe(0);
    }
  });
});
