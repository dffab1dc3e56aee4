/**
 * The systemd unit that runs `geo-response blocks restore` at boot: its content, and how
 * install.sh --apply installs and enables it where systemd runs, says what to do where it does not,
 * and how --uninstall removes it. This machine may have no running systemd, so the "systemd runs"
 * marker, the unit directory and systemctl are pointed at a temp dir and a recording fake; the
 * unit file itself is checked with the real systemd-analyze where it is installed.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFakeBinDir, type FakeBinDir } from './support/fake-bin.js';
import { type Account, type FakeTree, IS_ROOT, REPO_ROOT, createFakeTree, createTestAccount, ensureBuilt, ownership, removeAccount, removeFakeTree, runInstall } from './support/fake-install-tree.js';

const UNIT = 'geo-response-restore.service';
const TEMPLATE = fs.readFileSync(path.join(REPO_ROOT, 'active-response', UNIT), 'utf8');
const SYSTEMD_ANALYZE = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((candidate) => fs.existsSync(candidate));

/** The values of one key of the unit, each whitespace-separated word on its own. */
function unitValues(text: string, key: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${key}=`))
    .flatMap((line) => line.slice(key.length + 1).split(/\s+/))
    .filter(Boolean);
}

describe('the unit file', () => {
  it('is a oneshot that runs blocks restore, ordered after every firewall service that loads rules at boot', () => {
    expect(unitValues(TEMPLATE, 'Type')).toEqual(['oneshot']);
    expect(unitValues(TEMPLATE, 'RemainAfterExit')).toEqual(['yes']);
    expect(TEMPLATE).toContain('\nExecStart=@HOME@/active-response/bin/geo-response blocks restore\n');
    expect(TEMPLATE).toContain('\nExecReload=@HOME@/active-response/bin/geo-response blocks restore\n');
    expect(unitValues(TEMPLATE, 'After')).toEqual(expect.arrayContaining(['nftables.service', 'firewalld.service', 'netfilter-persistent.service', 'ipset.service', 'iptables.service', 'ip6tables.service']));
    // Restarting or reloading the firewall through systemd flushes our blocks: restore runs again.
    expect(unitValues(TEMPLATE, 'PartOf')).toEqual(['nftables.service', 'firewalld.service', 'netfilter-persistent.service']);
    expect(unitValues(TEMPLATE, 'ReloadPropagatedFrom')).toEqual(['nftables.service', 'firewalld.service', 'netfilter-persistent.service']);
    expect(unitValues(TEMPLATE, 'Before')).toEqual(expect.arrayContaining(['wazuh-manager.service', 'ossec.service']));
    expect(unitValues(TEMPLATE, 'WantedBy')).toEqual(['multi-user.target']);
  });
});

describe.skipIf(!IS_ROOT)(`install.sh and the boot unit${IS_ROOT ? '' : ' (skipped: needs root to install)'}`, () => {
  let account: Account | undefined;
  let tree: FakeTree | undefined;
  let systemd = '';
  let systemctl: FakeBinDir;
  const env = () => ({ GEO_RESPONSE_SYSTEMD_RUNNING_DIR: path.join(systemd, 'run'), GEO_RESPONSE_SYSTEMD_UNIT_DIR: path.join(systemd, 'system'), GEO_RESPONSE_SYSTEMCTL: path.join(systemctl.dir, 'systemctl') });
  const unitPath = () => path.join(systemd, 'system', UNIT);

  beforeAll(() => {
    ensureBuilt();
    account = createTestAccount('ossec');
  });
  afterAll(() => removeAccount(account));
  afterEach(() => {
    removeFakeTree(tree);
    fs.rmSync(systemd, { recursive: true, force: true });
  });

  const setUp = (systemdRuns: boolean) => {
    tree = createFakeTree({ product: 'ossec', account: account! });
    systemd = fs.mkdtempSync(path.join(os.tmpdir(), 'gr-systemd-'));
    if (systemdRuns) fs.mkdirSync(path.join(systemd, 'run'));
    systemctl = createFakeBinDir({ systemctl: [{ exitCode: 0 }] });
    return tree.home;
  };

  it('--apply installs the unit for this installation and enables it; a second run keeps it; --uninstall disables and removes it', () => {
    const home = setUp(true);
    const first = runInstall(['--prefix', home, '--apply'], env());
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const unit = fs.readFileSync(unitPath(), 'utf8');
    expect(unit).toBe(TEMPLATE.replaceAll('@HOME@', home));
    expect(ownership(unitPath())).toEqual({ uid: 0, gid: 0, mode: '644' });
    expect(systemctl.calls()).toEqual([
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', '--quiet', UNIT],
    ]);
    if (SYSTEMD_ANALYZE !== undefined) {
      const verified = spawnSync(SYSTEMD_ANALYZE, ['verify', unitPath()], { encoding: 'utf8' });
      expect(verified.stderr).toBe('');
      expect(verified.status).toBe(0);
    }

    const second = runInstall(['--prefix', home, '--apply'], env());
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`keep ${unitPath()} (already installed)`);
    expect(systemctl.calls().slice(2)).toEqual([['systemctl', 'enable', '--quiet', UNIT]]);

    fs.mkdirSync(path.join(systemd, 'system', 'multi-user.target.wants'));
    fs.symlinkSync(unitPath(), path.join(systemd, 'system', 'multi-user.target.wants', UNIT));
    const removed = runInstall(['--prefix', home, '--uninstall'], env());
    expect(removed.stderr).toBe('');
    expect(removed.code).toBe(0);
    expect(fs.existsSync(unitPath())).toBe(false);
    expect(fs.existsSync(path.join(systemd, 'system', 'multi-user.target.wants', UNIT))).toBe(false);
    expect(systemctl.calls().slice(3)).toEqual([
      ['systemctl', 'disable', '--quiet', UNIT],
      ['systemctl', 'daemon-reload'],
    ]);
  });

  it('without systemd, --apply installs no unit and says what to run at boot instead', () => {
    const home = setUp(false);
    const result = runInstall(['--prefix', home, '--apply'], env());
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('systemd is not running here, so no boot unit is installed');
    expect(result.stdout).toContain(`  ${home}/active-response/bin/geo-response blocks restore\n`);
    expect(fs.existsSync(path.join(systemd, 'system'))).toBe(false);
    expect(systemctl.calls()).toEqual([]);
  });

  it('--uninstall keeps a unit of that name that another installation (or the admin) owns', () => {
    const home = setUp(true);
    fs.mkdirSync(path.join(systemd, 'system'));
    const foreign = TEMPLATE.replaceAll('@HOME@', '/opt/other-ossec');
    fs.writeFileSync(unitPath(), foreign);
    const result = runInstall(['--prefix', home, '--uninstall'], env());
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`install.sh: warning: keep ${unitPath()}: it was not installed by geo-response for ${home}\n`);
    expect(fs.readFileSync(unitPath(), 'utf8')).toBe(foreign);
    expect(systemctl.calls()).toEqual([]);
  });

  it('--dry-run names the unit it would install and changes nothing', () => {
    const home = setUp(true);
    const result = runInstall(['--prefix', home, '--apply', '--dry-run'], env());
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`would install ${unitPath()} (root 644`);
    expect(result.stdout).toContain(`would enable ${UNIT}`);
    expect(fs.existsSync(unitPath())).toBe(false);
    expect(systemctl.calls()).toEqual([]);
  });
});
