import { main } from './main.js';

// The only place that reads the real process. Pipes to execd are synchronous on Linux, so
// everything written is out when the exit code is set.
main({
  args: process.argv.slice(2),
  executablePath: process.argv[1] ?? '',
  cwd: process.cwd(),
  env: process.env,
  get stdin() {
    return process.stdin;
  },
  get stdinIsTTY() {
    return process.stdin.isTTY === true;
  },
  get stdout() {
    return process.stdout;
  },
  get stderr() {
    return process.stderr;
  },
  get stdoutIsTTY() {
    return process.stdout.isTTY === true;
  },
  get stderrIsTTY() {
    return process.stderr.isTTY === true;
  },
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`geo-response: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
