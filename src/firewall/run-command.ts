import { execa } from 'execa';
import type { PlannedCommand } from './firewall-types.js';

/** What one command did; `exitCode` is undefined when it never ran to an exit (not started, killed on timeout). */
export interface CommandResult {
  exitCode?: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Why the command could not be started or was killed, in words. */
  failure?: string;
}

/** Runs one resolved command (absolute program path); the executor only sees this, so tests and dry runs can swap it. */
export type CommandRunner = (command: PlannedCommand) => Promise<CommandResult>;

export const FIREWALL_COMMAND_TIMEOUT_MS = 10_000;
// After SIGTERM on timeout, how long a stubborn program gets before SIGKILL.
const FORCE_KILL_AFTER_MS = 1_000;
// After the program exits, how long what it forked may keep our pipes open before it is killed.
const LEFTOVER_GRACE_MS = 500;
const DEFAULT_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

export interface CommandRunnerOptions {
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/**
 * A runner that executes commands through execa: no shell, stdin closed, a timeout, output kept.
 * Each command runs in a process group of its own, and the timeout kills the whole group: a
 * program that forks (a `command` backend's script, a helper nft or ipset execs) cannot keep the
 * run past its timeout by holding our pipes, which execa's own timeout, killing one pid, let it do.
 */
export function createExecaRunner(options: CommandRunnerOptions): CommandRunner {
  // LC_ALL=C: the "absent"/"unchanged" patterns match the programs' English messages.
  // A PATH of our own: iptables-nft and ipset may exec helpers (modprobe) even though we call them by absolute path.
  const env = { ...options.env, LC_ALL: 'C', PATH: options.env.PATH || DEFAULT_PATH };
  const timeout = options.timeoutMs ?? FIREWALL_COMMAND_TIMEOUT_MS;
  return async (command) => {
    const subprocess = execa(command.program, command.args, {
      reject: false,
      ...(command.input === undefined ? { stdin: 'ignore' as const } : { input: command.input }),
      env,
      extendEnv: false,
      detached: true,
      windowsHide: true,
    });
    const group = createGroupKiller(subprocess.pid, timeout);
    // The program itself is done: whatever it left behind holding the pipes gets a short grace.
    subprocess.once('exit', group.afterExit);
    const result = await subprocess;
    group.stop();
    const stdout = typeof result.stdout === 'string' ? result.stdout : '';
    const stderr = typeof result.stderr === 'string' ? result.stderr : '';
    if (group.timedOut()) return { stdout, stderr, timedOut: true, failure: `timed out after ${timeout} ms (its process group was killed)` };
    if (result.exitCode === undefined) return { stdout, stderr, timedOut: false, failure: result.originalMessage || result.shortMessage };
    return { exitCode: result.exitCode, stdout, stderr, timedOut: false };
  };
}

// The timers that end a command's process group: SIGTERM at the timeout then SIGKILL, or SIGKILL
// a grace after the program exited while something it forked still holds the pipes.
function createGroupKiller(pid: number | undefined, timeoutMs: number) {
  const timers: NodeJS.Timeout[] = [];
  let timedOut = false;
  const kill = (signal: NodeJS.Signals) => {
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is already empty.
    }
  };
  timers.push(
    setTimeout(() => {
      timedOut = true;
      kill('SIGTERM');
      timers.push(setTimeout(() => kill('SIGKILL'), FORCE_KILL_AFTER_MS));
    }, timeoutMs),
  );
  return {
    afterExit: () => timers.push(setTimeout(() => kill('SIGKILL'), LEFTOVER_GRACE_MS)),
    timedOut: () => timedOut,
    stop: () => timers.forEach(clearTimeout),
  };
}
