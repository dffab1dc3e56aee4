import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeBundleHome, TEST_NODE, type BundleHome } from './support/bundle-home.js';
import { runOssec } from './support/execd.js';
import { listBlocked } from './support/firewall-state.js';
import { createNetns, deleteNetns, execInNetns, whyNoNetns } from './support/netns.js';

// 200 alerts race a `blocks restore` after the firewall was flushed: whichever order the firewall
// lock gives them, the firewall, the state and `blocks` must agree at the end.
const IP = '/usr/sbin/ip';
const run = promisify(execFile);
const PRE_BLOCKED = 20;
const DELETED = 10;
const ALERTS = 200;
const PROGRAMS = { nftables: ['nft'], ipset: ['ipset', 'iptables', 'ip6tables'] } as const;
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
      const [restore, ...alerts] = await Promise.all([blocks('restore'), ...deleted.map((ip) => alert('delete', ip)), ...added.map((ip) => alert('add', ip))]);
      expect(restore!.stderr).toBe('');
      expect(alerts.filter((result) => result.code !== 0).map((result) => result.stderr)).toEqual([]);

      const expected = [...before.slice(DELETED), ...added].sort();
      expect(listBlocked(ns, backend, 4).sort()).toEqual(expected);
      const state = JSON.parse(readFileSync(join(home.home, 'active-response', 'state', 'blocks.json'), 'utf8')) as { blocks: Array<{ ip: string }> };
      expect(state.blocks.map((entry) => entry.ip).sort()).toEqual(expected);
      const view = JSON.parse((await blocks('--json')).stdout) as { blocks: Array<{ ip: string; recorded: boolean }>; not_in_firewall: unknown[] };
      expect(view.blocks.map((row) => row.ip).sort()).toEqual(expected);
      expect(view.blocks.every((row) => row.recorded)).toBe(true);
      expect(view.not_in_firewall).toEqual([]);
      // Every alert wrote its one whole record.
      const records = home.readRecords();
      expect(records).toHaveLength(PRE_BLOCKED + ALERTS);
      expect(records.filter((record) => record.event.outcome !== 'success')).toEqual([]);
    }, 240_000);
  });
}
