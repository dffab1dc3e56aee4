/**
 * Issue 11, attacks on the configuration: on Wazuh the group can write etc/, so geo-response's
 * configuration lives in active-response/etc/ there and etc/ is never read; wherever it lives, a
 * configuration the group could change is refused (nothing blocked, the record and
 * active-responses.log name the path and the rule), and `check` says how to fix it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IS_ROOT, ownership, runInstall } from './support/fake-install-tree.js';
import { makeRootDir, runAsAttacker, writeAsAttacker } from './support/attacker.js';
import {
  type AttackInstall,
  LAYOUTS,
  blockingConfig,
  createRecorder,
  errorCodeOf,
  literal,
  readLines,
  readRecords,
  sendAlert,
  trustedConfigDir,
  writeAdminConfig,
} from './support/attack-install.js';
import { useAttackScene } from './support/attack-scene.js';

const WAZUH = LAYOUTS.find((layout) => layout.product === 'wazuh')!;

const scene = useAttackScene();

function recorder() {
  const made = createRecorder();
  scene.keep(made.dir);
  return made;
}

function runCheck(target: AttackInstall): { code: number | null; output: string } {
  const result = spawnSync(target.exe, ['check'], { cwd: '/', env: { PATH: '/usr/bin:/bin' }, encoding: 'utf8', timeout: 30_000 });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

describe.skipIf(!IS_ROOT)('wazuh: etc/ is group-writable, so the configuration lives elsewhere (needs root)', () => {
  it('install.sh puts the configuration and the embedded database in active-response/etc/ (root:group 0750), not in etc/', () => {
    const target = scene.install(WAZUH);
    const dir = trustedConfigDir(target.home, 'wazuh');
    expect(ownership(dir)).toEqual({ uid: 0, gid: scene.attacker().gid, mode: '750' });
    expect(ownership(path.join(dir, 'geo-response.json'))).toEqual({ uid: 0, gid: scene.attacker().gid, mode: '640' });
    expect(ownership(path.join(dir, 'dbip-country-lite.mmdb'))).toEqual({ uid: 0, gid: scene.attacker().gid, mode: '640' });
    expect(fs.existsSync(path.join(target.home, 'etc', 'geo-response.json'))).toBe(false);
    expect(fs.existsSync(path.join(target.home, 'etc', 'dbip-country-lite.mmdb'))).toBe(false);
  });

  it('on upgrade install.sh moves an existing etc/geo-response.json to active-response/etc/ and asks the admin to review it', () => {
    const target = scene.install(WAZUH);
    const old = path.join(target.home, 'etc', 'geo-response.json');
    const policy = JSON.stringify({ policy: { mode: 'deny', countries: ['KP'] } });
    fs.rmSync(target.configPath, { force: true });
    fs.writeFileSync(old, policy);
    fs.chownSync(old, 0, scene.attacker().gid);
    fs.chmodSync(old, 0o640);

    const result = runInstall(['--prefix', target.home, '--apply']);

    expect(result.code, result.stderr).toBe(0);
    expect(fs.existsSync(old)).toBe(false);
    expect(fs.readFileSync(target.configPath, 'utf8')).toBe(policy);
    expect(ownership(target.configPath)).toEqual({ uid: 0, gid: scene.attacker().gid, mode: '640' });
    expect(`${result.stdout}${result.stderr}`).toMatch(literal(target.configPath));
    expect(`${result.stdout}${result.stderr}`).toMatch(/review/i);
  });

  // install.sh runs as root too, and reads and rewrites files in this etc/: a link the group puts
  // there must not make it write through the link, nor copy a root-only file into one the group reads.
  it('install.sh --apply with etc/ossec.conf swapped for a link to a root-only file: refused, nothing copied or written through it', () => {
    const target = scene.install(WAZUH);
    const victims = scene.keep(makeRootDir('gr-sec-victim-'));
    const secret = path.join(victims, 'shadow');
    fs.writeFileSync(secret, 'root:$6$SECRET-HASH:19000:0:99999:7:::\n', { mode: 0o600 });
    const conf = path.join(target.home, 'etc', 'ossec.conf');
    // Without our blocks, so the upgrade has something to write.
    runInstall(['--prefix', target.home, '--uninstall']);
    runAsAttacker(scene.attacker(), '/bin/mv', [conf, `${conf}.real`]);
    runAsAttacker(scene.attacker(), '/bin/ln', ['-s', secret, conf]);

    const result = runInstall(['--prefix', target.home, '--apply']);

    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/ossec\.conf is not a regular file with one link: not read|ELOOP/);
    expect(fs.readFileSync(secret, 'utf8')).toBe('root:$6$SECRET-HASH:19000:0:99999:7:::\n');
    expect(fs.statSync(secret).mode & 0o777).toBe(0o600);
    const leaked = spawnSync('grep', ['-rl', 'SECRET-HASH', target.home], { encoding: 'utf8' });
    expect(leaked.stdout).toBe('');
  });

  // The race between install.sh choosing a name in etc/ and renaming onto it, made certain: a
  // `mv` first on PATH plants a link to a directory at every name in etc/ it is about to rename
  // onto, as the group could at that instant.
  it('install.sh --apply with a link to a directory planted at ossec.conf and its backup just before each rename: the links are replaced, nothing lands in the directory', () => {
    const target = scene.install(WAZUH);
    const etc = path.join(target.home, 'etc');
    const victims = scene.keep(makeRootDir('gr-sec-victim-'));
    runInstall(['--prefix', target.home, '--uninstall']);
    const backupsOf = () => fs.readdirSync(etc).filter((name) => name.startsWith('ossec.conf.geo-response-'));
    const backupsBefore = backupsOf();
    const planting = scene.keep(makeRootDir('gr-sec-mv-'));
    const fakeMv = path.join(planting, 'mv');
    fs.writeFileSync(
      fakeMv,
      ['#!/bin/sh', 'for dest; do :; done', `case $dest in ${etc}/*) rm -f "$dest"; ln -s ${victims} "$dest" ;; esac`, 'exec /bin/mv "$@"', ''].join('\n'),
      { mode: 0o755 },
    );

    const result = runInstall(['--prefix', target.home, '--apply'], { PATH: `${planting}:${process.env.PATH ?? '/usr/bin:/bin'}` });

    expect(result.code, result.stderr).toBe(0);
    expect(fs.readdirSync(victims)).toEqual([]);
    const conf = path.join(etc, 'ossec.conf');
    expect(fs.lstatSync(conf).isFile()).toBe(true);
    expect(fs.readFileSync(conf, 'utf8')).toContain('<name>geo-response</name>');
    const newBackups = backupsOf().filter((name) => !backupsBefore.includes(name));
    expect(newBackups).toHaveLength(1);
    expect(fs.lstatSync(path.join(etc, newBackups[0]!)).isFile()).toBe(true);
  });

  it('install.sh --uninstall with a link planted at etc/local_decoder.xml (not a Wazuh file): ignored, the uninstall completes and removes the rules block', () => {
    const target = scene.install(WAZUH);
    const victims = scene.keep(makeRootDir('gr-sec-victim-'));
    const secret = path.join(victims, 'shadow');
    fs.writeFileSync(secret, 'root:$6$SECRET-HASH:19000:0:99999:7:::\n', { mode: 0o600 });
    const rules = path.join(target.home, 'etc', 'rules', 'local_rules.xml');
    expect(fs.readFileSync(rules, 'utf8')).toContain('geo-response');
    runAsAttacker(scene.attacker(), '/bin/ln', ['-s', secret, path.join(target.home, 'etc', 'local_decoder.xml')]);

    const result = runInstall(['--prefix', target.home, '--uninstall']);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(fs.readFileSync(rules, 'utf8')).not.toContain('geo-response');
    expect(fs.readFileSync(secret, 'utf8')).toBe('root:$6$SECRET-HASH:19000:0:99999:7:::\n');
  });

  it('an etc/geo-response.json swapped for a link to a root-only file is not moved (its bytes never reach active-response/etc/)', () => {
    const target = scene.install(WAZUH);
    const victims = scene.keep(makeRootDir('gr-sec-victim-'));
    const secret = path.join(victims, 'secret.json');
    fs.writeFileSync(secret, '{"policy":{"mode":"off"},"_":"SECRET-BYTES"}', { mode: 0o600 });
    fs.rmSync(target.configPath, { force: true });
    runAsAttacker(scene.attacker(), '/bin/ln', ['-s', secret, path.join(target.home, 'etc', 'geo-response.json')]);

    const result = runInstall(['--prefix', target.home, '--apply']);

    expect(result.stderr).toMatch(/geo-response\.json is not moved: it is not a plain file/);
    expect(fs.existsSync(target.configPath)).toBe(false);
    expect(spawnSync('grep', ['-rl', 'SECRET-BYTES', target.home], { encoding: 'utf8' }).stdout).toBe('');
  });

  it('a configuration the group writes into etc/ runs nothing, on add or delete', async () => {
    const target = scene.install(WAZUH);
    const marker = path.join(makeTracked('gr-sec-marker-'), 'PWNED');
    const planted = path.join(target.home, 'etc', 'geo-response.json');
    // Wazuh 4.x's installer makes etc/ wazuh:wazuh 0770 (the daemon user owns it; 5.x: root:wazuh).
    fs.chownSync(path.dirname(planted), scene.attacker().uid, scene.attacker().gid);
    runAsAttacker(scene.attacker(), '/bin/mv', ['-f', planted, `${planted}.away`], { mayFail: true });
    writeAsAttacker(scene.attacker(), planted, JSON.stringify({ firewall: { backend: 'command', command: ['/bin/sh', '-c', `touch ${marker}`] }, policy: { mode: 'allow', countries: [] } }));

    const add = await sendAlert(target, { action: 'add' });
    const del = await sendAlert(target, { action: 'delete' });

    expect(fs.existsSync(marker), 'the planted command ran as root').toBe(false);
    expect(add.code, add.stderr).toBe(0);
    expect(del.code, del.stderr).toBe(0);
    expect(readRecords(target.geoLog).map((record) => record.geo_response?.decision?.action)).not.toContain('block');
  });
});

// A refused configuration: failure recorded with the path and the rule, a line in active-responses.log, nothing blocked.
async function expectRefused(target: AttackInstall, calls: () => string[], failingPath: string, rule: RegExp): Promise<void> {
  const result = await sendAlert(target);
  expect(result.signal).toBeNull();
  expect(result.code).not.toBe(0);
  expect(calls(), 'the backend ran').toEqual([]);
  const record = readRecords(target.geoLog).at(-1);
  expect(record?.event?.outcome).toBe('failure');
  expect(errorCodeOf(record)).toBe('UNTRUSTED_PATH');
  expect(JSON.stringify(record)).toMatch(literal(failingPath));
  const arLine = readLines(target.arLog).at(-1) ?? '';
  expect(arLine).toMatch(literal(failingPath));
  expect(arLine).toMatch(rule);
}

describe.skipIf(!IS_ROOT).each(LAYOUTS)('$product: a configuration the group could change is refused (needs root)', (layout) => {
  it('group-writable configuration file: refused, nothing blocked; check names it with the rule and the fix', async () => {
    const target = scene.install(layout);
    const rec = recorder();
    writeAdminConfig(target, blockingConfig([rec.program]));
    fs.chmodSync(target.configPath, 0o660);

    await expectRefused(target, rec.calls, target.configPath, /writable|group/i);
    const check = runCheck(target);
    expect(check.code).not.toBe(0);
    const line = check.output.split('\n').find((text) => text.includes(target.configPath)) ?? check.output;
    expect(line).toMatch(/writable|group/i);
    expect(line).toMatch(fixCommand('chmod (g-w|go-w|0?[0-7]{3})', target.configPath));
  });

  it('configuration owned by the attacker: refused, nothing blocked; check says chown root', async () => {
    const target = scene.install(layout);
    const rec = recorder();
    writeAdminConfig(target, blockingConfig([rec.program]));
    fs.chownSync(target.configPath, scene.attacker().uid, scene.attacker().gid);

    await expectRefused(target, rec.calls, target.configPath, /own/i);
    const check = runCheck(target);
    expect(check.code).not.toBe(0);
    expect(check.output).toMatch(fixCommand('chown root\\S*', target.configPath));
  });

  it('a group-writable directory above the installation: refused, and check names that directory and the fix', async () => {
    const target = scene.install(layout);
    const rec = recorder();
    writeAdminConfig(target, blockingConfig([rec.program]));
    // Not the configuration's own directory (a group-writable etc/ only moves the configuration to
    // active-response/etc/): one above the whole installation, which no location can get around.
    const above = path.dirname(target.home);
    fs.chownSync(above, 0, scene.attacker().gid);
    fs.chmodSync(above, 0o775);

    await expectRefused(target, rec.calls, above, /writable|group/i);
    const check = runCheck(target);
    expect(check.code, check.output).not.toBe(0);
    expect(check.code, `check failed as a bug (exit 1): ${check.output}`).not.toBe(1);
    expect(check.output).toMatch(fixCommand('chmod (g-w|go-w|0?[0-7]{3})', above));
  });

  it('a trusted configuration still works: the block goes to the backend (the refusals above are not refusing everything)', async () => {
    const target = scene.install(layout);
    const rec = recorder();
    writeAdminConfig(target, blockingConfig([rec.program]));

    const result = await sendAlert(target);

    expect(result.code, result.stderr).toBe(0);
    expect(rec.calls()).toHaveLength(1);
    expect(readRecords(target.geoLog).at(-1)?.geo_response?.decision?.action).toBe('block');
  });
});

// A fix command for PATH as check prints it (the path may be shell-quoted).
function fixCommand(command: string, file: string): RegExp {
  return new RegExp(`${command} '?${literal(file).source}'?`);
}

function makeTracked(prefix: string): string {
  const dir = makeRootDir(prefix);
  scene.keep(dir);
  return dir;
}
