import { spawn } from 'node:child_process';
import { commandEnvironment, createGroupKiller, FIREWALL_COMMAND_TIMEOUT_MS, timedOutFailure, type CommandResult, type CommandRunner, type CommandRunnerOptions } from './command-runner.js';

// Output kept per stream: what a firewall program prints on one change is a line or two; a
// listing is read by the hand-run commands, through execa.
const MAX_OUTPUT_BYTES = 1024 * 1024;

/**
 * The alert's runner: the same rules as the execa runner (run-command.ts: no shell, absolute
 * program, stdin closed or fed, a timeout that kills the whole process group, a grace for what the
 * program forked, output kept, the final newline dropped) on node:child_process alone. Why not
 * execa here: a blocking alert is measured against one bare Node start (design §7), and loading
 * execa's modules was most of the firewall part's 142 KB of code to compile and initialise on
 * every block (docs/performance.md has the figures).
 */
export function createSpawnRunner(options: CommandRunnerOptions): CommandRunner {
  const env = commandEnvironment(options.env);
  const timeout = options.timeoutMs ?? FIREWALL_COMMAND_TIMEOUT_MS;
  return (command) =>
    new Promise<CommandResult>((resolve) => {
      const child = spawn(command.program, command.args, { env, detached: true, stdio: [command.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
      const group = createGroupKiller(child.pid, timeout);
      const stdout = collect(child.stdout);
      const stderr = collect(child.stderr);
      let startFailure: string | undefined;
      child.once('error', (error) => {
        // Not started (ENOENT, EACCES): 'close' still follows.
        startFailure = error.message;
      });
      child.once('exit', group.afterExit);
      if (command.input !== undefined && child.stdin) {
        // A program that exits without reading all its input closes the pipe: that is its answer, not ours to report.
        child.stdin.on('error', () => undefined);
        child.stdin.end(command.input);
      }
      child.once('close', (code) => {
        group.stop();
        const output = { stdout: stdout(), stderr: stderr() };
        if (group.timedOut()) resolve({ ...output, timedOut: true, failure: timedOutFailure(timeout) });
        else if (startFailure !== undefined || code === null) resolve({ ...output, timedOut: false, failure: startFailure ?? 'killed by a signal' });
        else resolve({ ...output, exitCode: code, timedOut: false });
      });
    });
}

function collect(stream: NodeJS.ReadableStream | null): () => string {
  const chunks: Buffer[] = [];
  let kept = 0;
  stream?.on('data', (chunk: Buffer) => {
    if (kept >= MAX_OUTPUT_BYTES) return;
    chunks.push(chunk);
    kept += chunk.length;
  });
  return () => Buffer.concat(chunks).toString('utf8').slice(0, MAX_OUTPUT_BYTES).replace(/\r?\n$/, '');
}
