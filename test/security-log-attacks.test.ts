/**
 * Issue 11, attacks on the logs/ directory, which the ossec/wazuh daemon user can write: a symlink,
 * a FIFO or a hard link where geo-response appends as root, a full disk, a logs/ that is gone.
 * Each attack is done as the daemon's own (unprivileged, uniquely named) account on a tree made by
 * install.sh, then one alert is sent as root the way execd sends it. See docs/security.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { IS_ROOT } from './support/fake-install-tree.js';
import { fileState, makeRootDir, makeVictimScript, payloadUserName, runAsAttacker, runVictimScript, writeAsAttacker } from './support/attacker.js';
import {
  LAYOUTS,
  literal,
  readLines,
  readRecords,
  sendAlert,
  stderrLines,
} from './support/attack-install.js';
import { useAttackScene } from './support/attack-scene.js';

const LOG_EXIT_CODE = 7;
const TINY_TMPFS = '32k';

const scene = useAttackScene();
let mounts: string[] = [];

afterEach(() => {
  for (const mount of mounts) spawnSync('umount', [mount]);
  mounts = [];
});

function rootDir(prefix: string, mode?: number): string {
  return scene.keep(makeRootDir(prefix, mode));
}

describe.skipIf(!IS_ROOT).each(LAYOUTS)('$product: attacks on logs/ (needs root: accounts, chown, mount)', (layout) => {
  for (const which of ['geo-response.log', 'active-responses.log'] as const) {
    it(`a symlink at logs/${which} to a root script or a missing file: nothing written through it, nothing run, exit non-zero`, async () => {
      const target = scene.install(layout);
      const victims = rootDir('gr-sec-victim-');
      const marker = path.join(victims, 'PWNED');
      const script = makeVictimScript(victims);
      const missing = path.join(victims, 'missing-victim');
      const logPath = path.join(target.home, 'logs', which);
      // active-responses.log is written when the alert fails: the payload goes in as the address.
      const alert = which === 'geo-response.log' ? { user: payloadUserName(marker) } : { ip: payloadUserName(marker) };

      for (const victim of [script, missing]) {
        const before = fileState(victim);
        runAsAttacker(scene.attacker(), '/bin/ln', ['-sfn', victim, logPath]);
        const result = await sendAlert(target, alert);
        runVictimScript(script);

        expect(fileState(victim), `${victim} through ${logPath}`).toEqual(before);
        expect(fs.existsSync(marker), 'the payload ran').toBe(false);
        expect(result.signal, 'killed by the test timeout').toBeNull();
        expect(result.code).not.toBe(0);
        if (which === 'geo-response.log') {
          expect(result.code, result.stderr).toBe(LOG_EXIT_CODE);
          expect(stderrLines(result)).toHaveLength(1);
          expect(result.stderr).toMatch(literal(logPath));
        } else {
          expect(result.stderr).toMatch(literal(logPath));
        }
      }
    });
  }

  it('a FIFO at logs/geo-response.log: the alert ends at once with a one-line error, no hang', async () => {
    const target = scene.install(layout);
    runAsAttacker(scene.attacker(), '/bin/rm', ['-f', target.geoLog]);
    runAsAttacker(scene.attacker(), '/usr/bin/mkfifo', [target.geoLog]);

    const result = await sendAlert(target, { timeoutMs: 20_000 });

    expect(result.signal, 'killed by the 20 s test timeout: the run hung on the FIFO').toBeNull();
    expect(result.code, result.stderr).toBe(LOG_EXIT_CODE);
    expect(stderrLines(result)).toHaveLength(1);
    expect(result.stderr).toMatch(literal(target.geoLog));
  });

  it('a hard link at logs/geo-response.log (nlink > 1) is refused and nothing is appended to the linked file', async () => {
    const target = scene.install(layout);
    // A root file the attacker can reach: protected_hardlinks normally forbids linking it (not theirs).
    const reachable = rootDir('gr-sec-hardlink-', 0o755);
    const rootVictim = path.join(reachable, 'root-owned.conf');
    fs.writeFileSync(rootVictim, 'root owned\n', { mode: 0o644 });
    runAsAttacker(scene.attacker(), '/bin/rm', ['-f', target.geoLog]);
    let linked = rootVictim;
    if (runAsAttacker(scene.attacker(), '/bin/ln', [rootVictim, target.geoLog], { mayFail: true }).status !== 0) {
      // Refused by fs.protected_hardlinks: link a file of their own twice instead.
      linked = path.join(target.home, 'logs', 'attacker-own.log');
      writeAsAttacker(scene.attacker(), linked, 'the attacker\'s own file\n');
      runAsAttacker(scene.attacker(), '/bin/ln', [linked, target.geoLog]);
    }
    const before = fileState(linked);

    const result = await sendAlert(target);

    expect(fileState(linked), `appended through a hard link to ${linked}`).toEqual(before);
    expect(result.code, result.stderr).toBe(LOG_EXIT_CODE);
    expect(stderrLines(result)).toHaveLength(1);
    expect(result.stderr).toMatch(literal(target.geoLog));
  });

  it('a full disk never leaves a torn record: the log ends with a newline, and after space is freed every line parses', async () => {
    const target = scene.install(layout);
    const logs = path.join(target.home, 'logs');
    const owner = fs.statSync(logs);
    const arOwner = fs.statSync(target.arLog);
    const mode = (owner.mode & 0o7777).toString(8);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${TINY_TMPFS},mode=${mode},uid=${owner.uid},gid=${owner.gid}`, 'tmpfs', logs], { encoding: 'utf8' });
    expect(mounted.status, `mount tmpfs on ${logs}: ${mounted.stderr}`).toBe(0);
    mounts.push(logs);
    for (const log of [target.geoLog, target.arLog]) {
      fs.writeFileSync(log, '');
      fs.chownSync(log, arOwner.uid, arOwner.gid);
      fs.chmodSync(log, 0o660);
    }
    // One whole record-like line that leaves less than a record free in its last page, then fill
    // every other page: the next record's write can only be partly done (a short write, then ENOSPC).
    fs.appendFileSync(target.geoLog, `${JSON.stringify({ padding: 'x'.repeat(3900) })}\n`);
    const filler = path.join(logs, 'filler');
    fillUntilFull(filler);

    const full = await sendAlert(target);
    expect(full.signal).toBeNull();
    expect(full.code).not.toBe(0);
    expect(fs.readFileSync(target.geoLog, 'utf8').endsWith('\n'), 'the log ends inside a record').toBe(true);

    fs.rmSync(filler);
    const freed = await sendAlert(target);
    expect(freed.code, freed.stderr).toBe(0);
    const lines = readLines(target.geoLog);
    for (const line of lines) expect(() => JSON.parse(line), line.slice(0, 120)).not.toThrow();
    expect(JSON.parse(lines.at(-1)!).event?.action).toBe('add');
  });

  it('logs/ removed: an alert does not recreate it (it would be root:root and the daemons could no longer write their logs), and says so', async () => {
    const target = scene.install(layout);
    const logs = path.join(target.home, 'logs');
    fs.rmSync(logs, { recursive: true, force: true });

    const result = await sendAlert(target);

    // append-line never makes the directory: the installer's owner and group are not ours to guess.
    expect(fs.existsSync(logs), 'logs/ was recreated').toBe(false);
    expect(result.code, result.stderr).toBe(LOG_EXIT_CODE);
    expect(result.stderr).toContain(`cannot append to ${target.geoLog}: its directory ${logs} is missing`);
  });
});

describe.skipIf(!IS_ROOT).each(LAYOUTS)('$product: a log file created by geo-response', (layout) => {
  it('a missing logs/geo-response.log is created 0660 with the owner and group of logs/, and the alert succeeds', async () => {
    const target = scene.install(layout);
    fs.rmSync(target.geoLog);
    const logs = fs.statSync(path.join(target.home, 'logs'));

    const result = await sendAlert(target);

    expect(result.code, result.stderr).toBe(0);
    const created = fs.lstatSync(target.geoLog);
    expect(created.isFile()).toBe(true);
    expect({ uid: created.uid, gid: created.gid, mode: (created.mode & 0o7777).toString(8) }).toEqual({ uid: logs.uid, gid: logs.gid, mode: '660' });
    expect(readRecords(target.geoLog)).toHaveLength(1);
  });
});

// Writes 4 KiB pages until the filesystem refuses: afterwards it has no whole page free.
function fillUntilFull(file: string): void {
  const fd = fs.openSync(file, 'w');
  const page = Buffer.alloc(4096, 0x2e);
  try {
    for (;;) {
      try {
        if (fs.writeSync(fd, page) < page.length) return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return;
        throw error;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}
