/**
 * The attacker of docs/security.md: an unprivileged account that is the installation's own daemon
 * user and group (what a compromised ossec/wazuh daemon runs as), with a unique name so that no
 * test depends on, or leaves behind, the host's accounts. Its steps run as that user; the victim
 * files live in root-only directories it cannot read.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Account, createTestAccount, removeAccount } from './fake-install-tree.js';

/** A new account with a unique name, user and group alike (removed with `removeAttacker`). */
export function createAttacker(): Account {
  return createTestAccount('atk');
}

/** Removes the account and its group. */
export function removeAttacker(account: Account | undefined): void {
  removeAccount(account);
}

export interface StepResult {
  status: number | null;
  stderr: string;
}

/**
 * One attacker step, program and argv, run as the account (uid and gid set, supplementary groups
 * dropped by libuv), in an empty environment. Throws when it fails unless `mayFail`.
 */
export function runAsAttacker(account: Account, program: string, args: string[], options: { mayFail?: boolean; input?: string | Buffer } = {}): StepResult {
  const result = spawnSync(program, args, {
    uid: account.uid,
    gid: account.gid,
    cwd: '/',
    env: { PATH: '/usr/bin:/bin' },
    encoding: 'utf8',
    input: options.input ?? '',
    timeout: 20_000,
  });
  if (result.error) throw result.error;
  if (result.status !== 0 && !options.mayFail) throw new Error(`as ${account.name}: ${program} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return { status: result.status, stderr: result.stderr };
}

/** Writes FILE as the attacker (so it is theirs, with their umask), through `tee`. */
export function writeAsAttacker(account: Account, file: string, content: string | Buffer): void {
  runAsAttacker(account, '/usr/bin/tee', [file], { input: content });
}

/** A root-owned directory (0700 unless told) under /tmp, for victims, markers and recording scripts. */
export function makeRootDir(prefix: string, mode = 0o700): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, mode);
  return dir;
}

/** What a file is now, to prove it unchanged: bytes, mode, owner, or absent. */
export interface FileState {
  exists: boolean;
  content?: string;
  mode?: number;
  uid?: number;
  gid?: number;
}

/** The state of a path, without following a final symlink's target's symlinks (lstat). */
export function fileState(file: string): FileState {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch {
    return { exists: false };
  }
  return { exists: true, content: fs.readFileSync(file).toString('base64'), mode: stat.mode, uid: stat.uid, gid: stat.gid };
}

/** A root shell script that a symlinked log could turn into root code execution: the classic victim. */
export function makeVictimScript(dir: string): string {
  const file = path.join(dir, 'victim.sh');
  fs.writeFileSync(file, '#!/bin/sh\n# a root script the attacker must not be able to change\necho ok\n', { mode: 0o700 });
  return file;
}

/**
 * A user name that runs `touch MARKER` in a shell if the JSON record around it is ever run as one
 * (the string boundaries of a JSON record line up with shell double quotes). No spaces: OSSEC's
 * execd splits its message on them.
 */
export function payloadUserName(marker: string): string {
  return `$(touch\${IFS}${marker})`;
}

/** Runs a script as root the way an admin later would (to see whether a payload landed in it). */
export function runVictimScript(script: string): void {
  spawnSync('/bin/sh', [script], { cwd: '/', env: { PATH: '/usr/bin:/bin' }, stdio: 'ignore', timeout: 10_000 });
}
