import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyFirewall, type FirewallRequest } from '../src/firewall/index.js';
import { parseIpAddress } from '../src/geo/ip-address.js';
import type { FirewallConfig } from '../src/policy/config-schema.js';
import { listBlocked, listHookRules } from './support/firewall-state.js';
import { createNetns, createNetnsBinDir, deleteNetns, execInNetns, waitFor, whyNoNetns } from './support/netns.js';

type Backend = 'nftables' | 'ipset' | 'iptables';
const PROGRAMS: Record<Backend, string[]> = { nftables: ['nft'], ipset: ['ipset', 'iptables', 'ip6tables', 'iptables-save', 'ip6tables-save'], iptables: ['iptables', 'ip6tables'] };
// Public-looking addresses, used only inside the test's own namespace.
const ADDRESSES = { 4: ['1.0.0.1', '1.0.0.9'], 6: ['2a00:1450::1', '2a00:1450::9'] } as const;
// nftables: input and forward, each with an IPv4 and an IPv6 rule; ipset/iptables: INPUT and FORWARD for the family.
const HOOK_RULES: Record<Backend, number> = { nftables: 4, ipset: 2, iptables: 2 };
const EXPIRY_DEADLINE_MS = 15_000;

for (const backend of ['nftables', 'ipset', 'iptables'] as const) {
  const skip = whyNoNetns(['ip', ...PROGRAMS[backend]]);
  describe.skipIf(skip !== undefined)(`${backend} in a fresh network namespace${skip ? ` (skipped: ${skip})` : ''}`, () => {
    let ns: string | undefined;
    let binDir = '';
    const lockDir = mkdtempSync(join(tmpdir(), 'gr-fw-lock-'));
    beforeAll(() => {
      ns = createNetns(backend.slice(0, 4));
      binDir = createNetnsBinDir(ns, PROGRAMS[backend]);
    });
    afterAll(() => deleteNetns(ns));

    const apply = (action: 'add' | 'delete', ip: string, expireSeconds = 3600) => {
      const request: FirewallRequest = { action, address: parseIpAddress(ip), decision: 'block', expireSeconds, ossecArgs: [action, '-', ip, '1.1', '5710', '/var/log/auth.log', '-'] };
      const config: FirewallConfig = { backend, expire_seconds: expireSeconds, dry_run: false };
      return applyFirewall(request, config, { env: {}, lockDir, binDirs: [binDir] });
    };

    for (const family of [4, 6] as const) {
      it(`IPv${family}: add blocks once, a second add changes nothing, delete removes, a second delete succeeds`, async () => {
        const ip = ADDRESSES[family][0];
        const first = await apply('add', ip);
        expect(first.error?.message).toBeUndefined();
        expect(first.fields.result).toBe('blocked');
        expect(listBlocked(ns!, backend, family)).toEqual([ip]);
        const rules = listHookRules(ns!, backend, family);
        expect(rules).toHaveLength(HOOK_RULES[backend]);

        const second = await apply('add', ip);
        expect(second.fields.result).toBe('already-blocked');
        expect(listBlocked(ns!, backend, family)).toEqual([ip]);
        expect(listHookRules(ns!, backend, family)).toEqual(rules);

        const removed = await apply('delete', ip);
        expect(removed.fields.result).toBe('unblocked');
        expect(listBlocked(ns!, backend, family)).toEqual([]);

        const again = await apply('delete', ip);
        expect(again.error).toBeUndefined();
        expect(again.fields.result).toBe('not-blocked');
      });

      if (backend === 'iptables') {
        it(`IPv${family}: the record says the block has no native expiry`, async () => {
          const ip = ADDRESSES[family][1];
          const outcome = await apply('add', ip, 2);
          expect(outcome.fields).toMatchObject({ result: 'blocked', expire_seconds: 0 });
          expect((await apply('delete', ip)).fields.result).toBe('unblocked');
        });
      } else {
        it(`IPv${family}: the backend's expiry removes a block when no delete comes`, async () => {
          const ip = ADDRESSES[family][1];
          const outcome = await apply('add', ip, 2);
          expect(outcome.fields).toMatchObject({ result: 'blocked', expire_seconds: 2 });
          expect(listBlocked(ns!, backend, family)).toContain(ip);
          expect(await waitFor(() => !listBlocked(ns!, backend, family).includes(ip), EXPIRY_DEADLINE_MS)).toBe(true);
        }, EXPIRY_DEADLINE_MS + 5_000);
      }
    }

    if (backend !== 'iptables') {
      // An alert checks nothing before its one run (nftables) or only reads the rules (ipset): a
      // flush that took the drop rules but left the set must still be repaired by the next block.
      it('after the drop rules were flushed (the set kept), the next add puts each back once and blocks', async () => {
        const [kept, next] = ['1.0.0.21', '1.0.0.22'];
        expect((await apply('add', kept)).fields.result).toBe('blocked');
        const rules = listHookRules(ns!, backend, 4);
        if (backend === 'nftables') for (const hook of ['input', 'forward']) execInNetns(ns!, 'nft', ['flush', 'chain', 'inet', 'geo_response', hook]);
        else for (const chain of ['INPUT', 'FORWARD']) execInNetns(ns!, 'iptables', ['-w', '-F', chain]);
        expect(listHookRules(ns!, backend, 4)).toEqual([]);
        expect(listBlocked(ns!, backend, 4)).toContain(kept);

        const outcome = await apply('add', next);
        expect(outcome.error?.message).toBeUndefined();
        expect(outcome.fields.result).toBe('blocked');
        expect(listHookRules(ns!, backend, 4)).toEqual(rules);
        expect(listBlocked(ns!, backend, 4)).toEqual(expect.arrayContaining([kept, next]));
        for (const ip of [kept, next]) expect((await apply('delete', ip)).fields.result).toBe('unblocked');
      });
    }

    it('a delete before any add (no table, set or chain yet) succeeds and creates nothing', async () => {
      const fresh = createNetns('empty');
      try {
        const outcome = await applyFirewall(
          { action: 'delete', address: parseIpAddress('1.0.0.7'), decision: 'allow', expireSeconds: 60, ossecArgs: ['delete'] },
          { backend, expire_seconds: 60, dry_run: false },
          { env: {}, lockDir, binDirs: [createNetnsBinDir(fresh, PROGRAMS[backend])] },
        );
        expect(outcome.fields.result).toBe('not-blocked');
        expect(listHookRules(fresh, backend, 4)).toEqual([]);
      } finally {
        deleteNetns(fresh);
      }
    });
  });
}
