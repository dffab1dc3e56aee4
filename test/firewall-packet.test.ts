import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { applyFirewall } from '../src/firewall/index.js';
import { parseIpAddress } from '../src/geo/ip-address.js';
import { createNetns, createNetnsBinDir, deleteNetns, whyNoNetns } from './support/netns.js';
import { TCP_PROBE_CLIENT, TCP_PROBE_SERVER } from './support/tcp-probe.js';

type Backend = 'nftables' | 'ipset' | 'iptables';
const PROGRAMS: Record<Backend, string[]> = { nftables: ['nft'], ipset: ['ipset', 'iptables', 'ip6tables', 'iptables-save', 'ip6tables-save'], iptables: ['iptables', 'ip6tables'] };
const IP = '/usr/sbin/ip';
// Public-looking test addresses on a veth pair between two namespaces of our own: no packet leaves them.
const HOST = { 4: '1.0.0.1', 6: '2a00:1450::1' } as const;
const ATTACKER = { 4: '1.0.0.2', 6: '2a00:1450::2' } as const;
const PORT = 8022;

for (const backend of ['nftables', 'ipset', 'iptables'] as const) {
  const skip = whyNoNetns(['ip', ...PROGRAMS[backend]]);
  describe.skipIf(skip !== undefined)(`${backend}: packets from a blocked address are dropped${skip ? ` (skipped: ${skip})` : ''}`, () => {
    let hostNs: string | undefined;
    let attackerNs: string | undefined;
    let server: ChildProcess | undefined;
    let binDir = '';
    const lockDir = mkdtempSync(join(tmpdir(), 'gr-fw-lock-'));

    beforeAll(async () => {
      hostNs = createNetns('host');
      attackerNs = createNetns('atk');
      const veth = `grv${process.pid % 100000}${backend.slice(0, 2)}`;
      const run = (...args: string[]) => expect(spawnSync(IP, args, { encoding: 'utf8' }).stderr).toBe('');
      run('-n', hostNs, 'link', 'add', `${veth}a`, 'type', 'veth', 'peer', 'name', `${veth}b`, 'netns', attackerNs);
      run('-n', hostNs, 'link', 'set', `${veth}a`, 'up');
      run('-n', attackerNs, 'link', 'set', `${veth}b`, 'up');
      run('-n', hostNs, 'addr', 'add', `${HOST[4]}/24`, 'dev', `${veth}a`);
      run('-n', attackerNs, 'addr', 'add', `${ATTACKER[4]}/24`, 'dev', `${veth}b`);
      run('-n', hostNs, 'addr', 'add', `${HOST[6]}/64`, 'dev', `${veth}a`, 'nodad');
      run('-n', attackerNs, 'addr', 'add', `${ATTACKER[6]}/64`, 'dev', `${veth}b`, 'nodad');
      binDir = createNetnsBinDir(hostNs, PROGRAMS[backend]);
      server = spawn(IP, ['netns', 'exec', hostNs, process.execPath, '-e', TCP_PROBE_SERVER, String(PORT)], { stdio: ['ignore', 'pipe', 'inherit'] });
      await once(server.stdout!, 'data');
    });
    afterAll(() => {
      server?.kill();
      deleteNetns(attackerNs);
      deleteNetns(hostNs);
    });

    const connect = (family: 4 | 6) =>
      spawnSync(IP, ['netns', 'exec', attackerNs!, process.execPath, '-e', TCP_PROBE_CLIENT, HOST[family], String(PORT)], { encoding: 'utf8' }).stdout.trim();
    const apply = (action: 'add' | 'delete', family: 4 | 6) =>
      applyFirewall(
        { action, address: parseIpAddress(ATTACKER[family]), decision: 'block', expireSeconds: 600, ossecArgs: [action] },
        { backend, expire_seconds: 600, dry_run: false },
        { env: {}, lockDir, binDirs: [binDir] },
      );

    for (const family of [4, 6] as const) {
      it(`IPv${family}: connects before add, dropped after add, connects again after delete`, async () => {
        expect(connect(family)).toBe('connected');
        expect((await apply('add', family)).fields.result).toBe('blocked');
        expect(connect(family)).toBe('timeout');
        expect((await apply('delete', family)).fields.result).toBe('unblocked');
        expect(connect(family)).toBe('connected');
      }, 20_000);
    }
  });
}
