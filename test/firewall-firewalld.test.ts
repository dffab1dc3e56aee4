import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyFirewall } from '../src/firewall/index.js';
import { parseIpAddress } from '../src/geo/ip-address.js';
import { createNetns, createNetnsBinDir, deleteNetns, waitFor, whyNoNetns } from './support/netns.js';

// A real firewalld without systemd: a private D-Bus "system" bus in a temp dir (DBUS_SYSTEM_BUS_ADDRESS),
// firewalld --nofork --nopid inside a fresh namespace. Runtime rules only; /etc/firewalld is only read.
const skip = whyNoNetns(['ip', 'firewalld', 'firewall-cmd', 'dbus-daemon']) ?? (existsSync('/usr/bin/python3') ? undefined : 'python3 (for firewalld) not installed');
const START_DEADLINE_MS = 30_000;

describe.skipIf(skip !== undefined)(`firewalld daemon in a fresh namespace${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let ns: string | undefined;
  let busPid: number | undefined;
  let daemon: ChildProcess | undefined;
  let binDir = '';
  let env: NodeJS.ProcessEnv = {};
  const lockDir = mkdtempSync(join(tmpdir(), 'gr-fw-lock-'));
  const query = (ip: string) => spawnSync(join(binDir, 'firewall-cmd'), [`--query-rich-rule=rule family="ipv4" source address="${ip}" drop`], { env, encoding: 'utf8' }).stdout.trim();

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gr-fwd-'));
    writeFileSync(
      join(dir, 'bus.conf'),
      `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>unix:path=${dir}/bus.sock</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow own="*"/><allow send_destination="*"/><allow receive_sender="*"/></policy></busconfig>\n`,
    );
    busPid = Number(execFileSync('/usr/bin/dbus-daemon', [`--config-file=${dir}/bus.conf`, '--fork', '--print-pid'], { encoding: 'utf8' }).trim());
    env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${dir}/bus.sock` };
    ns = createNetns('fwd');
    binDir = createNetnsBinDir(ns, ['firewall-cmd']);
    daemon = spawn('/usr/sbin/ip', ['netns', 'exec', ns, '/usr/sbin/firewalld', '--nofork', '--nopid'], { env, stdio: 'ignore' });
    const running = await waitFor(() => spawnSync(join(binDir, 'firewall-cmd'), ['--state'], { env, encoding: 'utf8' }).stdout.trim() === 'running', START_DEADLINE_MS, 250);
    expect(running).toBe(true);
  }, START_DEADLINE_MS + 5_000);

  afterAll(() => {
    daemon?.kill();
    if (busPid !== undefined) spawnSync('/bin/kill', [String(busPid)]);
    deleteNetns(ns);
  });

  const apply = (action: 'add' | 'delete', ip: string, expireSeconds: number) =>
    applyFirewall(
      { action, address: parseIpAddress(ip), decision: 'block', expireSeconds, ossecArgs: [action] },
      { backend: 'firewalld', expire_seconds: expireSeconds, dry_run: false },
      { env, lockDir, binDirs: [binDir], timeoutMs: 20_000 },
    );

  it('add blocks once, a second add changes nothing, delete removes, a second delete succeeds', async () => {
    expect((await apply('add', '1.0.0.1', 600)).fields.result).toBe('blocked');
    expect(query('1.0.0.1')).toBe('yes');
    expect((await apply('add', '1.0.0.1', 600)).fields.result).toBe('already-blocked');
    expect((await apply('delete', '1.0.0.1', 600)).fields.result).toBe('unblocked');
    expect(query('1.0.0.1')).toBe('no');
    expect((await apply('delete', '1.0.0.1', 600)).fields.result).toBe('not-blocked');
  }, 60_000);

  it("firewalld's --timeout removes a block when no delete comes", async () => {
    expect((await apply('add', '1.0.0.2', 2)).fields).toMatchObject({ result: 'blocked', expire_seconds: 2 });
    expect(query('1.0.0.2')).toBe('yes');
    expect(await waitFor(() => query('1.0.0.2') === 'no', 15_000, 250)).toBe(true);
  }, 30_000);
});
