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
const DEFAULT_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

export interface CommandRunnerOptions {
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** A runner that executes commands through execa: no shell, stdin closed, a timeout, output kept. */
export function createExecaRunner(options: CommandRunnerOptions): CommandRunner {
  // LC_ALL=C: the "absent"/"unchanged" patterns match the programs' English messages.
  // A PATH of our own: iptables-nft and ipset may exec helpers (modprobe) even though we call them by absolute path.
  const env = { ...options.env, LC_ALL: 'C', PATH: options.env.PATH || DEFAULT_PATH };
  const timeout = options.timeoutMs ?? FIREWALL_COMMAND_TIMEOUT_MS;
  return async (command) => {
    const result = await execa(command.program, command.args, {
      reject: false,
      stdin: 'ignore',
      env,
      extendEnv: false,
      timeout,
      forceKillAfterDelay: FORCE_KILL_AFTER_MS,
      windowsHide: true,
    });
    const stdout = typeof result.stdout === 'string' ? result.stdout : '';
    const stderr = typeof result.stderr === 'string' ? result.stderr : '';
    if (result.timedOut) return { stdout, stderr, timedOut: true, failure: `timed out after ${timeout} ms` };
    if (result.exitCode === undefined) return { stdout, stderr, timedOut: false, failure: result.originalMessage || result.shortMessage };
    return { exitCode: result.exitCode, stdout, stderr, timedOut: false };
  };
}
