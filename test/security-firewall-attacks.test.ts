/**
 * Issue 11, attacks on the firewall step: whatever the group plants in var/run/ (a lock naming
 * pid 1, a FIFO, a symlink to /dev/zero) has no effect, because the lock lives in
 * /run/geo-response/ (root 0700); and a firewall program that forks cannot hold the run past its
 * timeout. Blocks are real nftables inside a private network namespace, or a root-owned script.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { IS_ROOT } from './support/fake-install-tree.js';
import { makeRootDir, runAsAttacker, writeAsAttacker } from './support/attacker.js';
import { LAYOUTS, blockingConfig, readRecords, sendAlert, writeAdminConfig } from './support/attack-install.js';
import { useAttackScene } from './support/attack-scene.js';
import { createNetns, deleteNetns, execInNetns, waitFor, whyNoNetns } from './support/netns.js';

const LOCK_DIR = '/run/geo-response';
const IP_PROGRAM = '/usr/sbin/ip';
// The firewall timeout (10 s) plus the kill grace: a run that waited for the forked child took 25-60 s.
const CHILD_BOUND_MS = 15_000;
const GRANDCHILD_SLEEP_S = 60;
const noNetns = whyNoNetns(['nft']);

const scene = useAttackScene();
let namespaces: string[] = [];
let strayPids: number[] = [];
const lockDirExisted = fs.existsSync(LOCK_DIR);

afterEach(() => {
  for (const pid of strayPids) killQuietly(pid);
  for (const ns of namespaces) deleteNetns(ns);
  namespaces = [];
  strayPids = [];
});

afterAll(() => {
  // The lock directory is the product's, on the host: remove it if these tests made it and it is
  // empty (rmdir refuses otherwise: another run may be holding a lock in it).
  if (!lockDirExisted) removeEmptyDir(LOCK_DIR);
});

function blockedInNetns(ns: string, ip: string): boolean {
  const listed = execInNetns(ns, 'nft', ['list', 'set', 'inet', 'geo_response', 'blocked4']);
  return listed.status === 0 && listed.stdout.includes(ip);
}

const PLANTS: Array<{ name: string; plant: (lockFile: string) => void }> = [
  { name: 'a firewall.lock naming pid 1', plant: (lockFile) => writeAsAttacker(scene.attacker(), lockFile, '1 ffffffffffff\n') },
  { name: 'a FIFO named firewall.lock', plant: (lockFile) => runAsAttacker(scene.attacker(), '/usr/bin/mkfifo', [lockFile]) },
  { name: 'firewall.lock a symlink to /dev/zero', plant: (lockFile) => runAsAttacker(scene.attacker(), '/bin/ln', ['-s', '/dev/zero', lockFile]) },
];

describe.skipIf(!IS_ROOT || noNetns !== undefined).each(LAYOUTS)(`$product: var/run/ is the group's, the lock is not (${noNetns ?? 'real nftables in a private netns'})`, (layout) => {
  for (const { name, plant } of PLANTS) {
    it(`${name} in var/run/: a block and its delete both succeed at once, and var/run/ is left as planted`, async () => {
      const target = scene.install(layout);
      const ns = createNetns('sec-lock');
      namespaces.push(ns);
      writeAdminConfig(target, { policy: { mode: 'allow', countries: ['AQ'] }, firewall: { backend: 'nftables', expire_seconds: 600 } });
      const runDir = path.join(target.home, 'var', 'run');
      plant(path.join(runDir, 'firewall.lock'));
      const planted = listDir(runDir);
      const wrapper = [IP_PROGRAM, 'netns', 'exec', ns];

      const add = await sendAlert(target, { action: 'add', wrapper, timeoutMs: 20_000 });
      expect(add.signal, 'killed by the 20 s test timeout').toBeNull();
      expect(add.code, add.stderr).toBe(0);
      expect(blockedInNetns(ns, '1.1.1.1')).toBe(true);

      const del = await sendAlert(target, { action: 'delete', wrapper, timeoutMs: 20_000 });
      expect(del.signal, 'killed by the 20 s test timeout').toBeNull();
      expect(del.code, del.stderr).toBe(0);
      expect(blockedInNetns(ns, '1.1.1.1')).toBe(false);

      expect(listDir(runDir), 'geo-response used or left files in var/run/').toEqual(planted);
      const lockDir = fs.statSync(LOCK_DIR);
      expect({ uid: lockDir.uid, mode: (lockDir.mode & 0o7777).toString(8) }).toEqual({ uid: 0, mode: '700' });
    });
  }
});

describe.skipIf(!IS_ROOT).each(LAYOUTS)('$product: a firewall program that forks (needs root)', (layout) => {
  it('a child left running with the pipes open: the run ends within the timeout plus grace, and the child is killed', async () => {
    const target = scene.install(layout);
    const scripts = makeRootDir('gr-sec-fork-', 0o755);
    scene.keep(scripts);
    const pidFile = path.join(scripts, 'grandchild.pid');
    const program = path.join(scripts, 'fork-and-return.sh');
    fs.writeFileSync(program, `#!/bin/sh\nsleep ${GRANDCHILD_SLEEP_S} &\necho $! > '${pidFile}'\necho started\n`, { mode: 0o755 });
    writeAdminConfig(target, blockingConfig([program]));

    const result = await sendAlert(target, { timeoutMs: 30_000 });
    const ran = fs.existsSync(pidFile);
    const grandchild = ran ? Number(fs.readFileSync(pidFile, 'utf8')) : 0;
    if (ran) strayPids.push(grandchild);

    expect(ran, `the firewall program never ran: ${result.stderr}`).toBe(true);
    expect(result.signal, 'killed by the 30 s test timeout').toBeNull();
    expect(result.elapsedMs, 'the run waited for the forked child').toBeLessThan(CHILD_BOUND_MS);
    expect(await waitFor(() => !isAlive(grandchild), 2_000), `the forked sleep (pid ${grandchild}) is still running`).toBe(true);
    expect(readRecords(target.geoLog).at(-1)?.geo_response?.decision?.action).toBe('block');
  });
});

function listDir(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

// Alive and not a zombie (a killed child waits for its new parent to reap it).
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

function removeEmptyDir(dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch {
    // Absent, or in use by another run: leave it.
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone: what the test wanted.
  }
}
