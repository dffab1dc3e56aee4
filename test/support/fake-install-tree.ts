/**
 * Temporary directory trees laid out like real OSSEC 3.x/4.x and Wazuh 4.x
 * installations (what `ls -lR /var/ossec` shows on a fresh server install:
 * control script, daemons, etc/ossec.conf with stock <command> and
 * <active-response> blocks, active-response/bin with the stock scripts, logs
 * with active-responses.log), with the owners and modes those installers set.
 * Used by the install.sh tests; also holds the helpers those tests share.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtFiles } from '../../scripts/bundle-files.mjs';

export type Product = 'ossec' | 'wazuh';

export interface Account {
  name: string;
  uid: number;
  gid: number;
  /** True when this process made the account (so `removeAccount` deletes it). */
  created: boolean;
}

export interface FakeTreeOptions {
  product: Product;
  /** `v3.7.0` (OSSEC) or `v4.7.5` (Wazuh) unless given. */
  version?: string;
  /** Owner group and daemon user of the tree, as the product's installer makes them. */
  account: { uid: number; gid: number };
  /** Directory to create the tree in (a new temp dir when absent). */
  parent?: string;
}

export interface FakeTree {
  product: Product;
  /** The install dir, like /var/ossec. */
  home: string;
  /** The temp dir to remove afterwards. */
  root: string;
  ossecConf: string;
}

/** The repository root (where install.sh lives). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const INSTALL_SH = path.join(REPO_ROOT, 'install.sh');
/** install.sh chowns to root:group, so its real-tree tests run as root (as CI does) and skip elsewhere. */
export const IS_ROOT = process.getuid?.() === 0;

const ACCOUNT_LOCK_RETRIES = 50;

/**
 * A new service account for one test run: a group and a user of the same name, as OSSEC and
 * Wazuh create theirs, but named uniquely (`gr-<label>-<pid>-<random>`), so a test never
 * depends on the host's own ossec/wazuh accounts (a host may have a `wazuh` group without a
 * `wazuh` user) and never changes them. `removeAccount` deletes it again. groupadd fails at once
 * while another process holds /etc/group's lock, hence the retries.
 */
export function createTestAccount(label: string): Account {
  const name = `gr-${label.slice(0, 8)}-${process.pid.toString(36)}-${randomBytes(3).toString('hex')}`;
  if (lookupAccount(name) || spawnSync('getent', ['group', name]).status === 0) throw new Error(`test account ${name} already exists`);
  retryLocked(['groupadd', '--system', name]);
  try {
    retryLocked(['useradd', '--system', '--gid', name, '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', name]);
  } catch (error) {
    retryLocked(['groupdel', name]);
    throw error;
  }
  const made = lookupAccount(name);
  if (!made) throw new Error(`created account ${name} but getent does not find it`);
  return { ...made, created: true };
}

/** Removes an account made by `createTestAccount` (leaves any other alone). */
export function removeAccount(account: Account | undefined): void {
  if (!account?.created) return;
  retryLocked(['userdel', account.name]);
  if (spawnSync('getent', ['group', account.name]).status === 0) retryLocked(['groupdel', account.name]);
}

function lookupAccount(name: string): { name: string; uid: number; gid: number } | undefined {
  const group = spawnSync('getent', ['group', name], { encoding: 'utf8' });
  const user = spawnSync('getent', ['passwd', name], { encoding: 'utf8' });
  if (group.status !== 0 || user.status !== 0) return undefined;
  const gid = Number(group.stdout.split(':')[2]);
  const uid = Number(user.stdout.split(':')[2]);
  return { name, uid, gid };
}

function retryLocked(argv: string[]): void {
  let last = '';
  for (let attempt = 0; attempt < ACCOUNT_LOCK_RETRIES; attempt++) {
    const result = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
    if (result.status === 0) return;
    last = `${result.stderr}`.trim();
    if (!/lock|try again/i.test(last)) break;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  throw new Error(`${argv.join(' ')} failed: ${last}`);
}

interface Entry {
  path: string;
  /** Directory when content is undefined. */
  content?: string;
  mode: number;
  owner: 'root' | 'service';
  group: 'root' | 'service';
}

/** Builds a tree like a fresh server install of the product. */
export function createFakeTree(options: FakeTreeOptions): FakeTree {
  const root = options.parent ?? fs.mkdtempSync(path.join(os.tmpdir(), `geo-install-${options.product}-`));
  const home = path.join(root, 'ossec');
  const entries = options.product === 'ossec' ? ossecEntries(options.version ?? 'v3.7.0') : wazuhEntries(options.version ?? 'v4.7.5');
  for (const entry of entries) {
    const target = path.join(home, entry.path);
    if (entry.content === undefined) fs.mkdirSync(target, { recursive: true });
    else {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, entry.content);
    }
  }
  // Modes and owners after everything exists: the stock dirs are not writable by their mode bits.
  for (const entry of [...entries].reverse()) {
    const target = path.join(home, entry.path);
    fs.chownSync(target, entry.owner === 'root' ? 0 : options.account.uid, entry.group === 'root' ? 0 : options.account.gid);
    fs.chmodSync(target, entry.mode);
  }
  return { product: options.product, home, root, ossecConf: path.join(home, 'etc', 'ossec.conf') };
}

const dir = (p: string, mode: number, owner: Entry['owner'] = 'root', group: Entry['group'] = 'service'): Entry => ({ path: p, mode, owner, group });
const file = (p: string, content: string, mode: number, owner: Entry['owner'] = 'root', group: Entry['group'] = 'service'): Entry => ({ path: p, content, mode, owner, group });

// OSSEC's install.sh: everything root:ossec, mostly 550; logs ossec:ossec; ossec.conf 440.
function ossecEntries(version: string): Entry[] {
  const script = '#!/bin/sh\n# stock active response (stand-in)\nexit 0\n';
  return [
    dir('.', 0o550),
    dir('active-response', 0o550),
    dir('active-response/bin', 0o550),
    file('active-response/bin/firewall-drop.sh', script, 0o550),
    file('active-response/bin/host-deny.sh', script, 0o550),
    file('active-response/bin/disable-account.sh', script, 0o550),
    file('active-response/bin/route-null.sh', script, 0o550),
    file('active-response/bin/restart-ossec.sh', script, 0o550),
    dir('agentless', 0o550),
    dir('bin', 0o550),
    file('bin/ossec-control', ossecControl(version), 0o550, 'root', 'root'),
    file('bin/ossec-analysisd', '', 0o550, 'root', 'root'),
    file('bin/ossec-execd', '', 0o550, 'root', 'root'),
    file('bin/ossec-logtest', '', 0o550, 'root', 'root'),
    file('bin/ossec-remoted', '', 0o550, 'root', 'root'),
    dir('etc', 0o550),
    file('etc/ossec.conf', OSSEC_CONF, 0o440),
    file('etc/internal_options.conf', '# internal options (stand-in)\nanalysisd.debug=0\n', 0o440),
    file('etc/local_internal_options.conf', '# local internal options\n', 0o440),
    file('etc/decoder.xml', '<!-- decoders (stand-in) -->\n', 0o440),
    file('etc/ossec-init.conf', `DIRECTORY="/var/ossec"\nNAME="OSSEC HIDS"\nVERSION="${version}"\nDATE="Thu Nov 27 12:00:00 UTC 2026"\nTYPE="server"\n`, 0o444, 'root', 'root'),
    dir('etc/shared', 0o550),
    dir('logs', 0o750, 'service', 'service'),
    dir('logs/alerts', 0o750, 'service', 'service'),
    dir('logs/archives', 0o750, 'service', 'service'),
    dir('logs/firewall', 0o750, 'service', 'service'),
    file('logs/ossec.log', '2026/11/27 12:00:00 ossec-execd: INFO: Started (pid: 812).\n', 0o660, 'service', 'service'),
    file('logs/active-responses.log', 'Thu Nov 27 12:01:02 UTC 2026 /var/ossec/active-response/bin/firewall-drop.sh add - 203.0.113.9 1795823765.1 5710\n', 0o660, 'service', 'service'),
    dir('queue', 0o550),
    dir('queue/alerts', 0o770, 'service', 'service'),
    dir('rules', 0o550),
    file('rules/local_rules.xml', '<group name="local,">\n</group>\n', 0o550),
    dir('stats', 0o550),
    dir('tmp', 0o550),
    dir('var', 0o550),
    dir('var/run', 0o770),
  ];
}

// Wazuh 4.3+: root:wazuh, 750 dirs, etc 770, ossec.conf 660, logs wazuh:wazuh 770.
function wazuhEntries(version: string): Entry[] {
  const script = '#!/bin/sh\n# stock active response (stand-in)\nexit 0\n';
  return [
    dir('.', 0o750),
    dir('active-response', 0o750),
    dir('active-response/bin', 0o750),
    file('active-response/bin/firewall-drop', script, 0o750),
    file('active-response/bin/host-deny', script, 0o750),
    file('active-response/bin/disable-account', script, 0o750),
    file('active-response/bin/firewalld-drop', script, 0o750),
    file('active-response/bin/restart-wazuh', script, 0o750),
    file('active-response/bin/restart.sh', script, 0o750),
    dir('agentless', 0o750),
    dir('api', 0o750),
    dir('backup', 0o750),
    dir('bin', 0o750, 'root', 'root'),
    file('bin/wazuh-control', wazuhControl(version), 0o750, 'root', 'root'),
    file('bin/wazuh-analysisd', '', 0o750, 'root', 'root'),
    file('bin/wazuh-execd', '', 0o750, 'root', 'root'),
    file('bin/wazuh-remoted', '', 0o750, 'root', 'root'),
    file('bin/wazuh-logtest', '', 0o750, 'root', 'root'),
    dir('etc', 0o770),
    file('etc/ossec.conf', WAZUH_CONF, 0o660),
    file('etc/internal_options.conf', '# internal options (stand-in)\nanalysisd.debug=0\n', 0o640),
    file('etc/local_internal_options.conf', '# local internal options\n', 0o640),
    file('etc/client.keys', '', 0o640, 'service', 'service'),
    dir('etc/shared', 0o770, 'service', 'service'),
    dir('etc/shared/default', 0o770, 'service', 'service'),
    dir('etc/rules', 0o770, 'service', 'service'),
    file('etc/rules/local_rules.xml', '<group name="local,syslog,sshd,">\n</group>\n', 0o660, 'service', 'service'),
    dir('etc/decoders', 0o770, 'service', 'service'),
    file('etc/decoders/local_decoder.xml', '<!-- Local Decoders -->\n', 0o660, 'service', 'service'),
    dir('framework', 0o750),
    dir('integrations', 0o750),
    dir('lib', 0o750),
    dir('logs', 0o770, 'service', 'service'),
    dir('logs/alerts', 0o750, 'service', 'service'),
    dir('logs/archives', 0o750, 'service', 'service'),
    dir('logs/api', 0o750, 'service', 'service'),
    dir('logs/firewall', 0o750, 'service', 'service'),
    file('logs/ossec.log', '2026/11/27 12:00:00 wazuh-execd: INFO: Started (pid: 912).\n', 0o660, 'service', 'service'),
    file('logs/active-responses.log', '2026/11/27 12:01:02 active-response/bin/firewall-drop: Starting\n', 0o660, 'service', 'service'),
    dir('queue', 0o750),
    dir('queue/alerts', 0o770, 'service', 'service'),
    dir('ruleset', 0o750),
    dir('ruleset/rules', 0o750),
    dir('ruleset/decoders', 0o750),
    dir('stats', 0o750),
    dir('tmp', 0o1750),
    dir('var', 0o770),
    dir('var/run', 0o770),
    dir('wodles', 0o750),
  ];
}

function ossecControl(version: string): string {
  return `#!/bin/sh
# ossec-control        This shell script takes care of starting
#                      or stopping ossec-hids (stand-in with the stock header)
LOCAL=\`dirname $0\`;
cd \${LOCAL}
PWD=\`pwd\`
DIR=\`dirname $PWD\`;

NAME="OSSEC HIDS"
VERSION="${version}"
AUTHOR="Trend Micro Inc."

echo "$NAME $VERSION: stand-in control script" >&2
exit 1
`;
}

function wazuhControl(version: string): string {
  return `#!/bin/sh
# wazuh-control        This shell script takes care of starting
#                      or stopping ossec-hids (stand-in with the stock header)
LOCAL=\`dirname $0\`;
cd \${LOCAL}
PWD=\`pwd\`
DIR=\`dirname $PWD\`;

# Installation info
VERSION="${version}"
REVISION="40720"
TYPE="server"

echo "Wazuh $VERSION: stand-in control script" >&2
exit 1
`;
}

// Abridged from a stock OSSEC 3.7 server ossec.conf: several root elements, comments, stock commands.
const OSSEC_CONF = `<!-- OSSEC example config -->

<ossec_config>
  <global>
    <email_notification>no</email_notification>
    <white_list>127.0.0.1</white_list>
    <white_list>^localhost.localdomain$</white_list>
  </global>

  <rules>
    <include>rules_config.xml</include>
    <include>pam_rules.xml</include>
    <include>sshd_rules.xml</include>
    <include>syslog_rules.xml</include>
    <include>local_rules.xml</include>
  </rules>

  <syscheck>
    <!-- Frequency that syscheck is executed - default to every 22 hours -->
    <frequency>79200</frequency>
    <directories check_all="yes">/etc,/usr/bin,/usr/sbin</directories>
    <ignore>/etc/mtab</ignore>
  </syscheck>

  <alerts>
    <log_alert_level>1</log_alert_level>
    <email_alert_level>7</email_alert_level>
  </alerts>

  <command>
    <name>host-deny</name>
    <executable>host-deny.sh</executable>
    <expect>srcip</expect>
    <timeout_allowed>yes</timeout_allowed>
  </command>

  <command>
    <name>firewall-drop</name>
    <executable>firewall-drop.sh</executable>
    <expect>srcip</expect>
    <timeout_allowed>yes</timeout_allowed>
  </command>

  <!-- Active Response Config -->
  <active-response>
    <!-- This response is going to execute the host-deny
       - command for every event that fires a rule with
       - level (severity) >= 6.
       - The IP is going to be blocked for  600 seconds.
      -->
    <command>host-deny</command>
    <location>local</location>
    <level>6</level>
    <timeout>600</timeout>
  </active-response>

  <active-response>
    <command>firewall-drop</command>
    <location>local</location>
    <level>6</level>
    <timeout>600</timeout>
  </active-response>
</ossec_config>

<ossec_config>
  <localfile>
    <log_format>syslog</log_format>
    <location>/var/log/auth.log</location>
  </localfile>

  <localfile>
    <log_format>command</log_format>
    <command>df -P</command>
  </localfile>
</ossec_config>
`;

// Abridged from a stock Wazuh 4.7 manager ossec.conf.
const WAZUH_CONF = `<!--
  Wazuh - Manager - Default configuration for ubuntu 22.04
  More info at: https://documentation.wazuh.com
  Mailing list: https://groups.google.com/forum/#!forum/wazuh
-->

<ossec_config>
  <global>
    <jsonout_output>yes</jsonout_output>
    <alerts_log>yes</alerts_log>
    <logall>no</logall>
    <logall_json>no</logall_json>
    <email_notification>no</email_notification>
    <agents_disconnection_time>10m</agents_disconnection_time>
  </global>

  <alerts>
    <log_alert_level>3</log_alert_level>
    <email_alert_level>12</email_alert_level>
  </alerts>

  <remote>
    <connection>secure</connection>
    <port>1514</port>
    <protocol>tcp</protocol>
    <queue_size>131072</queue_size>
  </remote>

  <!-- Active response -->
  <command>
    <name>disable-account</name>
    <executable>disable-account</executable>
    <timeout_allowed>yes</timeout_allowed>
  </command>

  <command>
    <name>restart-wazuh</name>
    <executable>restart-wazuh</executable>
  </command>

  <command>
    <name>firewall-drop</name>
    <executable>firewall-drop</executable>
    <timeout_allowed>yes</timeout_allowed>
  </command>

  <!--
  <active-response>
    active-response options here
  </active-response>
  -->

  <active-response>
    <disabled>no</disabled>
    <command>firewall-drop</command>
    <location>local</location>
    <rules_id>5763</rules_id>
    <timeout>180</timeout>
  </active-response>

  <ruleset>
    <decoder_dir>ruleset/decoders</decoder_dir>
    <rule_dir>ruleset/rules</rule_dir>
    <rule_exclude>0215-policy_rules.xml</rule_exclude>
    <list>etc/lists/audit-keys</list>
    <decoder_dir>etc/decoders</decoder_dir>
    <rule_dir>etc/rules</rule_dir>
  </ruleset>

  <auth>
    <disabled>no</disabled>
    <port>1515</port>
    <use_source_ip>no</use_source_ip>
  </auth>
</ossec_config>

<ossec_config>
  <localfile>
    <log_format>command</log_format>
    <command>df -P</command>
    <frequency>360</frequency>
  </localfile>

  <localfile>
    <log_format>journald</log_format>
    <location>journald</location>
  </localfile>

  <localfile>
    <log_format>syslog</log_format>
    <location>/var/ossec/logs/active-responses.log</location>
  </localfile>
</ossec_config>
`;

/** A stable digest of everything under DIR: paths, types, modes, owners, contents, link targets. */
export function hashTree(dirPath: string): string {
  const hash = createHash('sha256');
  const walk = (current: string): void => {
    for (const name of fs.readdirSync(current).sort()) {
      const full = path.join(current, name);
      const stat = fs.lstatSync(full);
      hash.update(`${path.relative(dirPath, full)}\0${stat.mode}\0${stat.uid}\0${stat.gid}\0`);
      if (stat.isSymbolicLink()) hash.update(fs.readlinkSync(full));
      else if (stat.isDirectory()) walk(full);
      else hash.update(fs.readFileSync(full));
      hash.update('\n');
    }
  };
  const top = fs.lstatSync(dirPath);
  hash.update(`${top.mode}\0${top.uid}\0${top.gid}\n`);
  walk(dirPath);
  return hash.digest('hex');
}

export interface InstallResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs install.sh with sh (dash on Debian), as configuration management would: no terminal, no stdin. */
export function runInstall(args: string[], env: NodeJS.ProcessEnv = {}, script = INSTALL_SH): InstallResult {
  const result = spawnSync('/bin/sh', [script, ...args], {
    cwd: os.tmpdir(),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Builds the bundle when a test file runs alone without a complete build in dist/ (npm test builds first). */
export function ensureBuilt(): void {
  try {
    builtFiles(path.join(REPO_ROOT, 'dist'));
  } catch {
    execFileSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
}

export type XmlChecker = 'xmllint' | 'python3 xml.dom.minidom';

/**
 * Parses ossec.conf with a real XML parser. The file has several root
 * <ossec_config> elements, so it is wrapped in one root for the check.
 * Returns the parser used; throws with the parser's message when not well-formed.
 */
export function assertWellFormedOssecConf(content: string): XmlChecker {
  const wrapped = `<geo-response-check>\n${content}\n</geo-response-check>\n`;
  if (spawnSync('xmllint', ['--version']).status === 0) {
    const result = spawnSync('xmllint', ['--noout', '-'], { input: wrapped, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`xmllint rejects ossec.conf: ${result.stderr}`);
    return 'xmllint';
  }
  const result = spawnSync('python3', ['-c', 'import sys, xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.buffer.read())'], {
    input: wrapped,
    encoding: 'utf8',
  });
  if (result.error) throw new Error(`neither xmllint nor python3 is available to check ossec.conf: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`python3 xml.dom.minidom rejects ossec.conf: ${result.stderr}`);
  return 'python3 xml.dom.minidom';
}

/** Owner, group and permission bits of a path, for assertions. */
export function ownership(p: string): { uid: number; gid: number; mode: string } {
  const stat = fs.statSync(p);
  return { uid: stat.uid, gid: stat.gid, mode: (stat.mode & 0o7777).toString(8) };
}

/** Removes a tree made by `createFakeTree` (chmod first: the stock modes are read-only). */
export function removeFakeTree(tree: FakeTree | undefined): void {
  if (!tree) return;
  spawnSync('chmod', ['-R', 'u+rwx', tree.root]);
  fs.rmSync(tree.root, { recursive: true, force: true });
}
