/**
 * An installation to attack: a tree shaped like a real OSSEC or Wazuh server install
 * (fake-install-tree.ts, owners and modes of the real installers), owned by the attacker's
 * account as its daemon user and group, with geo-response installed by `install.sh --apply`;
 * and the alerts execd would send to it (OSSEC argv, Wazuh 4 JSON) as root.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type ExecdResult, runOssec, runWazuh4 } from './execd.js';
import { type Account, type FakeTree, type Product, createFakeTree, removeFakeTree, runInstall } from './fake-install-tree.js';
import { makeRootDir } from './attacker.js';

export interface Layout {
  product: Product;
  /** How this product's execd calls us: OSSEC argv, or Wazuh 4 JSON on stdin. */
  protocol: 'ossec' | 'wazuh4';
}

/** Every attack runs on both. */
export const LAYOUTS: Layout[] = [
  { product: 'ossec', protocol: 'ossec' },
  { product: 'wazuh', protocol: 'wazuh4' },
];

export interface AttackInstall extends Layout {
  tree: FakeTree;
  home: string;
  account: Account;
  /** The installed executable, run directly as execd does (its #! names Node). */
  exe: string;
  geoLog: string;
  arLog: string;
  /** Where the configuration lives after a correct install (docs/security.md): etc/ when trusted, else active-response/etc/. */
  configPath: string;
}

/** The trusted configuration directory of a layout: OSSEC's etc/ is root:ossec 0550, Wazuh's is group-writable. */
export function trustedConfigDir(home: string, product: Product): string {
  return product === 'ossec' ? path.join(home, 'etc') : path.join(home, 'active-response', 'etc');
}

/** A fresh tree of the layout owned by `account`, with geo-response installed; throws when install.sh fails. */
export function installForAttack(layout: Layout, account: Account): AttackInstall {
  // The tree's parent must be traversable by the attacker (mkdtemp makes it 0700).
  const parent = makeRootDir(`gr-sec-${layout.product}-`, 0o755);
  const tree = createFakeTree({ product: layout.product, account, parent });
  const result = runInstall(['--prefix', tree.home, '--apply']);
  if (result.code !== 0) {
    removeFakeTree(tree);
    throw new Error(`install.sh --prefix ${tree.home} --apply failed (${result.code}): ${result.stderr}${result.stdout}`);
  }
  const home = tree.home;
  return {
    ...layout,
    tree,
    home,
    account,
    exe: path.join(home, 'active-response', 'bin', 'geo-response'),
    geoLog: path.join(home, 'logs', 'geo-response.log'),
    arLog: path.join(home, 'logs', 'active-responses.log'),
    configPath: path.join(trustedConfigDir(home, layout.product), 'geo-response.json'),
  };
}

/** Removes the tree (and its parent). */
export function removeAttackInstall(install: AttackInstall | undefined): void {
  if (install) removeFakeTree(install.tree);
}

/** The admin's configuration, written as root at the trusted location, root:group 0640 as install.sh does. */
export function writeAdminConfig(install: AttackInstall, config: unknown): void {
  fs.mkdirSync(path.dirname(install.configPath), { recursive: true });
  fs.writeFileSync(install.configPath, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  fs.chownSync(install.configPath, 0, install.account.gid);
  fs.chmodSync(install.configPath, 0o640);
}

export interface AlertOptions {
  action?: 'add' | 'delete';
  ip?: string;
  user?: string;
  /** A generous bound for runs that used to hang; the child is killed after it (a signal in the result). */
  timeoutMs?: number;
  /** Run the executable through this (e.g. `ip netns exec NS`), which must exec it in place. */
  wrapper?: string[];
}

export interface AlertResult extends ExecdResult {
  elapsedMs: number;
}

const DEFAULT_ALERT_TIMEOUT_MS = 20_000;

/** One alert as this product's execd sends it: as root, cwd /, PATH=/usr/bin:/bin. */
export async function sendAlert(install: AttackInstall, options: AlertOptions = {}): Promise<AlertResult> {
  const { action = 'add', ip = '1.1.1.1', user = '-', timeoutMs = DEFAULT_ALERT_TIMEOUT_MS, wrapper = [] } = options;
  const execd = { command: [...wrapper, install.exe], env: { PATH: '/usr/bin:/bin' }, cwd: '/', timeoutMs };
  const started = Date.now();
  const result =
    install.protocol === 'ossec'
      ? await runOssec(`${action} ${user} ${ip} 1795823765.1 5710 /var/log/auth.log -`, execd)
      : await runWazuh4(wazuhAlert(action, ip, user), 'continue', execd);
  return { ...result, elapsedMs: Date.now() - started };
}

/** A Wazuh 4.x execd message for an sshd failure (the shape of a real manager's). */
export function wazuhAlert(action: 'add' | 'delete', ip: string, user: string): Record<string, unknown> {
  return {
    version: 1,
    origin: { name: 'node01', module: 'wazuh-execd' },
    command: action,
    parameters: {
      extra_args: [],
      alert: {
        timestamp: '2026-08-20T10:15:02.123+0000',
        rule: { level: 10, description: 'sshd: authentication failed.', id: '5710', groups: ['syslog', 'sshd'] },
        agent: { id: '000', name: 'manager' },
        id: '1755684902.123456',
        full_log: `Aug 20 10:15:02 manager sshd[2213]: Failed password for ${user} from ${ip} port 50130 ssh2`,
        decoder: { name: 'sshd' },
        data: { srcip: ip, srcport: '50130', dstuser: user },
        location: '/var/log/auth.log',
      },
      program: 'active-response/bin/geo-response',
    },
  };
}

/** The geo log's records (lines that do not parse are an error: a torn record). */
export function readRecords(file: string): Array<Record<string, any>> {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, any>);
}

/** The error code a record carries, wherever the record schema puts it. */
export function errorCodeOf(record: Record<string, any> | undefined): unknown {
  return record?.geo_response?.error_code ?? record?.error?.code;
}

/** The lines of a text file, or none. */
export function readLines(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((line) => line !== '') : [];
}

/** stderr holds exactly one line. */
export function stderrLines(result: ExecdResult): string[] {
  return result.stderr.split('\n').filter((line) => line !== '');
}

/** A path as a literal regular expression. */
export function literal(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

export interface Recorder {
  /** The program to configure as the `command` backend: a root-owned script in a root-only directory. */
  program: string;
  /** The argv of every run so far. */
  calls(): string[];
  dir: string;
}

/** A root-owned `command` backend that only records that it ran (so nothing real is blocked). */
export function createRecorder(): Recorder {
  const dir = makeRootDir('gr-sec-recorder-', 0o755);
  const program = path.join(dir, 'record-block.sh');
  const log = path.join(dir, 'calls.log');
  fs.writeFileSync(program, `#!/bin/sh\necho "$*" >> '${log}'\nexit 0\n`, { mode: 0o755 });
  return { program, dir, calls: () => readLines(log) };
}

/** A configuration that blocks every public address (allow list of one country nobody attacks from) through `program`. */
export function blockingConfig(program: string[]): Record<string, unknown> {
  return {
    policy: { mode: 'allow', countries: ['AQ'] },
    firewall: { backend: 'command', command: program, expire_seconds: 0 },
  };
}

/** Removes a directory tree made for a test; never throws. */
export function removeDir(dir: string | undefined): void {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

/** mkfifo as root. */
export function makeFifo(file: string): void {
  const result = spawnSync('mkfifo', ['-m', '0600', file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`mkfifo ${file}: ${result.stderr}`);
}
