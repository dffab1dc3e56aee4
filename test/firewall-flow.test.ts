import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readdirSync, renameSync } from 'node:fs';
import { makeBundleHome, TEST_NODE, type BundleHome } from './support/bundle-home';
import { createNetns, deleteNetns, execInNetns, whyNoNetns } from './support/netns';
import { listBlocked } from './support/firewall-state';

// The whole flow through the built executable, run inside a fresh network namespace the way
// execd would run it: configuration file → lookup in the fixture databases → decision →
// nftables → the record. Each row asserts the decision, its reason in the record, and the
// kernel's firewall state afterwards.
const FIXTURES = join(__dirname, 'fixtures');
const skip = whyNoNetns(['nft']);
// An address the namespace itself holds: the built-in safety must refuse to block it. And one
// on a link without carrier (its veth peer is down), which libuv does not even list.
const HOST_ADDRESS = '5.9.10.99';
const NO_CARRIER_ADDRESS = '5.9.10.98';
const NO_CARRIER_ADDRESS6 = '2a01:4f8::98';

const base = (policy: Record<string, unknown>) => ({
  databases: { geo: join(FIXTURES, 'GeoIP2-City-Test.mmdb'), asn: join(FIXTURES, 'GeoLite2-ASN-Test.mmdb') },
  policy,
  firewall: { backend: 'nftables', expire_seconds: 3600 },
});

const CASES = [
  { title: 'deny list: RU is blocked', policy: { mode: 'deny', countries: ['RU'] }, ip: '95.173.130.7', action: 'block', reason: 'RU is in deny list', blocked: true },
  { title: 'deny list: DE is allowed', policy: { mode: 'deny', countries: ['RU'] }, ip: '5.9.10.11', action: 'allow', reason: 'DE is not in deny list', blocked: false },
  { title: 'deny list over IPv6', policy: { mode: 'deny', countries: ['RU'] }, ip: '2a00:1fa0:4:5::6', action: 'block', reason: 'RU is in deny list', blocked: true },
  { title: 'allow list: CN is blocked', policy: { mode: 'allow', countries: ['DE', 'US'] }, ip: '1.0.9.9', action: 'block', reason: 'CN is not in allow list', blocked: true },
  { title: 'allow list: DE is allowed', policy: { mode: 'allow', countries: ['DE', 'US'] }, ip: '5.9.10.11', action: 'allow', reason: 'DE is in allow list', blocked: false },
  { title: 'ASN deny: AS4134 is blocked', policy: { mode: 'deny', asns: [4134] }, ip: '240e:3b0::1', action: 'block', reason: 'AS4134 is in deny list', blocked: true },
  { title: 'unknown country, unknown=log', policy: { mode: 'deny', countries: ['RU'], unknown: 'log' }, ip: '41.0.0.1', action: 'log', reason: 'country unknown; policy.unknown is log', blocked: false },
  { title: 'unknown country, unknown=block', policy: { mode: 'deny', countries: ['RU'], unknown: 'block' }, ip: '41.0.0.1', action: 'block', reason: 'country unknown; policy.unknown is block', blocked: true },
  { title: 'never_block wins over the deny list', policy: { mode: 'deny', countries: ['RU'], never_block: ['95.173.128.0/19'] }, ip: '95.173.130.7', action: 'allow', reason: '95.173.128.0/19 is in never_block', blocked: false },
  { title: 'loopback is never blocked', policy: { mode: 'allow', countries: [], unknown: 'block' }, ip: '127.0.0.1', action: 'allow', reason: '127.0.0.0/8 never blocked (loopback)', blocked: false },
  { title: 'link-local is never blocked', policy: { mode: 'allow', countries: [], unknown: 'block' }, ip: 'fe80::1', action: 'allow', reason: 'fe80::/10 never blocked (link-local)', blocked: false },
  { title: "the namespace's own address is never blocked", policy: { mode: 'deny', countries: ['DE'] }, ip: HOST_ADDRESS, action: 'allow', reason: `${HOST_ADDRESS} is an address of this host; never blocked`, blocked: false },
  { title: 'an address on a link without carrier is never blocked', policy: { mode: 'deny', countries: ['DE'] }, ip: NO_CARRIER_ADDRESS, action: 'allow', reason: `${NO_CARRIER_ADDRESS} is an address of this host; never blocked`, blocked: false },
  { title: 'an IPv6 address on a link without carrier is never blocked', policy: { mode: 'deny', countries: ['DE'] }, ip: NO_CARRIER_ADDRESS6, action: 'allow', reason: `${NO_CARRIER_ADDRESS6} is an address of this host; never blocked`, blocked: false },
  { title: 'a private address without allow_private', policy: { mode: 'allow', countries: [], unknown: 'block' }, ip: '10.0.0.5', action: 'allow', reason: '10.0.0.0/8 never blocked (private; allow_private is false)', blocked: false },
  { title: 'a private address with allow_private', policy: { mode: 'allow', countries: [], unknown: 'block', allow_private: true }, ip: '10.0.0.5', action: 'block', reason: 'country unknown (private); policy.unknown is block', blocked: true },
];

describe.skipIf(skip !== undefined)(`policy → nftables through the bundle${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let ns: string;
  beforeAll(() => {
    ns = createNetns('flow');
    execInNetns(ns, 'ip', ['addr', 'add', `${HOST_ADDRESS}/32`, 'dev', 'lo']);
    execInNetns(ns, 'ip', ['link', 'add', 'gr-nocarrier', 'type', 'veth', 'peer', 'name', 'gr-peer']);
    execInNetns(ns, 'ip', ['addr', 'add', `${NO_CARRIER_ADDRESS}/24`, 'dev', 'gr-nocarrier']);
    execInNetns(ns, 'ip', ['addr', 'add', `${NO_CARRIER_ADDRESS6}/64`, 'dev', 'gr-nocarrier', 'nodad']);
    execInNetns(ns, 'ip', ['link', 'set', 'gr-nocarrier', 'up']);
    // A TPROXY/AnyIP setup's local route for everything, in its own table: it must not make every
    // address count as the host's own (the blocking rows below would then all say "never blocked").
    execInNetns(ns, 'ip', ['route', 'add', 'local', '0.0.0.0/0', 'dev', 'lo', 'table', '100']);
  });
  afterAll(() => deleteNetns(ns));

  const run = (home: BundleHome, action: 'add' | 'delete', ip: string) =>
    spawnSync('/usr/sbin/ip', ['netns', 'exec', ns, TEST_NODE, home.exe, action, '-', ip, '1795823765.1', '5710', '/var/log/auth.log', '-'], { env: home.env, cwd: '/', encoding: 'utf8' });

  it.each(CASES)('$title', ({ policy, ip, action, reason, blocked }) => {
    const home = makeBundleHome();
    home.writeConfig(base(policy));
    const family = ip.includes(':') ? 6 : 4;
    const added = run(home, 'add', ip);
    expect(added.stderr).toBe('');
    expect(added.status).toBe(0);
    const [record] = home.readRecords();
    expect(record!.geo_response.decision).toEqual({ action, reason });
    expect(record!.event.outcome).toBe('success');
    expect(listBlocked(ns, 'nftables', family).includes(ip)).toBe(blocked);
    if (blocked) expect(record!.geo_response.firewall).toMatchObject({ backend: 'nftables', result: 'blocked', expire_seconds: 3600 });
    else expect(record!.geo_response.firewall).toBeUndefined();

    const deleted = run(home, 'delete', ip);
    expect(deleted.status).toBe(0);
    expect(listBlocked(ns, 'nftables', family)).not.toContain(ip);
    // A delete always goes to the backend: it removes the block, or finds none to remove.
    expect(home.readRecords()[1]!.geo_response.firewall).toMatchObject({ backend: 'nftables', result: blocked ? 'unblocked' : 'not-blocked' });
  });

  it.each([
    { title: '50 distinct addresses leave 50 blocks', ips: Array.from({ length: 50 }, (_, i) => `95.173.${128 + Math.floor(i / 25)}.${10 + (i % 25)}`), blocks: 50 },
    { title: '50 alerts for one address leave one block', ips: Array.from({ length: 50 }, () => '95.173.130.99'), blocks: 1 },
  ])('50 concurrent adds through the bundle: $title, none fails', async ({ ips, blocks }) => {
    const home = makeBundleHome();
    home.writeConfig(base({ mode: 'deny', countries: ['RU'] }));
    const runs = ips.map(
      (ip, i) =>
        new Promise<number | null>((resolve, reject) => {
          const child = spawn('/usr/sbin/ip', ['netns', 'exec', ns, TEST_NODE, home.exe, 'add', '-', ip, `1795823765.${i}`, '5710', '/var/log/auth.log', '-'], { env: home.env, cwd: '/', stdio: 'ignore' });
          child.on('error', reject);
          child.on('close', resolve);
        }),
    );
    expect(await Promise.all(runs)).toEqual(ips.map(() => 0));
    const blocked = listBlocked(ns, 'nftables', 4).filter((ip) => ips.includes(ip));
    expect(blocked.sort()).toEqual([...new Set(ips)].sort());
    expect(blocked).toHaveLength(blocks);
    const records = home.readRecords();
    expect(records).toHaveLength(50);
    expect(records.every((r) => r.event.outcome === 'success' && r.geo_response.decision.action === 'block')).toBe(true);
    for (const ip of new Set(ips)) expect(run(home, 'delete', ip).status).toBe(0);
    expect(listBlocked(ns, 'nftables', 4).filter((ip) => ips.includes(ip))).toEqual([]);
  });

  it('a configuration broken between add and delete: the delete still removes the block, and fails visibly', () => {
    const home = makeBundleHome();
    home.writeConfig(base({ mode: 'deny', countries: ['RU'] }));
    expect(run(home, 'add', '95.173.130.55').status).toBe(0);
    expect(listBlocked(ns, 'nftables', 4)).toContain('95.173.130.55');
    home.writeConfig({ ...base({ mode: 'deny', countries: ['RU'] }), unknwn: 'log' });
    const deleted = run(home, 'delete', '95.173.130.55');
    expect(deleted.status).toBe(4);
    expect(deleted.stderr).toMatch(/geo-response\.json: \(top level\): unknown key "unknwn"/);
    expect(listBlocked(ns, 'nftables', 4)).not.toContain('95.173.130.55');
    const record = home.readRecords()[1]!;
    expect(record.event.outcome).toBe('failure');
    expect(record.event.reason).toMatch(/unknown key "unknwn"; firewall unblocked with the last valid configuration$/);
    expect(record.geo_response.firewall).toMatchObject({ backend: 'nftables', result: 'unblocked' });
  });

  it('right after an upgrade (caches of another build), a delete under a broken configuration still removes the block', () => {
    const home = makeBundleHome();
    home.writeConfig(base({ mode: 'deny', countries: ['RU'] }));
    expect(run(home, 'add', '95.173.130.56').status).toBe(0);
    const bin = join(home.home, 'active-response', 'bin');
    const cache = readdirSync(bin).find((name) => name.endsWith('.config.json'))!;
    renameSync(join(bin, cache), join(bin, cache.replace(/\.[0-9a-f]{16}\./, '.0000000000000000.')));
    home.writeConfig({ ...base({ mode: 'deny', countries: ['UK'] }) });
    const deleted = run(home, 'delete', '95.173.130.56');
    expect(deleted.status).toBe(4);
    expect(listBlocked(ns, 'nftables', 4)).not.toContain('95.173.130.56');
    expect(home.readRecords()[1]!.event.reason).toMatch(/"UK" is not an assigned ISO 3166-1 alpha-2 code \(did you mean "GB"\?\); firewall unblocked with the last valid configuration$/);
  });

  it('an invalid configuration blocks nothing and says which key', () => {
    const home = makeBundleHome();
    home.writeConfig({ ...base({ mode: 'deny', countries: ['RU'] }), firewall: { backend: 'nftables', expire_seconds: -1 } });
    const added = run(home, 'add', '95.173.130.7');
    expect(added.status).toBe(4);
    expect(added.stderr).toMatch(/geo-response\.json: firewall\.expire_seconds: /);
    expect(listBlocked(ns, 'nftables', 4)).not.toContain('95.173.130.7');
    const [record] = home.readRecords();
    expect(record!.event.outcome).toBe('failure');
    expect(record!.geo_response.error_code).toBe('CONFIG_INVALID');
    expect(record!.geo_response.firewall).toBeUndefined();
  });

  it('dry_run records the exact commands and changes nothing', () => {
    const home = makeBundleHome();
    home.writeConfig({ ...base({ mode: 'deny', countries: ['RU'] }), firewall: { backend: 'nftables', expire_seconds: 60, dry_run: true } });
    const added = run(home, 'add', '95.173.130.8');
    expect(added.status).toBe(0);
    const [record] = home.readRecords();
    expect(record!.geo_response.firewall).toMatchObject({ backend: 'nftables', result: 'planned', dry_run: true });
    const commands: string[] = record!.geo_response.firewall.commands;
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatch(/^\S*nft 'add table inet geo_response; .*; create element inet geo_response blocked4 \{ 95\.173\.130\.8 timeout 60s \}'$/);
    expect(listBlocked(ns, 'nftables', 4)).not.toContain('95.173.130.8');
  });
});
