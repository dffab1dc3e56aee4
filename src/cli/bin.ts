import { main } from './main.js';

// The only place that reads the real process. Pipes to execd are synchronous on Linux, so
// everything written is out when the exit code is set.
main({
  args: process.argv.slice(2),
  executablePath: process.argv[1] ?? '',
  cwd: process.cwd(),
  env: process.env,
  stdin: process.stdin,
  stdinIsTTY: process.stdin.isTTY === true,
  stdout: process.stdout,
  stderr: process.stderr,
  stdoutIsTTY: process.stdout.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`geo-response: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
