import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { listBlocked, listHookRulesByChain } from './support/firewall-state.js';
import { buildChild } from './support/build-child.js';
import { createNetns, createNetnsBinDir, deleteNetns, execInNetns, waitFor, whyNoNetns } from './support/netns.js';
import { TCP_PROBE_CLIENT, TCP_PROBE_SERVER } from './support/tcp-probe.js';

type Backend = 'nftables' | 'ipset' | 'iptables';
const PROGRAMS: Record<Backend, string[]> = { nftables: ['nft'], ipset: ['ipset', 'iptables', 'ip6tables', 'iptables-save', 'ip6tables-save'], iptables: ['iptables', 'ip6tables'] };
const CONCURRENCY = 50;
const IP = '/usr/sbin/ip';
const run = promisify(execFile);

// Where each drop rule must be, whatever 50 racing set-ups did: one per family in each of the
// input and forward hooks, nowhere else.
const EXPECTED_RULES: Record<Backend, Record<4 | 6, Record<string, string[]>>> = {
  nftables: {
    4: { input: ['ip saddr @blocked4 drop', 'ip6 saddr @blocked6 drop'], forward: ['ip saddr @blocked4 drop', 'ip6 saddr @blocked6 drop'] },
    6: { input: ['ip saddr @blocked4 drop', 'ip6 saddr @blocked6 drop'], forward: ['ip saddr @blocked4 drop', 'ip6 saddr @blocked6 drop'] },
  },
  ipset: {
    4: { INPUT: ['-A INPUT -m set --match-set geo_response4 src -j DROP'], FORWARD: ['-A FORWARD -m set --match-set geo_response4 src -j DROP'] },
    6: { INPUT: ['-A INPUT -m set --match-set geo_response6 src -j DROP'], FORWARD: ['-A FORWARD -m set --match-set geo_response6 src -j DROP'] },
  },
  iptables: {
    4: { INPUT: ['-A INPUT -j GEO_RESPONSE'], FORWARD: ['-A FORWARD -j GEO_RESPONSE'] },
    6: { INPUT: ['-A INPUT -j GEO_RESPONSE'], FORWARD: ['-A FORWARD -j GEO_RESPONSE'] },
  },
};

// Three namespaces of our own on veth pairs: the attacker, the firewalled host (a router too), and a
// target behind it. Attacker → host crosses the host's input hook; attacker → target its forward
// hook. The attacker's addresses are among the blocked ones; no packet leaves these namespaces.
const NET = {
  attacker: { 4: '1.0.1.1', 6: '2a00:1450:1::1' },
  hostFront: { 4: '1.0.1.254', 6: '2a00:1450:1::fe' },
  hostBack: { 4: '1.0.3.254', 6: '2a00:1450:3::fe' },
  target: { 4: '1.0.3.1', 6: '2a00:1450:3::1' },
} as const;
const PORT = 8022;

let child = '';
beforeAll(async () => {
  child = await buildChild(join(import.meta.dirname, 'support', 'apply-child.ts'));
}, 30_000);

for (const backend of ['nftables', 'ipset', 'iptables'] as const) {
  const skip = whyNoNetns(['ip', 'sysctl', ...PROGRAMS[backend]]);
  describe.skipIf(skip !== undefined)(`${backend}: ${CONCURRENCY} concurrent invocations${skip ? ` (skipped: ${skip})` : ''}`, () => {
    let ns: string | undefined;
    let attackerNs: string | undefined;
    let targetNs: string | undefined;
    const servers: ChildProcess[] = [];
    let binDir = '';
    const lockDir = mkdtempSync(join(tmpdir(), 'gr-fw-lock-'));

    beforeAll(async () => {
      ns = createNetns(`cc${backend.slice(0, 2)}`);
      attackerNs = createNetns(`ca${backend.slice(0, 2)}`);
      targetNs = createNetns(`ct${backend.slice(0, 2)}`);
      const veth = `grc${process.pid % 100000}${backend.slice(0, 2)}`;
      const ip = (...args: string[]) => expect(spawnSync(IP, args, { encoding: 'utf8' }).stderr).toBe('');
      const link = (name: string, near: string, far: string, nearAddress: { 4: string; 6: string }, farAddress: { 4: string; 6: string }, farGateway: { 4: string; 6: string } | undefined) => {
        ip('-n', near, 'link', 'add', `${name}a`, 'type', 'veth', 'peer', 'name', `${name}b`, 'netns', far);
        ip('-n', near, 'link', 'set', `${name}a`, 'up');
        ip('-n', far, 'link', 'set', `${name}b`, 'up');
        ip('-n', near, 'addr', 'add', `${nearAddress[4]}/24`, 'dev', `${name}a`);
        ip('-n', near, 'addr', 'add', `${nearAddress[6]}/64`, 'dev', `${name}a`, 'nodad');
        ip('-n', far, 'addr', 'add', `${farAddress[4]}/24`, 'dev', `${name}b`);
        ip('-n', far, 'addr', 'add', `${farAddress[6]}/64`, 'dev', `${name}b`, 'nodad');
        if (farGateway) {
          ip('-n', far, 'route', 'add', 'default', 'via', farGateway[4]);
          ip('-n', far, '-6', 'route', 'add', 'default', 'via', farGateway[6]);
        }
      };
      link(`${veth}f`, ns, attackerNs, NET.hostFront, NET.attacker, NET.hostFront);
      link(`${veth}k`, ns, targetNs, NET.hostBack, NET.target, NET.hostBack);
      for (const key of ['net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']) expect(execInNetns(ns, 'sysctl', ['-qw', key]).status).toBe(0);
      binDir = createNetnsBinDir(ns, PROGRAMS[backend]);
      for (const where of [ns, targetNs]) {
        const server = spawn(IP, ['netns', 'exec', where, process.execPath, '-e', TCP_PROBE_SERVER, String(PORT)], { stdio: ['ignore', 'pipe', 'inherit'] });
        servers.push(server);
        await once(server.stdout!, 'data');
      }
    });
    afterAll(() => {
      for (const server of servers) server.kill();
      deleteNetns(attackerNs);
      deleteNetns(targetNs);
      deleteNetns(ns);
    });

    const connect = (to: 'hostFront' | 'target', family: 4 | 6) =>
      spawnSync(IP, ['netns', 'exec', attackerNs!, process.execPath, '-e', TCP_PROBE_CLIENT, NET[to][family], String(PORT)], { encoding: 'utf8' }).stdout.trim();
    const PATHS = [
      { hook: 'input', to: 'hostFront', family: 4 },
      { hook: 'input', to: 'hostFront', family: 6 },
      { hook: 'forward', to: 'target', family: 4 },
      { hook: 'forward', to: 'target', family: 6 },
    ] as const;
    const reach = () => Object.fromEntries(PATHS.map(({ hook, to, family }) => [`${hook} IPv${family}`, connect(to, family)]));

    // Each add is its own node process, as execd starts them; all start before any finishes.
    const addAll = (ips: string[]) =>
      Promise.all(
        ips.map(async (address) => {
          const job = JSON.stringify({ action: 'add', ip: address, backend, expireSeconds: 600, lockDir, binDir });
          const { stdout } = await run(process.execPath, [child, job]);
          return JSON.parse(stdout) as { result: string; error?: string };
        }),
      );

    it(`${CONCURRENCY} adds of distinct IPv4 and IPv6 addresses leave ${CONCURRENCY} blocks and each drop rule once, in its hook; packets through each hook are dropped`, async () => {
      // The control: before any block, every path carries a connection. A fresh IPv6 path through
      // the router namespace can take a moment to carry its first one (neighbour discovery on two
      // new veth links): waited for here, so a slow start is not taken for a block.
      await waitFor(() => Object.values(reach()).every((answer) => answer === 'connected'), 15_000);
      expect(reach()).toEqual({ 'input IPv4': 'connected', 'input IPv6': 'connected', 'forward IPv4': 'connected', 'forward IPv6': 'connected' });
      const v4 = Array.from({ length: CONCURRENCY / 2 }, (_, i) => `1.0.1.${i + 1}`);
      const v6 = Array.from({ length: CONCURRENCY / 2 }, (_, i) => `2a00:1450:1::${(i + 1).toString(16)}`);
      const results = await addAll([...v4, ...v6]);
      expect(results.filter((r) => r.result !== 'blocked')).toEqual([]);
      expect(listBlocked(ns!, backend, 4).sort()).toEqual([...v4].sort());
      expect(listBlocked(ns!, backend, 6).sort()).toEqual([...v6].sort());
      // Set-up raced 50 times and still left each rule exactly once, in the chain of its hook.
      expect(listHookRulesByChain(ns!, backend, 4)).toEqual(EXPECTED_RULES[backend][4]);
      expect(listHookRulesByChain(ns!, backend, 6)).toEqual(EXPECTED_RULES[backend][6]);
      expect(reach()).toEqual({ 'input IPv4': 'timeout', 'input IPv6': 'timeout', 'forward IPv4': 'timeout', 'forward IPv6': 'timeout' });
    }, 120_000);

    it(`${CONCURRENCY} adds of one IP leave one block, none fails`, async () => {
      const results = await addAll(Array.from({ length: CONCURRENCY }, () => '1.0.2.1'));
      expect(results.filter((r) => r.result !== 'blocked' && r.result !== 'already-blocked')).toEqual([]);
      expect(results.filter((r) => r.result === 'blocked')).toHaveLength(1);
      expect(listBlocked(ns!, backend, 4).filter((address) => address === '1.0.2.1')).toEqual(['1.0.2.1']);
    }, 120_000);
  });
}
