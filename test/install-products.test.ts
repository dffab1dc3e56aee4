/**
 * install.sh against temp trees laid out like real OSSEC 3.x and Wazuh 4.x
 * installs, then the installed executable driven the way each product's execd
 * drives it. Run as root (chown); each product's group and daemon user are a new
 * account of a unique name made for this run and removed afterwards, never the
 * host's own ossec/wazuh accounts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runOssecAddThenDelete, runWazuh4AddThenDelete } from './support/execd-sequence.js';
import { wazuhBruteForceMessage } from './support/execd.js';
import {
  type Account,
  type FakeTree,
  type Product,
  assertWellFormedOssecConf,
  createFakeTree,
  createTestAccount,
  ensureBuilt,
  hashTree,
  ownership,
  removeAccount,
  removeFakeTree,
  runInstall,
  IS_ROOT,
  REPO_ROOT,
} from './support/fake-install-tree.js';

const ATTACKER_IP = '1.1.1.1';
const MIN_NODE = [18, 19] as const;

interface ProductCase {
  product: Product;
  /** What the stock installer calls its group and daemon user (the label of this run's own account). */
  accountName: string;
  /** The execd that calls us on this product: OSSEC argv or Wazuh 4 JSON. */
  protocol: 'ossec' | 'wazuh4';
  expectsSrcip: boolean;
  /** Where geo-response's configuration and database go: etc/ only where just root can write it (src/trust/config-location.ts). */
  confDir: string;
}

const PRODUCTS: ProductCase[] = [
  { product: 'ossec', accountName: 'ossec', protocol: 'ossec', expectsSrcip: true, confDir: 'etc' },
  // Wazuh's etc/ is root:wazuh 0770: the group could swap a file there.
  { product: 'wazuh', accountName: 'wazuh', protocol: 'wazuh4', expectsSrcip: false, confDir: 'active-response/etc' },
];

const accounts = new Map<Product, Account>();
let trees: FakeTree[] = [];
let scratch: string[] = [];

beforeAll(() => {
  if (!IS_ROOT) return;
  ensureBuilt();
  for (const c of PRODUCTS) accounts.set(c.product, createTestAccount(c.accountName));
});

afterEach(() => {
  for (const tree of trees) removeFakeTree(tree);
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
  trees = [];
  scratch = [];
});

afterAll(() => {
  for (const account of accounts.values()) removeAccount(account);
});

function makeTree(c: ProductCase): FakeTree {
  const account = accounts.get(c.product);
  if (!account) throw new Error(`no account for ${c.product}`);
  const tree = createFakeTree({ product: c.product, account });
  trees.push(tree);
  return tree;
}

function makeScratchDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'geo-install-scratch-'));
  scratch.push(dir);
  return dir;
}

function install(home: string, ...extra: string[]): { stdout: string; stderr: string } {
  const result = runInstall(['--prefix', home, ...extra]);
  expect(result.stderr, result.stdout).toBe('');
  expect(result.code, result.stderr).toBe(0);
  return result;
}

function readGeoLog(home: string): Array<Record<string, any>> {
  const text = fs.readFileSync(path.join(home, 'logs', 'geo-response.log'), 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, any>);
}

/** add then delete, as the product's execd sends them, with the executable at `exe`. */
async function driveAddDelete(c: ProductCase, exe: string, env?: NodeJS.ProcessEnv) {
  const options = { command: [exe], ...(env ? { env } : {}), timeoutBetweenMs: 5 };
  if (c.protocol === 'ossec') {
    return runOssecAddThenDelete(`- ${ATTACKER_IP} 1795823765.1 5710 /var/log/auth.log -`, options);
  }
  const result = await runWazuh4AddThenDelete(wazuhBruteForceMessage(ATTACKER_IP), options);
  expect(result.add.checkKeys).toMatchObject({ command: 'check_keys', parameters: { keys: [ATTACKER_IP] } });
  return result;
}

/** The parts files in the installation's active-response/bin, sorted. */
function partsFiles(home: string): string[] {
  return fs.readdirSync(path.join(home, 'active-response', 'bin')).filter((name) => name.endsWith('.parts')).sort();
}

/** The build an installed executable carries. */
function buildOf(exe: string): string {
  return /GEO-RESPONSE-BUILD ([0-9a-f]{16})/.exec(fs.readFileSync(exe, 'latin1'))![1]!;
}

function expectAddAndDeleteRecords(home: string, c: ProductCase): void {
  const records = readGeoLog(home);
  expect(records.map((r) => r.event?.action)).toEqual(['add', 'delete']);
  for (const record of records) {
    expect(record.source?.ip).toBe(ATTACKER_IP);
    expect(record.geo_response?.protocol).toBe(c.protocol);
    expect(record.source?.geo?.country_iso_code).toMatch(/^[A-Z]{2}$/);
    const databases: Array<{ path: string }> = record.geo_response?.databases ?? [];
    expect(databases.map((d) => path.basename(d.path))).toContain('dbip-country-lite.mmdb');
  }
}

describe.skipIf(!IS_ROOT).each(PRODUCTS)('install.sh into a $product tree (needs root: chown)', (c) => {
  it('installs every file with its owner and mode, and execd add/delete land in the geo log', async () => {
    const tree = makeTree(c);
    const account = accounts.get(c.product)!;
    const home = tree.home;
    const arLog = ownership(path.join(home, 'logs', 'active-responses.log'));
    install(home);

    const exe = path.join(home, 'active-response', 'bin', 'geo-response');
    const result = await driveAddDelete(c, exe);
    expect(result.add.code, result.add.stderr).toBe(0);
    expect(result.delete.code, result.delete.stderr).toBe(0);
    expectAddAndDeleteRecords(home, c);

    // After the executable has written: owners and modes are still the installed ones.
    expect(ownership(exe)).toEqual({ uid: 0, gid: account.gid, mode: '750' });
    expect(partsFiles(home)).toEqual([`geo-response.${buildOf(exe)}.parts`]);
    expect(ownership(path.join(home, 'active-response', 'bin', `geo-response.${buildOf(exe)}.parts`))).toEqual({ uid: 0, gid: account.gid, mode: '640' });
    expect(ownership(path.join(home, c.confDir, 'dbip-country-lite.mmdb'))).toEqual({ uid: 0, gid: account.gid, mode: '640' });
    expect(ownership(path.join(home, c.confDir, 'geo-response.json'))).toEqual({ uid: 0, gid: account.gid, mode: '640' });
    if (c.confDir !== 'etc') expect(ownership(path.join(home, c.confDir))).toEqual({ uid: 0, gid: account.gid, mode: '750' });
    expect(ownership(path.join(home, 'logs', 'geo-response.log'))).toEqual(arLog);
    expect(arLog).toEqual({ uid: account.uid, gid: account.gid, mode: '660' });
  });

  it('names an absolute Node >= 18.19 in the #! line and runs when execd has no node in PATH', async () => {
    const tree = makeTree(c);
    install(tree.home);
    const exe = path.join(tree.home, 'active-response', 'bin', 'geo-response');
    const firstLine = fs.readFileSync(exe, 'utf8').split('\n', 1)[0]!;
    const node = firstLine.slice(2);
    expect(firstLine.startsWith('#!/')).toBe(true);
    expect(path.isAbsolute(node)).toBe(true);

    // execd's environment: an empty PATH directory (node is in /usr/bin here), or no PATH at all.
    const emptyDir = makeScratchDir();
    for (const env of [{ PATH: emptyDir }, {}]) {
      fs.writeFileSync(path.join(tree.home, 'logs', 'geo-response.log'), '');
      const result = await driveAddDelete(c, exe, env);
      expect(result.add.code, result.add.stderr).toBe(0);
      expect(result.delete.code, result.delete.stderr).toBe(0);
      expectAddAndDeleteRecords(tree.home, c);
    }
    const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
    const [major, minor] = version.slice(1).split('.').map(Number) as [number, number];
    expect(major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]), version).toBe(true);
  });

  it('works when the home is reached through a symlink, for install and for execd', async () => {
    const tree = makeTree(c);
    const link = path.join(makeScratchDir(), 'ossec');
    fs.symlinkSync(tree.home, link);
    install(link);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.existsSync(path.join(tree.home, 'active-response', 'bin', 'geo-response'))).toBe(true);

    const result = await driveAddDelete(c, path.join(link, 'active-response', 'bin', 'geo-response'));
    expect(result.delete.code, result.delete.stderr).toBe(0);
    expectAddAndDeleteRecords(tree.home, c);
  });

  it('--apply twice leaves one copy of the blocks, one backup and well-formed XML; --uninstall restores the file', () => {
    const tree = makeTree(c);
    const original = fs.readFileSync(tree.ossecConf);
    const confOwnership = ownership(tree.ossecConf);

    install(tree.home, '--apply');
    const afterFirst = hashTree(tree.home);
    const second = install(tree.home, '--apply');
    expect(second.stdout).toMatch(/already there/);
    expect(hashTree(tree.home)).toBe(afterFirst);

    const conf = fs.readFileSync(tree.ossecConf, 'utf8');
    expect(conf.match(/<name>geo-response<\/name>/g)).toHaveLength(1);
    // Two responses: attacks (timed) and successful logins (untimed, docs/logins.md); OSSEC's argv
    // carries the user only to a command that expects it, so its logins have a command of their own.
    expect(conf.match(/<command>geo-response<\/command>/g)).toHaveLength(c.expectsSrcip ? 1 : 2);
    expect(conf.match(/<command>geo-response-login<\/command>/g) ?? []).toHaveLength(c.expectsSrcip ? 1 : 0);
    const block = conf.slice(conf.indexOf('<!-- BEGIN geo-response'), conf.indexOf('<!-- END geo-response'));
    if (c.expectsSrcip) expect(block).toMatch(/<command>\s*<name>geo-response-login<\/name>\s*<executable>geo-response<\/executable>\s*<expect>srcip,user<\/expect>\s*<timeout_allowed>no<\/timeout_allowed>\s*<\/command>/);
    expect(block.includes('<expect>srcip</expect>')).toBe(c.expectsSrcip);
    expect(block).toMatch(/<command>\s*<name>geo-response<\/name>[^]*<timeout_allowed>yes<\/timeout_allowed>\s*<\/command>/);
    expect(block).toMatch(/<active-response>[^]*<command>geo-response<\/command>[^]*<timeout>\d+<\/timeout>\s*<\/active-response>/);
    expect(block).toMatch(/<active-response>(?:(?!<\/active-response>)[^])*<rules_group>authentication_success<\/rules_group>\s*<\/active-response>/);
    // The stock blocks are untouched, and ours sits inside the last <ossec_config>.
    expect(conf.startsWith(original.toString('utf8').slice(0, original.lastIndexOf('</ossec_config>')))).toBe(true);
    expect(conf.trimEnd().endsWith('<!-- END geo-response -->\n</ossec_config>')).toBe(true);
    expect(['xmllint', 'python3 xml.dom.minidom']).toContain(assertWellFormedOssecConf(conf));
    expect(ownership(tree.ossecConf)).toEqual(confOwnership);

    const backups = fs.readdirSync(path.join(tree.home, 'etc')).filter((name) => /^ossec\.conf\.geo-response-.*\.bak$/.test(name));
    expect(backups).toHaveLength(1);
    expect(fs.readFileSync(path.join(tree.home, 'etc', backups[0]!)).equals(original)).toBe(true);

    // One alert leaves the executable's caches beside it; uninstall takes them too.
    const bin = path.join(tree.home, 'active-response', 'bin');
    const alert = spawnSync(path.join(bin, 'geo-response'), ['add', '-', '81.2.69.142', '1.1', '5710', '/var/log/auth.log', '-'], { cwd: '/', env: { PATH: '/usr/bin:/bin' } });
    expect(alert.status).toBe(0);
    expect(fs.readdirSync(bin).filter((name) => name.startsWith('.geo-response.')).length).toBeGreaterThan(0);
    // A successful sshd login (5715) starts the login history, which only --purge removes.
    const login = spawnSync(path.join(bin, 'geo-response'), ['add', 'alice', '81.2.69.142', '1.2', '5715', '/var/log/auth.log', '-'], { cwd: '/', env: { PATH: '/usr/bin:/bin' } });
    expect(login.status, login.stderr.toString()).toBe(0);
    const history = path.join(tree.home, 'active-response', 'state', 'logins.json');
    expect(ownership(history)).toEqual({ uid: 0, gid: 0, mode: '600' });
    expect(ownership(path.dirname(history))).toEqual({ uid: 0, gid: 0, mode: '700' });
    install(tree.home, '--uninstall');
    expect(fs.existsSync(history)).toBe(true);
    expect(fs.readdirSync(bin).filter((name) => name.startsWith('.geo-response.'))).toEqual([]);
    expect(partsFiles(tree.home)).toEqual([]);
    expect(fs.readFileSync(tree.ossecConf).equals(original)).toBe(true);
    expect(ownership(tree.ossecConf)).toEqual(confOwnership);
    expect(fs.existsSync(path.join(tree.home, 'active-response', 'bin', 'geo-response'))).toBe(false);
    expect(fs.existsSync(path.join(tree.home, c.confDir, 'dbip-country-lite.mmdb'))).toBe(false);
    expect(fs.existsSync(path.join(tree.home, c.confDir, 'geo-response.json'))).toBe(true);
    expect(fs.existsSync(path.join(tree.home, 'logs', 'geo-response.log'))).toBe(true);

    install(tree.home, '--uninstall', '--purge');
    expect(fs.existsSync(path.join(tree.home, 'active-response', 'state'))).toBe(false);
    expect(fs.existsSync(path.join(tree.home, c.confDir, 'geo-response.json'))).toBe(false);
    expect(fs.existsSync(path.join(tree.home, 'logs', 'geo-response.log'))).toBe(false);
    expect(fs.readFileSync(tree.ossecConf).equals(original)).toBe(true);
  });

  it('an upgrade keeps the admin\'s edited blocks byte for byte, and says what it kept', () => {
    const tree = makeTree(c);
    install(tree.home, '--apply');
    // The admin's edits inside our blocks: a shorter timeout, and the <rules_id> narrowing the README suggests.
    const applied = fs.readFileSync(tree.ossecConf, 'utf8');
    const at = applied.indexOf('<!-- BEGIN geo-response');
    const edited = applied.slice(0, at) + applied.slice(at).replace(/(\s*)<timeout>600<\/timeout>/, '$1<rules_id>5712,5720</rules_id>$1<timeout>30</timeout>');
    expect(edited).toMatch(/<rules_id>5712,5720<\/rules_id>\s*<timeout>30<\/timeout>/);
    fs.writeFileSync(tree.ossecConf, edited);
    const before = hashTree(tree.home);

    const dry = install(tree.home, '--apply', '--dry-run');
    expect(hashTree(tree.home)).toBe(before);
    const upgrade = install(tree.home, '--apply');
    expect(fs.readFileSync(tree.ossecConf, 'utf8')).toBe(edited);
    for (const output of [dry.stdout, upgrade.stdout]) {
      expect(output).toMatch(/keep the geo-response blocks in \S+\/etc\/ossec\.conf as you edited them \(lines \d+-\d+\)/);
      expect(output).toMatch(/^ {2}yours: +<rules_id>5712,5720<\/rules_id>$/m);
      expect(output).toMatch(/^ {2}yours: +<timeout>30<\/timeout>$/m);
      expect(output).toMatch(/^ {2}this version's: +<timeout>600<\/timeout>$/m);
      expect(output).not.toMatch(/geo-response-install\./);
    }
    const backups = fs.readdirSync(path.join(tree.home, 'etc')).filter((name) => /^ossec\.conf\.geo-response-.*\.bak$/.test(name));
    expect(backups).toHaveLength(1);
  });

  it('edited blocks that lost a line geo-response needs are kept, and the line is named (<expect>srcip</expect> where execd passes argv)', () => {
    const tree = makeTree(c);
    install(tree.home, '--apply');
    const applied = fs.readFileSync(tree.ossecConf, 'utf8');
    const at = applied.indexOf('<!-- BEGIN geo-response');
    const edited = applied.slice(0, at) + applied.slice(at).replace(/\s*<expect>srcip<\/expect>/, '').replace('<timeout_allowed>yes</timeout_allowed>', '<timeout_allowed>no</timeout_allowed>');
    fs.writeFileSync(tree.ossecConf, edited);

    const upgrade = runInstall(['--prefix', tree.home, '--apply']);

    expect(upgrade.code, upgrade.stderr).toBe(0);
    expect(fs.readFileSync(tree.ossecConf, 'utf8')).toBe(edited);
    const said = `${upgrade.stdout}${upgrade.stderr}`;
    expect(said).toMatch(/lack <timeout_allowed>yes<\/timeout_allowed>, which geo-response needs/);
    if (c.expectsSrcip) expect(said).toMatch(/lack <expect>srcip<\/expect>, which geo-response needs/);
    else expect(said).not.toContain('<expect>srcip</expect>, which');
    expect(said).not.toMatch(/no response for successful logins/);
  });

  it('edited blocks from before the logins response are kept, and what they miss is said', () => {
    const tree = makeTree(c);
    install(tree.home, '--apply');
    const applied = fs.readFileSync(tree.ossecConf, 'utf8');
    const at = applied.indexOf('<!-- BEGIN geo-response');
    // The admin narrowed the logins response away (as a v2 block never had it) and shortened the timeout.
    const edited = applied.slice(0, at) + applied.slice(at).replace('<timeout>600</timeout>', '<timeout>60</timeout>').replace(/<rules_group>authentication_success<\/rules_group>/, '<rules_id>5715</rules_id>');
    fs.writeFileSync(tree.ossecConf, edited);

    const upgrade = runInstall(['--prefix', tree.home, '--apply']);

    expect(upgrade.code, upgrade.stderr).toBe(0);
    expect(fs.readFileSync(tree.ossecConf, 'utf8')).toBe(edited);
    expect(upgrade.stderr).toMatch(/have no response for successful logins \(<rules_group>authentication_success<\/rules_group>\): no login history/);
  });

  // v1 triggered on <level>6</level>; v2 on attack groups only, without the login response.
  it.each([
    { name: 'v1', version: '' },
    { name: 'v2', version: '.v2' },
  ])('an upgrade replaces blocks an earlier version ($name) inserted and nobody edited, and --dry-run names etc/ossec.conf', ({ version }) => {
    const tree = makeTree(c);
    install(tree.home, '--apply');
    const current = fs.readFileSync(tree.ossecConf, 'utf8');
    const begin = current.indexOf('  <!-- BEGIN geo-response');
    const end = current.indexOf('<!-- END geo-response -->') + '<!-- END geo-response -->\n'.length;
    const previous = fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'previous-blocks', `ossec.conf.${c.product}${version}.xml`), 'utf8');
    const previousBlock = `  <!-- BEGIN geo-response: added by geo-response install.sh -->\n${previous.replace(/^(.)/gm, '  $1')}  <!-- END geo-response -->\n`;
    const old = current.slice(0, begin) + previousBlock + current.slice(end);
    fs.writeFileSync(tree.ossecConf, old);
    const before = hashTree(tree.home);

    const dry = install(tree.home, '--apply', '--dry-run');
    expect(hashTree(tree.home)).toBe(before);
    expect(dry.stdout).toMatch(new RegExp(`would update the geo-response blocks in ${tree.ossecConf.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(lines \\d+-\\d+, as an earlier version inserted them; backup `));
    expect(dry.stdout).not.toMatch(/geo-response-install\./);

    const upgrade = install(tree.home, '--apply');
    expect(upgrade.stdout).toMatch(/update the geo-response blocks in \S+\/etc\/ossec\.conf \(lines/);
    expect(fs.readFileSync(tree.ossecConf, 'utf8')).toBe(current);
  });

  it('never overwrites an existing configuration, and a second install changes nothing', () => {
    const tree = makeTree(c);
    // Where an install from before the move to active-response/etc kept it.
    const mine = '{ "policy": { "mode": "deny", "countries": ["RU"] } }\n';
    fs.writeFileSync(path.join(tree.home, 'etc', 'geo-response.json'), mine);
    install(tree.home);
    const afterFirst = hashTree(tree.home);
    install(tree.home);
    expect(hashTree(tree.home)).toBe(afterFirst);
    expect(fs.readFileSync(path.join(tree.home, c.confDir, 'geo-response.json'), 'utf8')).toBe(mine);
  });

  it('re-running the same build keeps its code caches; an upgrade removes older builds\' and keeps the last validated configuration (a delete may need it)', () => {
    const tree = makeTree(c);
    fs.writeFileSync(path.join(tree.home, 'etc', 'geo-response.json'), '{ "policy": { "mode": "deny", "countries": ["RU"] } }\n');
    install(tree.home);
    const bin = path.join(tree.home, 'active-response', 'bin');
    const exe = path.join(bin, 'geo-response');
    const alert = () => spawnSync(exe, ['add', '-', '81.2.69.142', '1.1', '5710', '/var/log/auth.log', '-'], { cwd: '/', env: { PATH: '/usr/bin:/bin' } }).status;
    expect(alert()).toBe(0);
    // .geo-response.<build>.node<version>.<what>: which build and what.
    const caches = () => fs.readdirSync(bin).filter((name) => name.startsWith('.geo-response.')).map((name) => name.replace(/^\.geo-response\.([0-9a-f]{16})\.node[^.]+(?:\.\d+)*\./, '$1 ')).sort();
    const current = buildOf(exe);
    const own = [`${current} config.json`, `${current} parse-config.v8cache`, `${current} program.v8cache`];
    expect(caches()).toEqual(own);
    install(tree.home);
    expect(caches()).toEqual(own);
    // As if an older build had written caches too.
    for (const name of fs.readdirSync(bin).filter((n) => n.startsWith('.geo-response.'))) fs.copyFileSync(path.join(bin, name), path.join(bin, name.replace(current, 'aaaaaaaaaaaaaaaa')));
    const upgrade = install(tree.home);
    expect(upgrade.stdout).toMatch(/remove \S+\/\.geo-response\.aaaaaaaaaaaaaaaa\.node\S+\.program\.v8cache/);
    // Sorted: where the older build's name falls depends on this build's hash.
    expect(caches()).toEqual([...own, 'aaaaaaaaaaaaaaaa config.json'].sort());
  });

  it('an upgrade keeps the parts of the executable it replaces (a running alert may load them) and removes older ones', () => {
    const tree = makeTree(c);
    install(tree.home);
    const bin = path.join(tree.home, 'active-response', 'bin');
    const exe = path.join(bin, 'geo-response');
    const current = buildOf(exe);
    // As if the installed executable were an older build, with its parts and a stale build's beside it.
    fs.writeFileSync(exe, fs.readFileSync(exe, 'latin1').replace(`GEO-RESPONSE-BUILD ${current}`, 'GEO-RESPONSE-BUILD aaaaaaaaaaaaaaaa'), 'latin1');
    fs.renameSync(path.join(bin, `geo-response.${current}.parts`), path.join(bin, 'geo-response.aaaaaaaaaaaaaaaa.parts'));
    fs.writeFileSync(path.join(bin, 'geo-response.bbbbbbbbbbbbbbbb.parts'), 'GEO-RESPONSE-PARTS bbbbbbbbbbbbbbbb\n\n');
    const upgrade = install(tree.home);
    expect(upgrade.stdout).toMatch(/remove \S+\/geo-response\.bbbbbbbbbbbbbbbb\.parts/);
    expect(partsFiles(tree.home)).toEqual([`geo-response.${current}.parts`, 'geo-response.aaaaaaaaaaaaaaaa.parts'].sort());
    expect(buildOf(exe)).toBe(current);
    const check = spawnSync(exe, ['check'], { cwd: '/', env: { PATH: '/usr/bin:/bin' }, encoding: 'utf8' });
    expect([check.status, check.stderr]).toEqual([0, '']);
    // The next upgrade no longer needs the older build's parts.
    install(tree.home);
    expect(partsFiles(tree.home)).toEqual([`geo-response.${current}.parts`]);
  });

  it('an existing configuration this version refuses: the files are installed, and install.sh says what to fix and fails', () => {
    const tree = makeTree(c);
    fs.writeFileSync(path.join(tree.home, 'etc', 'geo-response.json'), '{ "policy": { "mode": "deny", "countries": ["UK"] } }\n');
    const result = runInstall(['--prefix', tree.home]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/geo-response\.json does not validate with this version:/);
    expect(result.stderr).toMatch(/policy\.countries\[0\]: "UK" is not an assigned ISO 3166-1 alpha-2 code \(did you mean "GB"\?\)/);
    expect(result.stderr).toMatch(/fix \S+geo-response\.json, then run geo-response check \(the files are installed\)/);
    expect(fs.existsSync(path.join(tree.home, 'active-response', 'bin', 'geo-response'))).toBe(true);
  });

  it('--dry-run shows every action and changes nothing, for install --apply and for uninstall', () => {
    const tree = makeTree(c);
    const before = hashTree(tree.home);
    const dry = install(tree.home, '--apply', '--dry-run');
    expect(hashTree(tree.home)).toBe(before);
    for (const action of [
      /would install \S+\/active-response\/bin\/geo-response \(root:\S+ 750/,
      /would install \S+\/active-response\/bin\/geo-response\.[0-9a-f]{16}\.parts \(root:\S+ 640\)/,
      /would install \S+\/etc\/dbip-country-lite\.mmdb \(root:\S+ 640\)/,
      /would install \S+\/etc\/geo-response\.json \(root:\S+ 640/,
      /would create \S+\/logs\/geo-response\.log/,
      /would insert the geo-response blocks into \S+\/etc\/ossec\.conf before line \d+ \(backup /,
      /would run an add and a delete alert through \S+\/active-response\/bin\/geo-response as execd would/,
    ]) {
      expect(dry.stdout).toMatch(action);
    }
    // The parts file goes in first: a new executable needs its parts from its first alert on.
    expect(dry.stdout.search(/would install \S+\.parts /)).toBeLessThan(dry.stdout.search(/would install \S+\/active-response\/bin\/geo-response \(/));

    install(tree.home, '--apply');
    const installed = hashTree(tree.home);
    const dryUninstall = install(tree.home, '--uninstall', '--purge', '--dry-run');
    expect(hashTree(tree.home)).toBe(installed);
    expect(dryUninstall.stdout).toMatch(/would remove \S+\/active-response\/bin\/geo-response\n/);
    expect(dryUninstall.stdout).toMatch(/would remove \S+\/active-response\/bin\/geo-response\.[0-9a-f]{16}\.parts\n/);
    expect(dryUninstall.stdout).toMatch(/would remove the geo-response blocks from \S+\/etc\/ossec\.conf/);
    expect(dryUninstall.stdout).toMatch(/would remove \S+\/logs\/geo-response\.log/);
  });
});

describe.skipIf(!IS_ROOT)('upgrading a Wazuh install whose configuration sits in the group-writable etc/ (needs root: chown)', () => {
  const c = PRODUCTS.find((p) => p.product === 'wazuh')!;
  const alert = (exe: string) => spawnSync(exe, ['add', '-', '81.2.69.142', '1.1', '5710', '/var/log/auth.log', '-'], { cwd: '/', env: { PATH: '/usr/bin:/bin' }, encoding: 'utf8' });

  it('moves a configuration only root changed to active-response/etc, says to review it, and removes the old database', () => {
    const tree = makeTree(c);
    const old = path.join(tree.home, 'etc', 'geo-response.json');
    fs.writeFileSync(old, '{ "policy": { "mode": "deny", "countries": ["RU"] } }\n', { mode: 0o640 });
    fs.writeFileSync(path.join(tree.home, 'etc', 'dbip-country-lite.mmdb'), 'an old copy');
    const result = install(tree.home);
    expect(result.stdout).toMatch(/move \S+\/etc\/geo-response\.json to \S+\/active-response\/etc\/geo-response\.json .*review it/);
    expect(fs.existsSync(old)).toBe(false);
    expect(fs.existsSync(path.join(tree.home, 'etc', 'dbip-country-lite.mmdb'))).toBe(false);
    const check = spawnSync(path.join(tree.home, 'active-response', 'bin', 'geo-response'), ['check'], { cwd: '/', env: { PATH: '/usr/bin:/bin' }, encoding: 'utf8' });
    expect(check.stdout).toMatch(/trust: configuration directory \S+\/active-response\/etc \(not \S+\/etc: \S+\/etc is writable by its group \(mode 0770\)\): ok/);
    expect(check.stdout).toMatch(/policy: mode deny; countries RU/);
  });

  it('leaves a configuration someone else changed where it is, says so, and alerts refuse it until the admin acts', () => {
    const tree = makeTree(c);
    const account = accounts.get('wazuh')!;
    const old = path.join(tree.home, 'etc', 'geo-response.json');
    fs.writeFileSync(old, '{ "firewall": { "backend": "command", "command": ["/bin/sh", "-c", "id"] } }\n');
    fs.chownSync(old, account.uid, account.gid);
    const result = runInstall(['--prefix', tree.home]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/etc\/geo-response\.json is not moved: it is owned by uid \d+ .*review it/);
    // No example policy in its place: a log-only policy would silently replace what the admin meant.
    expect(fs.existsSync(path.join(tree.home, 'active-response', 'etc', 'geo-response.json'))).toBe(false);
    const refused = alert(path.join(tree.home, 'active-response', 'bin', 'geo-response'));
    expect(refused.status).toBe(4);
    expect(refused.stderr).toMatch(/configuration \S+\/etc\/geo-response\.json is not read: \S+\/etc is writable by its group .*install\.sh --apply moves/);
    const records = readGeoLog(tree.home);
    expect(records.at(-1)?.geo_response?.error_code).toBe('UNTRUSTED_PATH');
  });
});
