import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createExecaRunner } from '../src/firewall/run-command';
import { createSyncRunner } from '../src/firewall/sync-command';

const dir = mkdtempSync(join(tmpdir(), 'gr-run-group-'));

function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

// Running, not a zombie: a killed orphan stays in the table until its new parent reaps it.
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

// Bounds here are generous safety nets against a hang, not timing assertions: without the group
// kill these runs last the grandchild's 60 s.
describe('a firewall command and everything it forks end with it (the execa runner, for the commands run by hand)', () => {
  const createRunner = createExecaRunner;
  it('a program that exits while a child it forked holds the pipes: the run ends and the child is killed', async () => {
    const pidFile = join(dir, 'leftover.pid');
    const program = script('forks.sh', `sleep 60 & echo $! > '${pidFile}'; echo started`);
    const started = Date.now();
    const result = await createRunner({ env: {}, timeoutMs: 10_000 })({ program, args: [] });
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(result).toMatchObject({ exitCode: 0, stdout: 'started', timedOut: false });
    expect(isAlive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('a program that hangs past the timeout: its whole process group is killed and the run says so', async () => {
    const pidFile = join(dir, 'hung.pid');
    const program = script('hangs.sh', `sleep 60 & echo $! > '${pidFile}'; sleep 60`);
    const started = Date.now();
    const result = await createRunner({ env: {}, timeoutMs: 300 })({ program, args: [] });
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(result).toMatchObject({ timedOut: true, failure: expect.stringMatching(/timed out after 300 ms/) });
    expect(existsSync(pidFile)).toBe(true);
    expect(isAlive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('a program that ignores SIGTERM is killed 1 s later', async () => {
    const pidFile = join(dir, 'stubborn.pid');
    const program = script('stubborn.sh', `echo $$ > '${pidFile}'; trap '' TERM; sleep 60`);
    const started = Date.now();
    const result = await createRunner({ env: {}, timeoutMs: 200 })({ program, args: [] });
    const elapsed = Date.now() - started;
    expect(result.timedOut).toBe(true);
    // Correctness bounds, not speed: SIGTERM at 200 ms is ignored, so the end comes from the SIGKILL
    // a second later (not before), and long before the 60 s sleep would end by itself.
    expect(elapsed).toBeGreaterThanOrEqual(1_000);
    expect(elapsed).toBeLessThan(5_000);
    expect(isAlive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });
});

// The alert's runner: spawnSync, its output in files, its process group killed when it ends.
const scratchDir = mkdtempSync(join(tmpdir(), 'gr-run-scratch-'));
const createAlertRunner = (options: { env: NodeJS.ProcessEnv; timeoutMs?: number }) => createSyncRunner({ ...options, scratchDir });

describe('the alert\'s runner: a firewall command and everything it forks end with it', () => {
  it('a program that exits while a child it forked holds its output: the run ends at once and the child is killed', async () => {
    const pidFile = join(dir, 'sync-leftover.pid');
    const program = script('sync-forks.sh', `sleep 60 & echo $! > '${pidFile}'; echo started`);
    const started = Date.now();
    const result = await createAlertRunner({ env: {}, timeoutMs: 10_000 })({ program, args: [] });
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(result).toMatchObject({ exitCode: 0, stdout: 'started', timedOut: false });
    expect(isAlive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('a program that hangs past the timeout, even one that ignores SIGTERM: its whole group is killed and the run says so', async () => {
    const pidFile = join(dir, 'sync-hung.pid');
    const program = script('sync-hangs.sh', `trap '' TERM; sleep 60 & echo $! > '${pidFile}'; sleep 60`);
    const started = Date.now();
    const result = await createAlertRunner({ env: {}, timeoutMs: 300 })({ program, args: [] });
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(result).toMatchObject({ timedOut: true, failure: expect.stringMatching(/timed out after 300 ms/) });
    expect(isAlive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('leaves nothing in its scratch directory', async () => {
    await createAlertRunner({ env: {} })({ program: '/bin/echo', args: ['x'] });
    expect(readdirSync(scratchDir)).toEqual([]);
  });
});

// The alert's runner stands in for execa on the block path: the two must answer alike.
describe('the alert\'s runner answers as the execa runner does', () => {
  const cases: Array<[string, () => { program: string; args: string[]; input?: string }]> = [
    ['input on stdin, output kept without its final newline', () => ({ program: '/bin/cat', args: [], input: 'one\ntwo\n' })],
    ['a failing exit with its stderr', () => ({ program: script('fails.sh', 'echo "Error: No such file or directory" >&2; exit 1'), args: [] })],
    ['stdout and stderr both, kept apart', () => ({ program: script('both.sh', 'echo out; echo err >&2; echo more'), args: [] })],
    ['the environment a firewall program gets (LC_ALL=C, a PATH of our own)', () => ({ program: script('env.sh', 'echo "$LC_ALL $PATH"'), args: [] })],
    ['arguments passed as they are, no shell', () => ({ program: script('args.sh', 'printf "%s|" "$@"'), args: ['a b', '$HOME', ';'] })],
  ];
  it.each(cases)('%s', async (_name, command) => {
    const planned = command();
    const fromExeca = await createExecaRunner({ env: {} })(planned);
    const fromAlert = await createAlertRunner({ env: {} })(planned);
    expect(fromAlert).toEqual(fromExeca);
    expect(fromAlert.exitCode).toBeDefined();
  });

  it('a program that cannot be started: no exit code, and a failure that says why', async () => {
    const result = await createAlertRunner({ env: {} })({ program: join(dir, 'not-there'), args: [] });
    expect(result.exitCode).toBeUndefined();
    expect(result.failure).toMatch(/ENOENT/);
  });
});
