import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { closeSync, constants, fstatSync, openSync, readSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { uniqueHex } from '../state/unique-hex.js';
import { commandEnvironment, FIREWALL_COMMAND_TIMEOUT_MS, timedOutFailure, type CommandResult, type CommandRunner, type CommandRunnerOptions } from './command-runner.js';

// Output kept per stream: what a firewall program prints on one change is a line or two; listings
// are read by the hand-run commands, through execa.
const MAX_OUTPUT_BYTES = 1024 * 1024;
const OUTPUT_FLAGS = constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export interface SyncRunnerOptions extends CommandRunnerOptions {
  /** A directory only root can write (the lock directory): the programs' output goes to unlinked files there. */
  scratchDir: string;
}

/**
 * The alert's runner: the execa runner's rules (run-command.ts: no shell, absolute program, stdin
 * closed or fed, a timeout, output kept, the final newline dropped, and nothing the program forked
 * outlives it) on spawnSync, with the program's stdout and stderr in files rather than pipes.
 *
 * Why: a blocking alert is measured against one bare Node start (design §7). execa's modules were
 * most of the firewall part's code; and Node's asynchronous spawn builds a socket and a stream per
 * pipe and turns the event loop for each: measured on the 2-core build machine (interleaved runs,
 * medians), running /bin/true took 24 ms over loading child_process with spawn, 13 ms with
 * spawnSync. Why files: spawnSync waits for its pipes to close, so a forked child that kept one
 * open would hold the alert until the timeout; a file needs no end. The program runs in a process
 * group of its own, killed whole as soon as it exits (what it forked does not outlive it) or when
 * the timeout kills it. Unlike the execa runner there is no SIGTERM grace: spawnSync sends one
 * signal, so it is SIGKILL (an nft or ipset change is one kernel transaction: killed, it happened
 * or it did not).
 */
export function createSyncRunner(options: SyncRunnerOptions): CommandRunner {
  const env = commandEnvironment(options.env);
  const timeout = options.timeoutMs ?? FIREWALL_COMMAND_TIMEOUT_MS;
  return async (command) => {
    const stdout = openOutput(options.scratchDir);
    const stderr = openOutput(options.scratchDir);
    try {
      // `detached` (a process group of its own) is not in spawnSync's typings, but Node passes it
      // on as spawn does (normalizeSpawnArguments, on 18 to 22); the group tests check it.
      const spawnOptions: SpawnSyncOptions & { detached: boolean } = {
        env,
        detached: true,
        stdio: [command.input === undefined ? 'ignore' : 'pipe', stdout, stderr],
        ...(command.input === undefined ? {} : { input: command.input }),
        timeout,
        killSignal: 'SIGKILL',
      };
      const result = spawnSync(command.program, command.args, spawnOptions);
      if (result.pid) killGroup(result.pid);
      const output = { stdout: readOutput(stdout), stderr: readOutput(stderr) };
      const code = (result.error as NodeJS.ErrnoException | undefined)?.code;
      if (code === 'ETIMEDOUT') return { ...output, timedOut: true, failure: timedOutFailure(timeout) };
      if (result.error !== undefined || result.status === null) return { ...output, timedOut: false, failure: result.error?.message ?? `killed by ${result.signal ?? 'a signal'}` };
      return { ...output, exitCode: result.status, timedOut: false } satisfies CommandResult;
    } finally {
      closeSync(stdout);
      closeSync(stderr);
    }
  };
}

// A file only this process can reach: created in the private directory, then unlinked at once.
function openOutput(dir: string): number {
  const path = join(dir, `output.${process.pid}.${uniqueHex()}`);
  const fd = openSync(path, OUTPUT_FLAGS, 0o600);
  unlinkSync(path);
  return fd;
}

function readOutput(fd: number): string {
  const size = Math.min(fstatSync(fd).size, MAX_OUTPUT_BYTES);
  const buffer = Buffer.allocUnsafe(size);
  let filled = 0;
  while (filled < size) {
    const read = readSync(fd, buffer, filled, size - filled, filled);
    if (read === 0) break;
    filled += read;
  }
  return buffer.toString('utf8', 0, filled).replace(/\r?\n$/, '');
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already empty.
  }
}
