import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { listBlocked, listHookRules } from './support/firewall-state.js';
import { buildChild } from './support/build-child.js';
import { createNetns, createNetnsBinDir, deleteNetns, whyNoNetns } from './support/netns.js';

type Backend = 'nftables' | 'ipset' | 'iptables';
const PROGRAMS: Record<Backend, string[]> = { nftables: ['nft'], ipset: ['ipset', 'iptables', 'ip6tables'], iptables: ['iptables', 'ip6tables'] };
const CONCURRENCY = 50;
// nftables: input and forward, each with an IPv4 and an IPv6 rule; ipset/iptables: INPUT and FORWARD for IPv4.
const HOOK_RULES: Record<Backend, number> = { nftables: 4, ipset: 2, iptables: 2 };
const run = promisify(execFile);

let child = '';
beforeAll(async () => {
  child = await buildChild(join(import.meta.dirname, 'support', 'apply-child.ts'));
}, 30_000);

for (const backend of ['nftables', 'ipset', 'iptables'] as const) {
  const skip = whyNoNetns(['ip', ...PROGRAMS[backend]]);
  describe.skipIf(skip !== undefined)(`${backend}: ${CONCURRENCY} concurrent invocations${skip ? ` (skipped: ${skip})` : ''}`, () => {
    let ns: string | undefined;
    let binDir = '';
    const lockDir = mkdtempSync(join(tmpdir(), 'gr-fw-lock-'));
    beforeAll(() => {
      ns = createNetns(`cc${backend.slice(0, 2)}`);
      binDir = createNetnsBinDir(ns, PROGRAMS[backend]);
    });
    afterAll(() => deleteNetns(ns));

    // Each add is its own node process, as execd starts them; all start before any finishes.
    const addAll = (ips: string[]) =>
      Promise.all(
        ips.map(async (ip) => {
          const job = JSON.stringify({ action: 'add', ip, backend, expireSeconds: 600, lockDir, binDir });
          const { stdout } = await run(process.execPath, [child, job]);
          return JSON.parse(stdout) as { result: string; error?: string };
        }),
      );

    it(`${CONCURRENCY} adds of distinct IPs leave ${CONCURRENCY} blocks, none fails`, async () => {
      const ips = Array.from({ length: CONCURRENCY }, (_, i) => `1.0.1.${i + 1}`);
      const results = await addAll(ips);
      expect(results.filter((r) => r.result !== 'blocked')).toEqual([]);
      expect(listBlocked(ns!, backend, 4).sort()).toEqual([...ips].sort());
      // Set-up raced 50 times and still left each hook rule exactly once.
      expect(listHookRules(ns!, backend, 4)).toHaveLength(HOOK_RULES[backend]);
    }, 120_000);

    it(`${CONCURRENCY} adds of one IP leave one block, none fails`, async () => {
      const results = await addAll(Array.from({ length: CONCURRENCY }, () => '1.0.2.1'));
      expect(results.filter((r) => r.result !== 'blocked' && r.result !== 'already-blocked')).toEqual([]);
      expect(results.filter((r) => r.result === 'blocked')).toHaveLength(1);
      expect(listBlocked(ns!, backend, 4).filter((ip) => ip === '1.0.2.1')).toEqual(['1.0.2.1']);
    }, 120_000);
  });
}
