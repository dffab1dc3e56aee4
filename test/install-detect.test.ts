/**
 * install.sh tells OSSEC from Wazuh (and Wazuh's argv era from its JSON era)
 * by the files a real install has, without running any of them, and prints
 * the blocks that product's execd needs. Trees belong to uid/gid 1, which
 * exists on every Linux, so no account is created here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeTree, type Product, createFakeTree, removeFakeTree, runInstall, IS_ROOT } from './support/fake-install-tree.js';

const SYSTEM_ACCOUNT = { uid: 1, gid: 1 };
let trees: FakeTree[] = [];
afterEach(() => {
  for (const tree of trees) removeFakeTree(tree);
  trees = [];
});

interface DetectCase {
  title: string;
  product: Product;
  version: string;
  /** Turn the tree into another layout before installing. */
  adjust?: (home: string) => void;
  banner: RegExp;
  expectsSrcip: boolean;
}

/** Wazuh before 4.2 still shipped bin/ossec-control, with NAME="Wazuh", and called scripts with arguments. */
function toLegacyWazuh(home: string): void {
  const control = path.join(home, 'bin', 'wazuh-control');
  const text = fs.readFileSync(control, 'utf8').replace('# Installation info', 'NAME="Wazuh"');
  fs.rmSync(control);
  fs.writeFileSync(path.join(home, 'bin', 'ossec-control'), text, { mode: 0o750 });
}

/** An agent: no analysisd, and the control script says so. */
function toWazuhAgent(home: string): void {
  setControlType(home, 'TYPE="agent"');
  fs.rmSync(path.join(home, 'bin', 'wazuh-analysisd'));
}

// Each signal alone: the control script's TYPE decides; without one, whether analysisd is there.
function setControlType(home: string, line: string): void {
  const control = path.join(home, 'bin', 'wazuh-control');
  fs.writeFileSync(control, fs.readFileSync(control, 'utf8').replace('TYPE="server"', line));
}
const typeSaysAgent = (home: string) => setControlType(home, 'TYPE="agent"');
const typeSaysLocal = (home: string) => setControlType(home, 'TYPE="local"');
const noTypeNoAnalysisd = (home: string) => {
  setControlType(home, '');
  fs.rmSync(path.join(home, 'bin', 'wazuh-analysisd'));
};

const CASES: DetectCase[] = [
  { title: 'OSSEC 3.7', product: 'ossec', version: 'v3.7.0', banner: /geo-response: ossec v3\.7\.0 \(server\)/, expectsSrcip: true },
  { title: 'OSSEC 4.0', product: 'ossec', version: 'v4.0.0', banner: /geo-response: ossec v4\.0\.0 \(server\)/, expectsSrcip: true },
  { title: 'Wazuh 4.7', product: 'wazuh', version: 'v4.7.5', banner: /geo-response: wazuh v4\.7\.5 \(server\)/, expectsSrcip: false },
  { title: 'Wazuh 4.1 (bin/ossec-control)', product: 'wazuh', version: 'v4.1.5', adjust: toLegacyWazuh, banner: /geo-response: wazuh v4\.1\.5 \(server\)/, expectsSrcip: true },
  { title: 'Wazuh 4.7 agent', product: 'wazuh', version: 'v4.7.5', adjust: toWazuhAgent, banner: /geo-response: wazuh v4\.7\.5 \(agent\)/, expectsSrcip: false },
  { title: 'Wazuh 4.7: TYPE="agent" wins over a present analysisd', product: 'wazuh', version: 'v4.7.5', adjust: typeSaysAgent, banner: /geo-response: wazuh v4\.7\.5 \(agent\)/, expectsSrcip: false },
  { title: 'Wazuh 4.7 without TYPE nor analysisd: an agent', product: 'wazuh', version: 'v4.7.5', adjust: noTypeNoAnalysisd, banner: /geo-response: wazuh v4\.7\.5 \(agent\)/, expectsSrcip: false },
  { title: 'Wazuh 4.7 local install', product: 'wazuh', version: 'v4.7.5', adjust: typeSaysLocal, banner: /geo-response: wazuh v4\.7\.5 \(local\)/, expectsSrcip: false },
];

describe.skipIf(!IS_ROOT)('install.sh detects the product and prints its blocks (needs root: chown)', () => {
  it.each(CASES)('$title', ({ product, version, adjust, banner, expectsSrcip }) => {
    const tree = createFakeTree({ product, version, account: SYSTEM_ACCOUNT });
    trees.push(tree);
    adjust?.(tree.home);
    const result = runInstall(['--prefix', tree.home]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(banner);
    expect(result.stdout).toMatch(/group daemon|group bin/);
    const printed = result.stdout.slice(result.stdout.indexOf('The blocks for'));
    expect(printed).toMatch(/<command>\s*<name>geo-response<\/name>/);
    expect(printed.includes('<expect>srcip</expect>')).toBe(expectsSrcip);
  });

  it('leaves an agent\'s ossec.conf alone with --apply (the blocks belong on the manager), asks for no restart, and makes the logs/active-responses.log an agent lacks', () => {
    const tree = createFakeTree({ product: 'wazuh', account: SYSTEM_ACCOUNT });
    trees.push(tree);
    toWazuhAgent(tree.home);
    const arLog = path.join(tree.home, 'logs', 'active-responses.log');
    fs.rmSync(arLog);
    const before = fs.readFileSync(tree.ossecConf);
    const result = runInstall(['--prefix', tree.home, '--apply']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/this is an agent; the blocks belong in the manager's ossec\.conf/);
    expect(result.stdout).not.toMatch(/restart/i);
    expect(fs.readFileSync(tree.ossecConf).equals(before)).toBe(true);
    expect(fs.existsSync(path.join(tree.home, 'active-response', 'bin', 'geo-response'))).toBe(true);
    expect(result.stdout).toContain(`create ${arLog}`);
    const made = fs.lstatSync(arLog);
    expect([made.isFile(), made.size, made.uid, made.gid, made.mode & 0o777]).toEqual([true, 0, SYSTEM_ACCOUNT.uid, SYSTEM_ACCOUNT.gid, 0o660]);
  });

  it("an agent whose execd already knows the manager's geo-response command (etc/shared/ar.conf) is told to restart on the first install, not on an upgrade; a link at ar.conf is not read", () => {
    const tree = createFakeTree({ product: 'wazuh', account: SYSTEM_ACCOUNT });
    trees.push(tree);
    toWazuhAgent(tree.home);
    const arConf = path.join(tree.home, 'etc', 'shared', 'ar.conf');
    fs.writeFileSync(arConf, 'firewall-drop600 - firewall-drop - 600\ngeo-response600 - geo-response - 600\n');
    const hint = /^Restart this agent \(\S+\/bin\/wazuh-control restart\): its execd knows the manager's geo-response command/m;

    const first = runInstall(['--prefix', tree.home, '--apply']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(hint);
    const upgrade = runInstall(['--prefix', tree.home, '--apply']);
    expect(upgrade.code, upgrade.stderr).toBe(0);
    expect(upgrade.stdout).not.toMatch(/restart/i);

    runInstall(['--prefix', tree.home, '--uninstall']);
    // A first install again: only the link stands between it and the hint.
    expect(fs.existsSync(path.join(tree.home, 'active-response', 'bin', 'geo-response'))).toBe(false);
    fs.renameSync(arConf, `${arConf}.real`);
    fs.symlinkSync(`${arConf}.real`, arConf);
    const throughLink = runInstall(['--prefix', tree.home, '--apply']);
    expect(throughLink.code, throughLink.stderr).toBe(0);
    expect(throughLink.stdout).not.toMatch(/restart/i);
  });

  it('asks for a restart when --apply changed ossec.conf, and not when a second --apply found the blocks in place', () => {
    const tree = createFakeTree({ product: 'ossec', account: SYSTEM_ACCOUNT });
    trees.push(tree);
    const first = runInstall(['--prefix', tree.home, '--apply']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^Restart to load the change: /m);
    const second = runInstall(['--prefix', tree.home, '--apply']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/keep \S+ossec\.conf: the geo-response blocks are already there/);
    expect(second.stdout).not.toMatch(/restart/i);
  });
});
