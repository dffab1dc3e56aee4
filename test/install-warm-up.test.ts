/**
 * install.sh warms what it installs: it runs an add and its delete the way execd will, so the first
 * real alert finds the V8 code caches and the validated configuration beside the executable
 * (docs/performance.md). The warm-up must leave nothing an admin would see: no record in the geo
 * log, no line in active-responses.log, no change to the installation's firewall; and its caches
 * must be the ones the real alert reads (root's, named by this build and the #! line's Node).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runOssecAddThenDelete, runWazuh4AddThenDelete } from './support/execd-sequence.js';
import { runWazuh5, wazuhBruteForceMessage } from './support/execd.js';
import { type Account, type FakeTree, type Product, createFakeTree, createTestAccount, ensureBuilt, removeAccount, removeFakeTree, runInstall, IS_ROOT } from './support/fake-install-tree.js';
import { createNetns, deleteNetns, execInNetns, whyNoNetns } from './support/netns.js';
import { findUntrustedDirectory } from '../src/trust/trusted-path.js';

const ATTACKER_IP = '95.173.130.7';
const WARM_UP_IP = '81.2.69.142';

interface ProductCase {
  product: Product;
  protocol: 'ossec' | 'wazuh4';
  confDir: string;
}

const PRODUCTS: ProductCase[] = [
  { product: 'ossec', protocol: 'ossec', confDir: 'etc' },
  { product: 'wazuh', protocol: 'wazuh4', confDir: 'active-response/etc' },
];

let account: Account | undefined;
let trees: FakeTree[] = [];

beforeAll(() => {
  if (!IS_ROOT) return;
  ensureBuilt();
  account = createTestAccount('warmup');
});

afterEach(() => {
  for (const tree of trees) removeFakeTree(tree);
  trees = [];
});

afterAll(() => removeAccount(account));

function makeTree(c: ProductCase): FakeTree {
  const tree = createFakeTree({ product: c.product, account: account! });
  trees.push(tree);
  return tree;
}

/** The caches beside the executable: name → what would change if an alert wrote it again. */
function caches(home: string): Map<string, string> {
  const bin = path.join(home, 'active-response', 'bin');
  const entries = fs
    .readdirSync(bin)
    .filter((name) => name.startsWith('.geo-response.'))
    .sort()
    .map((name): [string, string] => {
      const stat = fs.statSync(path.join(bin, name));
      return [name, `${stat.ino} ${stat.mtimeMs} ${stat.size}`];
    });
  return new Map(entries);
}

/** What each cache is: `.geo-response.<build>.node<version>.<kind>` → kind. */
function kinds(names: Iterable<string>): string[] {
  return [...names].map((name) => name.replace(/^\.geo-response\.[0-9a-f]{16}\.node[^.]+(?:\.\d+)*\./, '')).sort();
}

async function driveAddDelete(c: ProductCase, command: string[]) {
  const options = { command, timeoutBetweenMs: 0 };
  const result = c.protocol === 'ossec' ? await runOssecAddThenDelete(`- ${ATTACKER_IP} 1795823765.1 5710 /var/log/auth.log -`, options) : await runWazuh4AddThenDelete(wazuhBruteForceMessage(ATTACKER_IP), options);
  expect([result.add.code, result.add.stderr]).toEqual([0, '']);
  expect([result.delete.code, result.delete.stderr]).toEqual([0, '']);
}

function readRecords(home: string): Array<Record<string, any>> {
  return fs
    .readFileSync(path.join(home, 'logs', 'geo-response.log'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, any>);
}

describe.skipIf(!IS_ROOT).each(PRODUCTS)('install.sh warms a $product install (needs root: chown)', (c) => {
  it('leaves root-only caches and no trace an admin would see; the first alert then writes no cache', async () => {
    const tree = makeTree(c);
    const arLog = path.join(tree.home, 'logs', 'active-responses.log');
    const arBefore = fs.readFileSync(arLog);
    const result = runInstall(['--prefix', tree.home]);
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toMatch(/^warm up: ran an add and a delete alert as execd would/m);

    const bin = path.join(tree.home, 'active-response', 'bin');
    const warmed = caches(tree.home);
    // The example configuration logs only: the program, the configuration parser and its result.
    expect(kinds(warmed.keys())).toEqual(['config.json', 'parse-config.v8cache', 'program.v8cache']);
    // Named for the Node of the #! line, the one execd runs.
    const node = fs.readFileSync(path.join(bin, 'geo-response'), 'utf8').split('\n', 1)[0]!.slice(2);
    const nodeVersion = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
    for (const name of warmed.keys()) {
      expect(name).toContain(`.node${nodeVersion}.`);
      const stat = fs.statSync(path.join(bin, name));
      expect(stat.uid).toBe(0);
      expect(stat.mode & 0o022).toBe(0);
    }
    // The rule a cache is read by (src/loader/cache-files.ts): root's, all the way up.
    expect(findUntrustedDirectory(bin)).toBeUndefined();

    // Nothing where the admin looks: the geo log as install.sh created it, active-responses.log as it was.
    expect(fs.readFileSync(path.join(tree.home, 'logs', 'geo-response.log'), 'utf8')).toBe('');
    expect(fs.readFileSync(arLog).equals(arBefore)).toBe(true);
    expect(fs.existsSync(path.join(tree.home, 'active-response', 'state'))).toBe(false);
    expect(fs.readdirSync(tree.home).filter((name) => name.startsWith('.geo-response-install'))).toEqual([]);

    // The first alerts after the install find every cache: none is written or replaced.
    await driveAddDelete(c, [path.join(bin, 'geo-response')]);
    expect(caches(tree.home)).toEqual(warmed);
    expect(readRecords(tree.home).map((r) => [r.event.action, r.source.ip, r.event.outcome])).toEqual([
      ['add', ATTACKER_IP, 'success'],
      ['delete', ATTACKER_IP, 'success'],
    ]);
    expect(fs.readFileSync(arLog).equals(arBefore)).toBe(true);
  });

  it('a configuration that no longer validates: no warm-up, and install.sh fails as before', () => {
    const tree = makeTree(c);
    fs.writeFileSync(path.join(tree.home, 'etc', 'geo-response.json'), '{ "policy": { "mode": "deny", "countries": ["UK"] } }\n');
    const result = runInstall(['--prefix', tree.home]);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toMatch(/warm up/);
    expect(caches(tree.home).size).toBe(0);
  });
});

describe.skipIf(!IS_ROOT)('install.sh warms on upgrade and for Wazuh 5 (needs root: chown)', () => {
  it('an upgrade: the older build\'s code caches go, this build\'s are warmed, and the first alert writes none', async () => {
    const c = PRODUCTS[0]!;
    const tree = makeTree(c);
    expect(runInstall(['--prefix', tree.home]).code).toBe(0);
    const bin = path.join(tree.home, 'active-response', 'bin');
    // As if an older build had run: its caches beside this one's, which go with them.
    for (const name of caches(tree.home).keys()) fs.renameSync(path.join(bin, name), path.join(bin, name.replace(/^\.geo-response\.[0-9a-f]{16}\./, '.geo-response.aaaaaaaaaaaaaaaa.')));
    const upgrade = runInstall(['--prefix', tree.home]);
    expect([upgrade.code, upgrade.stderr]).toEqual([0, '']);
    expect(upgrade.stdout).toMatch(/remove \S+\/\.geo-response\.aaaaaaaaaaaaaaaa\.node\S+\.program\.v8cache/);
    const warmed = caches(tree.home);
    // This build's three, and the older build's validated configuration (a delete may need it).
    expect([...warmed.keys()].filter((name) => !name.includes('aaaaaaaaaaaaaaaa')).length).toBe(3);
    expect(kinds(warmed.keys())).toEqual(['config.json', 'config.json', 'parse-config.v8cache', 'program.v8cache']);
    await driveAddDelete(c, [path.join(bin, 'geo-response')]);
    expect(caches(tree.home)).toEqual(warmed);
  });

  it('Wazuh 5: the warm-up speaks its enable/disable, and the first enable writes no cache', async () => {
    const tree = createFakeTree({ product: 'wazuh', version: 'v5.0.0', account: account! });
    trees.push(tree);
    const result = runInstall(['--prefix', tree.home]);
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toMatch(/^warm up: /m);
    const warmed = caches(tree.home);
    expect(kinds(warmed.keys())).toEqual(['config.json', 'parse-config.v8cache', 'program.v8cache']);
    expect(fs.readFileSync(path.join(tree.home, 'logs', 'geo-response.log'), 'utf8')).toBe('');
    const message = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'messages', 'wcs-enable.json'), 'utf8'));
    message.source.ip = ATTACKER_IP;
    const enable = await runWazuh5(message, { command: [path.join(tree.home, 'active-response', 'bin', 'geo-response')] });
    expect([enable.code, enable.stderr]).toEqual([0, '']);
    expect(readRecords(tree.home).map((r) => [r.event.action, r.geo_response.protocol])).toEqual([['add', 'wazuh5']]);
    expect(caches(tree.home)).toEqual(warmed);
  });
});

// The blocking path's part (the firewall runner, execa) is warmed too, by really blocking: inside a
// network namespace that unshare makes for the warm-up alone. The test runs install.sh in a
// namespace of its own standing in for the host, whose firewall must stay as it was.
const whyNot = IS_ROOT ? (whyNoNetns(['nft']) ?? (spawnSync('unshare', ['--net', 'true']).status === 0 ? undefined : 'unshare --net does not work here')) : 'needs root';
describe.skipIf(whyNot !== undefined)(`install.sh warms the firewall part in a namespace of its own${whyNot ? ` (skipped: ${whyNot})` : ''}`, () => {
  let ns: string | undefined;
  afterEach(() => {
    deleteNetns(ns);
    ns = undefined;
  });

  it('an nftables policy that blocks the warm-up address: firewall part cached, the host firewall untouched; then a real block writes no cache', async () => {
    const c = PRODUCTS[0]!;
    const tree = makeTree(c);
    ns = createNetns('warm');
    // GB is the warm-up address's country, RU the attacker's.
    fs.writeFileSync(path.join(tree.home, 'etc', 'geo-response.json'), JSON.stringify({ policy: { mode: 'deny', countries: ['GB', 'RU'] }, firewall: { backend: 'nftables' } }));
    const install = spawnSync('/usr/sbin/ip', ['netns', 'exec', ns, '/bin/sh', path.join(__dirname, '..', 'install.sh'), '--prefix', tree.home], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GEO_RESPONSE_SYSTEMD_RUNNING_DIR: '/nonexistent/systemd-not-running' },
      encoding: 'utf8',
    });
    expect([install.status, install.stderr]).toEqual([0, '']);
    expect(install.stdout).toMatch(/the firewall in a network namespace of its own/);
    const warmed = caches(tree.home);
    expect(kinds(warmed.keys())).toEqual(['config.json', 'firewall.v8cache', 'parse-config.v8cache', 'program.v8cache']);
    // The namespace install.sh ran in (the "host") has no table, and no state was recorded.
    expect(execInNetns(ns, 'nft', ['list', 'tables']).stdout).toBe('');
    expect(fs.existsSync(path.join(tree.home, 'active-response', 'state'))).toBe(false);
    expect(fs.readFileSync(path.join(tree.home, 'logs', 'geo-response.log'), 'utf8')).toBe('');

    // A real block there, as execd runs it: it blocks, and every cache it reads was the warm-up's.
    const exe = path.join(tree.home, 'active-response', 'bin', 'geo-response');
    const add = spawnSync('/usr/sbin/ip', ['netns', 'exec', ns, exe, 'add', '-', ATTACKER_IP, '1.1', '5710', '/var/log/auth.log', '-'], { cwd: '/', env: {}, encoding: 'utf8' });
    expect([add.status, add.stderr]).toEqual([0, '']);
    expect(execInNetns(ns, 'nft', ['list', 'set', 'inet', 'geo_response', 'blocked4']).stdout).toContain(ATTACKER_IP);
    expect(readRecords(tree.home).map((r) => r.geo_response.firewall.result)).toEqual(['blocked']);
    expect(caches(tree.home)).toEqual(warmed);
    // The warm-up's own address never reached this namespace.
    expect(execInNetns(ns, 'nft', ['list', 'set', 'inet', 'geo_response', 'blocked4']).stdout).not.toContain(WARM_UP_IP);
  });
});
