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

export interface CommandRunnerOptions {
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export const FIREWALL_COMMAND_TIMEOUT_MS = 10_000;
// After SIGTERM on timeout, how long a stubborn program gets before SIGKILL.
const FORCE_KILL_AFTER_MS = 1_000;
// After the program exits, how long what it forked may keep our pipes open before it is killed.
const LEFTOVER_GRACE_MS = 500;
const DEFAULT_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The environment a firewall program gets. LC_ALL=C: the "absent"/"unchanged" patterns match the
 * programs' English messages. A PATH of our own: iptables-nft and ipset may exec helpers
 * (modprobe) even though we call them by absolute path.
 */
export function commandEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, LC_ALL: 'C', PATH: env.PATH || DEFAULT_PATH };
}

export function timedOutFailure(timeoutMs: number): string {
  return `timed out after ${timeoutMs} ms (its process group was killed)`;
}

/**
 * The timers that end a command's process group (it runs detached, as a group of its own): SIGTERM
 * at the timeout then SIGKILL, or SIGKILL a grace after the program exited while something it
 * forked still holds the pipes. So a program that forks (a `command` backend's script, a helper
 * nft or ipset execs) cannot keep a run past its timeout by holding our pipes, which killing one
 * pid would let it do. (The alert's runner, sync-command.ts, needs no timers: see there.)
 */
export function createGroupKiller(pid: number | undefined, timeoutMs: number) {
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
