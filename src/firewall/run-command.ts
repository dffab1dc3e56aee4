import { execa } from 'execa';
import { commandEnvironment, createGroupKiller, FIREWALL_COMMAND_TIMEOUT_MS, timedOutFailure, type CommandRunner, type CommandRunnerOptions } from './command-runner.js';

export type { CommandResult, CommandRunner } from './command-runner.js';

/**
 * A runner that executes commands through execa: no shell, stdin closed, a timeout, output kept,
 * each command in a process group of its own that the timeout kills whole. The commands run by
 * hand (`blocks restore`, `blocks remove`, `check`) use it; an alert uses sync-command.ts, the
 * same rules without execa's load time (see there).
 */
export function createExecaRunner(options: CommandRunnerOptions): CommandRunner {
  const env = commandEnvironment(options.env);
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
    if (group.timedOut()) return { stdout, stderr, timedOut: true, failure: timedOutFailure(timeout) };
    if (result.exitCode === undefined) return { stdout, stderr, timedOut: false, failure: result.originalMessage || result.shortMessage };
    return { exitCode: result.exitCode, stdout, stderr, timedOut: false };
  };
}
