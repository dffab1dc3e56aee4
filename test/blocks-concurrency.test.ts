import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { makeBundleHome, TEST_NODE, type BundleHome } from './support/bundle-home.js';
import { runOssec } from './support/execd.js';
import { listBlocked } from './support/firewall-state.js';
import { createNetns, deleteNetns, execInNetns, whyNoNetns } from './support/netns.js';
import { readRecordedState } from './support/recorded-blocks.js';

// 200 alerts race a `blocks restore` after the firewall was flushed: whichever order the firewall
// lock gives them, the firewall, the state and `blocks` must agree at the end with what each
// alert's record says it did.
const IP = '/usr/sbin/ip';
const run = promisify(execFile);
const PRE_BLOCKED = 20;
const DELETED = 10;
const ALERTS = 200;
const PROGRAMS = { nftables: ['nft'], ipset: ['ipset', 'iptables', 'ip6tables', 'iptables-save', 'ip6tables-save'] } as const;
// Public addresses outside Germany: blocked by the allow list, whatever country the embedded database gives them.
const address = (index: number) => `41.1.${index >> 8}.${(index & 255) + 1}`;

for (const backend of ['nftables', 'ipset'] as const) {
  const skip = whyNoNetns(['ip', ...PROGRAMS[backend]]);
  describe.skipIf(skip !== undefined)(`${backend}: ${ALERTS} concurrent alerts during a restore${skip ? ` (skipped: ${skip})` : ''}`, () => {
    let ns = '';
    let home: BundleHome;
    const command = () => [IP, 'netns', 'exec', ns, TEST_NODE, home.exe];
    const alert = (action: 'add' | 'delete', ip: string) => runOssec(`${action} - ${ip} 1795823765.1 5710 /var/log/auth.log -`, { command: command(), env: home.env, timeoutMs: 120_000 });
    const blocks = (...args: string[]) => run(IP, ['netns', 'exec', ns, TEST_NODE, home.exe, 'blocks', ...args], { env: home.env, cwd: '/', encoding: 'utf8' });

    beforeAll(() => {
      ns = createNetns(`bcc${backend.slice(0, 3)}`);
      home = makeBundleHome();
      home.writeConfig({ policy: { mode: 'allow', countries: ['DE'], unknown: 'block' }, firewall: { backend, expire_seconds: 3600 } });
    });
    afterAll(() => deleteNetns(ns));

    it('the firewall, the state and `blocks` agree afterwards', async () => {
      const before = Array.from({ length: PRE_BLOCKED }, (_, index) => address(index));
      for (const result of await Promise.all(before.map((ip) => alert('add', ip)))) expect(result.code).toBe(0);
      if (backend === 'nftables') execInNetns(ns, 'nft', ['flush', 'ruleset']);
      else {
        for (const chain of ['INPUT', 'FORWARD']) execInNetns(ns, 'iptables', ['-w', '-F', chain]);
        execInNetns(ns, 'ipset', ['destroy', 'geo_response4']);
      }
      expect(listBlocked(ns, backend, 4)).toEqual([]);

      const deleted = before.slice(0, DELETED);
      const added = Array.from({ length: ALERTS - DELETED }, (_, index) => address(PRE_BLOCKED + index));
      const [restore] = await Promise.all([blocks('restore'), ...deleted.map((ip) => alert('delete', ip)), ...added.map((ip) => alert('add', ip))]);
      expect(restore!.stderr).toBe('');

      // What each alert did, from its record. On a loaded machine an alert can give up waiting for
      // the lock (30 s): then it changed nothing, and says so. Nothing else may fail.
      const alerts = home.readRecords().slice(PRE_BLOCKED);
      expect(alerts).toHaveLength(ALERTS);
      const failed = alerts.filter((record) => record.event.outcome !== 'success');
      expect(failed.filter((record) => record.geo_response.error_code !== 'FIREWALL_LOCK_FAILED')).toEqual([]);
      const done = (action: string, results: string[]) => alerts.filter((record) => record.event.action === action && results.includes(record.geo_response.firewall?.result)).map((record) => record.source.ip as string);
      const blockedByAlerts = done('add', ['blocked', 'already-blocked']);
      const unblockedByAlerts = new Set(done('delete', ['unblocked', 'not-blocked']));
      expect(blockedByAlerts.length).toBeGreaterThan(0);

      const expected = [...before.filter((ip) => !unblockedByAlerts.has(ip)), ...blockedByAlerts].sort();
      expect(listBlocked(ns, backend, 4).sort()).toEqual(expected);
      const state = readRecordedState(home.home);
      expect(state.blocks.map((entry) => entry.ip).sort()).toEqual(expected);
      const listing = await blocks('--json');
      expect(listing.stderr).toBe('');
      const view = JSON.parse(listing.stdout) as { blocks: Array<{ ip: string; recorded: boolean }>; not_in_firewall: unknown[] };
      expect(view.blocks.map((row) => row.ip).sort(), `missing: ${expected.filter((ip) => !view.blocks.some((row) => row.ip === ip))}`).toEqual(expected);
      expect(view.blocks.every((row) => row.recorded)).toBe(true);
      expect(view.not_in_firewall).toEqual([]);
    }, 240_000);
  });
}
