import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseReportEvent } from '../src/report/parse-record.js';
import { formatBlockState, parseBlockState } from '../src/blocks/block-state.js';
import { SPLIT_RESTORE_FROM } from '../src/firewall/nftables-backend.js';
import { makeBundleHome, TEST_NODE, type BundleHome } from './support/bundle-home.js';
import { runOssec } from './support/execd.js';
import { listBlocked, listBlockTimeLeft, listHookRules, listHookRulesByChain } from './support/firewall-state.js';
import { createNetns, deleteNetns, execInNetns, waitFor, whyNoNetns } from './support/netns.js';
import { readRecordedState } from './support/recorded-blocks.js';
import { readBlockChanges } from '../src/blocks/change-files.js';
import { readBlockState } from '../src/blocks/state-file.js';
import { blockStatePath } from '../src/blocks/state-path.js';

// `geo-response blocks` through the built executable, run inside a fresh network namespace as an
// admin (or the boot unit) would run it, against blocks that real alerts made: execd's argv,
// the fixture databases, the real nft/ipset/iptables.
type Backend = 'nftables' | 'ipset' | 'iptables';
const PROGRAMS: Record<Backend, string[]> = { nftables: ['nft'], ipset: ['ipset', 'iptables', 'ip6tables', 'iptables-save', 'ip6tables-save'], iptables: ['iptables', 'ip6tables'] };
const FIXTURES = join(__dirname, 'fixtures');
const IP = '/usr/sbin/ip';
// RU (AS12389), CN over IPv6 (AS4134), and a country the database does not know (blocked: unknown=block).
const KEPT = ['95.173.130.7', '240e:3b0::1', '41.0.0.1'];
const DELETED = '1.0.9.9';
const SHORT_LIVED = '41.0.0.2';
const FOREIGN = { 4: '1.0.0.77', 6: '2a00:1450::77' } as const;
const EXPIRE_SECONDS = 3600;

const configFor = (backend: Backend, expireSeconds: number) => ({
  databases: { geo: join(FIXTURES, 'GeoIP2-City-Test.mmdb'), asn: join(FIXTURES, 'GeoLite2-ASN-Test.mmdb') },
  policy: { mode: 'deny', countries: ['RU', 'CN'], unknown: 'block' },
  firewall: { backend, expire_seconds: expireSeconds },
});

/** Everything geo-response put in the firewall of the namespace is gone, as after a reboot (or `nft flush ruleset`). */
function flushFirewall(ns: string, backend: Backend): void {
  if (backend === 'nftables') {
    execInNetns(ns, 'nft', ['flush', 'ruleset']);
    return;
  }
  for (const program of ['iptables', 'ip6tables']) {
    execInNetns(ns, program, ['-w', '-F']);
    execInNetns(ns, program, ['-w', '-X']);
  }
  if (backend === 'ipset') for (const set of ['geo_response4', 'geo_response6']) execInNetns(ns, 'ipset', ['destroy', set]);
}

function addForeignBlock(ns: string, backend: Backend, family: 4 | 6): void {
  const ip = FOREIGN[family];
  if (backend === 'nftables') execInNetns(ns, 'nft', [`add element inet geo_response blocked${family} { ${ip} timeout 1h }`]);
  else if (backend === 'ipset') execInNetns(ns, 'ipset', ['add', `geo_response${family}`, ip, 'timeout', '3600']);
  else execInNetns(ns, family === 4 ? 'iptables' : 'ip6tables', ['-w', '-A', 'GEO_RESPONSE', '-s', ip, '-j', 'DROP']);
}

const sorted = (values: Iterable<string>) => [...values].sort();

for (const backend of ['nftables', 'ipset', 'iptables'] as const) {
  const skip = whyNoNetns(['ip', ...PROGRAMS[backend]]);
  describe.skipIf(skip !== undefined)(`blocks with ${backend}${skip ? ` (skipped: ${skip})` : ''}`, () => {
    let ns = '';
    let home: BundleHome;
    const command = () => [IP, 'netns', 'exec', ns, TEST_NODE, home.exe];
    const alert = (action: 'add' | 'delete', ip: string) => runOssec(`${action} - ${ip} 1795823765.1 5710 /var/log/auth.log -`, { command: command(), env: home.env });
    const blocks = (args: string[], env: NodeJS.ProcessEnv = {}) => {
      const [program, ...rest] = command();
      return spawnSync(program!, [...rest, 'blocks', ...args], { env: { ...home.env, ...env }, cwd: '/', encoding: 'utf8' });
    };
    const listedNow = () => sorted([...listBlocked(ns, backend, 4), ...listBlocked(ns, backend, 6)]);
    const state = () => readRecordedState(home.home);

    beforeAll(async () => {
      ns = createNetns(`blk${backend.slice(0, 3)}`);
      home = makeBundleHome();
      home.writeConfig(configFor(backend, EXPIRE_SECONDS));
      for (const ip of [...KEPT, DELETED]) expect((await alert('add', ip)).code).toBe(0);
      expect((await alert('delete', DELETED)).code).toBe(0);
      home.writeConfig(configFor(backend, 1));
      expect((await alert('add', SHORT_LIVED)).code).toBe(0);
      home.writeConfig(configFor(backend, EXPIRE_SECONDS));
      expect(listedNow()).toEqual(sorted([...KEPT, SHORT_LIVED]));
    });
    afterAll(() => deleteNetns(ns));

    it('restore after the firewall is flushed puts back exactly the recorded blocks, each with the time it had left', async () => {
      const shortEnds = state().blocks.find((entry) => entry.ip === SHORT_LIVED)!.expires_ms!;
      expect(await waitFor(() => Date.now() > shortEnds, 5_000)).toBe(true);
      // When each block ends, as the kernel counts it (iptables rules have no end).
      const deadlines = () => (backend === 'iptables' ? undefined : new Map([...listBlockTimeLeft(ns, backend, 4), ...listBlockTimeLeft(ns, backend, 6)].map(([ip, ms]) => [ip, Date.now() + ms])));
      const before = deadlines();
      flushFirewall(ns, backend);
      expect(listedNow()).toEqual([]);

      const restored = blocks(['restore']);
      expect(restored.stderr).toBe('');
      expect(restored.status).toBe(0);
      expect(restored.stdout).toContain(`restored ${KEPT.length} block(s) into ${backend}`);
      // Not the deleted one, not the one whose time ran out.
      expect(listedNow()).toEqual(sorted(KEPT));
      const after = deadlines();
      if (before !== undefined && after !== undefined) {
        // The same deadline as before the flush: nftables counts in milliseconds, ipset in whole seconds (one more second of rounding).
        const tolerance = backend === 'nftables' ? 1000 : 2000;
        for (const ip of KEPT) expect(Math.abs(after.get(ip)! - before.get(ip)!)).toBeLessThanOrEqual(tolerance);
      }

      const hooks = [...listHookRules(ns, backend, 4), ...listHookRules(ns, backend, 6)];
      const again = blocks(['restore']);
      expect(again.status).toBe(0);
      expect(listedNow()).toEqual(sorted(KEPT));
      expect([...listHookRules(ns, backend, 4), ...listHookRules(ns, backend, 6)]).toEqual(hooks);
      if (backend === 'iptables') expect(again.stdout).toContain(`restored 0 block(s) into iptables; ${KEPT.length} already there`);
    });

    it('blocks lists what the firewall holds, in both formats, and marks an address no record explains', () => {
      addForeignBlock(ns, backend, 4);
      addForeignBlock(ns, backend, 6);
      const json = blocks(['--format', 'json']);
      expect(json.stderr).toBe('');
      expect(json.status).toBe(0);
      const view = JSON.parse(json.stdout) as { backend: string; native_expiry: boolean; blocks: Array<Record<string, unknown> & { ip: string }>; not_in_firewall: unknown[] };
      expect(sorted(view.blocks.map((row) => row.ip))).toEqual(listedNow());
      expect(sorted(view.blocks.map((row) => row.ip))).toEqual(sorted([...KEPT, FOREIGN[4], FOREIGN[6]]));
      expect(view.not_in_firewall).toEqual([]);
      const row = (ip: string) => view.blocks.find((block) => block.ip === ip)!;
      expect(row('95.173.130.7')).toMatchObject({ country_iso_code: 'RU', as_number: 12389, rule_id: '5710', reason: 'RU is in deny list', recorded: true });
      expect(row('240e:3b0::1')).toMatchObject({ country_iso_code: 'CN', as_number: 4134, recorded: true });
      expect(row(FOREIGN[4])).toMatchObject({ recorded: false });
      expect(row(FOREIGN[4]).country_iso_code).toBeUndefined();
      if (backend === 'iptables') {
        expect(view.native_expiry).toBe(false);
        for (const block of view.blocks) expect(block.expires).toBeNull();
      } else {
        for (const block of view.blocks) expect(Date.parse(block.expires as string)).toBeGreaterThan(Date.now());
      }

      const table = blocks(['--format', 'table']);
      expect(table.status).toBe(0);
      expect(table.stdout).toContain(`${view.blocks.length} address(es) blocked by ${backend}`);
      const lines = table.stdout.split('\n');
      for (const ip of listedNow()) expect(lines.filter((line) => line.startsWith(`  ${ip} `))).toHaveLength(1);
      expect(lines.find((line) => line.startsWith(`  ${FOREIGN[4]} `))).toContain('not in the geo log');
      expect(lines.find((line) => line.startsWith('  95.173.130.7 '))).toMatch(/RU AS12389 .* 5710 .*RU is in deny list/);
      if (backend === 'iptables') expect(table.stdout).toContain('iptables has no expiry of its own');
    });

    it('remove lifts a block and records who asked; execd\'s later delete is harmless, restore leaves it out, a new add blocks again', async () => {
      const [ip] = KEPT as [string];
      const removed = blocks(['remove', ip, FOREIGN[4]], { SUDO_USER: 'alice' });
      expect(removed.stderr).toBe('');
      expect(removed.status).toBe(0);
      expect(removed.stdout).toContain(`${ip}: unblocked (${backend})`);
      expect(listedNow()).not.toContain(ip);
      expect(listedNow()).not.toContain(FOREIGN[4]);
      const records = home.readRecords();
      const removal = records.filter((record) => record.geo_response.protocol === 'cli').map((record) => ({ ...parseReportEvent(JSON.stringify(record)), by: record.geo_response.requested_by, result: record.geo_response.firewall.result }));
      expect(removal).toMatchObject([
        { ip, action: 'delete', outcome: 'success', by: { user: 'alice', uid: 0 }, result: 'unblocked' },
        { ip: FOREIGN[4], action: 'delete', outcome: 'success', by: { user: 'alice', uid: 0 }, result: 'unblocked' },
      ]);
      expect(state().blocks.map((entry) => entry.ip)).not.toContain(ip);
      // remove folds the waiting changes: the state file itself says it, with none left waiting.
      expect(readBlockState(blockStatePath(home.home)).blocks.map((entry) => entry.ip)).not.toContain(ip);
      expect(readBlockChanges(blockStatePath(home.home)).names).toEqual([]);

      const arLogBefore = existsSync(home.arLogPath) ? readFileSync(home.arLogPath, 'utf8') : '';
      const late = await alert('delete', ip);
      expect(late.stderr).toBe('');
      expect(late.code).toBe(0);
      const lateRecord = home.readRecords().at(-1)!;
      expect(parseReportEvent(JSON.stringify(lateRecord))).toMatchObject({ ip, action: 'delete', outcome: 'success' });
      expect(lateRecord.geo_response.firewall.result).toBe('not-blocked');
      expect(existsSync(home.arLogPath) ? readFileSync(home.arLogPath, 'utf8') : '').toBe(arLogBefore);

      flushFirewall(ns, backend);
      expect(blocks(['restore']).status).toBe(0);
      expect(listedNow()).toEqual(sorted(KEPT.slice(1)));

      expect((await alert('add', ip)).code).toBe(0);
      expect(listedNow()).toContain(ip);
    });
  });
}

describe('blocks on what it cannot do', () => {
  it.each([
    { title: 'restore with backend none is nothing to do (safe at every boot)', backend: 'none', args: ['restore'], status: 0, stdout: /nothing to restore: firewall.backend is "none"/, stderr: '' },
    { title: 'list with backend none says so', backend: 'none', args: [], status: 4, stdout: /^$/, stderr: 'geo-response: blocks: firewall.backend is "none": geo-response blocks nothing\n' },
    { title: 'remove of something that is not an address changes nothing', backend: 'nftables', args: ['remove', '1.0.0.1', '1.0.0.300'], status: 3, stdout: /^$/, stderr: /1\.0\.0\.300/ },
    { title: 'an unknown action', backend: 'nftables', args: ['purge'], status: 2, stdout: /^$/, stderr: /unknown action "purge": expected list, remove or restore/ },
  ])('$title', ({ backend, args, status, stdout, stderr }) => {
    const home = makeBundleHome();
    home.writeConfig({ firewall: { backend } });
    const result = spawnSync(TEST_NODE, [home.exe, 'blocks', ...args], { env: home.env, cwd: '/', encoding: 'utf8' });
    expect(result.stdout).toMatch(stdout);
    if (typeof stderr === 'string') expect(result.stderr).toBe(stderr);
    else expect(result.stderr).toMatch(stderr);
    expect(result.stderr.split('\n').filter(Boolean).length).toBeLessThanOrEqual(1);
    expect(result.status).toBe(status);
    expect(home.readLogText()).toBe('');
  });
});

describe.skipIf(process.getuid?.() !== 0)(`the block state is trusted only when it is root's alone${process.getuid?.() !== 0 ? ' (skipped: needs root to own the state)' : ''}`, () => {
  it.each([
    { title: 'a state file its group can write', file: 0o620, dir: 0o700, problem: 'writable by its group (mode 0620)' },
    { title: 'a state directory others can write', file: 0o600, dir: 0o777, problem: 'writable by group and others (mode 0777)' },
  ])('restore refuses $title and changes nothing', ({ file, dir, problem }) => {
    const home = makeBundleHome();
    home.writeConfig({ firewall: { backend: 'nftables', expire_seconds: 60 } });
    const stateDir = join(home.home, 'active-response', 'state');
    const statePath = join(stateDir, 'blocks.json');
    mkdirSync(stateDir);
    const planted = `{"version":2,"columns":["ip","backend","since_ms","expires_ms"],"blocks":[\n["192.0.2.1","nftables",1767225600000,null]\n]}\n`;
    writeFileSync(statePath, planted);
    chmodSync(statePath, file);
    chmodSync(stateDir, dir);
    // Dry run: nothing would reach a firewall even if the file were (wrongly) trusted; the refusal comes first.
    const result = spawnSync(TEST_NODE, [home.exe, 'blocks', 'restore', '--dry-run'], { env: home.env, cwd: '/', encoding: 'utf8' });
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`block state ${statePath}: `);
    expect(result.stderr).toContain(problem);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.status).toBe(4);
    expect(readFileSync(statePath, 'utf8')).toBe(planted);
  });
});

/** A namespace and an installation blocking with nftables, its state directory made, and `blocks restore` run in the namespace. */
function nftablesInstall(name: string) {
  const ns = createNetns(name);
  const home = makeBundleHome();
  home.writeConfig(configFor('nftables', EXPIRE_SECONDS));
  const stateDir = join(home.home, 'active-response', 'state');
  mkdirSync(stateDir, { mode: 0o700 });
  const restore = (...extra: string[]) => spawnSync(IP, ['netns', 'exec', ns, TEST_NODE, home.exe, 'blocks', 'restore', ...extra], { env: home.env, cwd: '/', encoding: 'utf8' });
  return { ns, stateDir, restore };
}

const skipNftables = whyNoNetns(['ip', ...PROGRAMS.nftables]);
const skippedNftables = skipNftables ? ` (skipped: ${skipNftables})` : '';

describe.skipIf(skipNftables !== undefined)(`a block state written by an earlier build (version 1)${skippedNftables}`, () => {
  let ns = '';
  afterAll(() => deleteNetns(ns));

  it('is restored as it says, and written back in the current layout', () => {
    const { stateDir, restore, ...install } = nftablesInstall('blkv1');
    ns = install.ns;
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    const lines = [
      `{"ip":"95.173.130.7","backend":"nftables","since":"2026-01-01T00:00:00.000Z","expires":"${inAnHour}"}`,
      '{"ip":"240e:3b0::1","backend":"ipset","since":"2026-01-01T00:00:00.000Z","expires":null}',
      '{"ip":"41.0.0.1","backend":"nftables","since":"2026-01-01T00:00:00.000Z","expires":"2026-01-01T01:00:00.000Z"}',
    ];
    writeFileSync(join(stateDir, 'blocks.json'), `{"version":1,"blocks":[\n${lines.join(',\n')}\n]}\n`, { mode: 0o600 });
    const planted = readFileSync(join(stateDir, 'blocks.json'), 'utf8');

    const dryRun = restore('--dry-run');
    expect(dryRun.stdout).toMatch(/^would restore 2 block\(s\) into nftables; 0 already there; 1 ended and dropped from the state\n/);
    expect(readFileSync(join(stateDir, 'blocks.json'), 'utf8')).toBe(planted);
    expect(sorted([...listBlocked(ns, 'nftables', 4), ...listBlocked(ns, 'nftables', 6)])).toEqual([]);

    const first = restore();
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe('restored 2 block(s) into nftables; 0 already there; 1 ended and dropped from the state\n');
    expect(sorted([...listBlocked(ns, 'nftables', 4), ...listBlocked(ns, 'nftables', 6)])).toEqual(['240e:3b0::1', '95.173.130.7']);
    const text = readFileSync(join(stateDir, 'blocks.json'), 'utf8');
    expect(text.startsWith('{"version":2,')).toBe(true);
    expect(parseBlockState(text).blocks).toEqual([
      { ip: '95.173.130.7', backend: 'nftables', since_ms: Date.parse('2026-01-01T00:00:00.000Z'), expires_ms: Date.parse(inAnHour) },
      { ip: '240e:3b0::1', backend: 'ipset', since_ms: Date.parse('2026-01-01T00:00:00.000Z'), expires_ms: null },
    ]);

    flushFirewall(ns, 'nftables');
    const second = restore();
    expect(second.stdout).toBe('restored 2 block(s) into nftables; 0 already there; 0 ended and dropped from the state\n');
    expect(readFileSync(join(stateDir, 'blocks.json'), 'utf8')).toBe(text);
  });
});

describe.skipIf(skipNftables !== undefined)(`a restore of ${SPLIT_RESTORE_FROM + 5000} blocks (nftables, two batches at once)${skippedNftables}`, () => {
  let ns = '';
  afterAll(() => deleteNetns(ns));

  it('puts back every block, once, with one copy of each rule, and again when run twice', () => {
    const { stateDir, restore, ...install } = nftablesInstall('blkbig');
    ns = install.ns;
    const count = SPLIT_RESTORE_FROM + 5000;
    // Shared address space (100.64.0.0/10) and a few IPv6 ones, as geo-response records them.
    const ips = Array.from({ length: count }, (_, index) => (index % 1000 === 999 ? `2001:db8::${(index + 1).toString(16)}` : `100.${64 + (index >> 16)}.${(index >> 8) & 255}.${index & 255}`));
    const nowMs = Date.now();
    writeFileSync(join(stateDir, 'blocks.json'), formatBlockState({ blocks: ips.map((ip) => ({ ip, backend: 'nftables', since_ms: nowMs, expires_ms: nowMs + 3_600_000 })) }), { mode: 0o600 });

    for (let run = 1; run <= 2; run += 1) {
      const result = restore();
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe(`restored ${count} block(s) into nftables; 0 already there; 0 ended and dropped from the state\n`);
      const listed = [...listBlocked(ns, 'nftables', 4), ...listBlocked(ns, 'nftables', 6)];
      expect(listed).toHaveLength(count);
      expect(new Set(listed)).toEqual(new Set(ips));
      expect(listHookRulesByChain(ns, 'nftables', 4)).toEqual({ input: ['ip saddr @blocked4 drop', 'ip6 saddr @blocked6 drop'], forward: ['ip saddr @blocked4 drop', 'ip6 saddr @blocked6 drop'] });
    }
  });
});
