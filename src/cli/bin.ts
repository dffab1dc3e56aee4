import { GeoResponseError } from '../errors.js';
import { exitCodeFor } from './exit-codes.js';
import { isAlertInvocation } from './alert-invocation.js';
import { main } from './main.js';
import { isStdinTerminal, openStdinLines, writeAllSync } from './execd-stdio.js';

// The only place that reads the real process. Pipes to execd are synchronous on Linux, so
// everything written is out when the exit code is set.
const args = process.argv.slice(2);
main({
  args,
  executablePath: process.argv[1] ?? '',
  cwd: process.cwd(),
  env: process.env,
  get stdin() {
    return process.stdin;
  },
  get stdinIsTTY() {
    // tty (which loads net) only for a character device: a Wazuh alert's pipe is none.
    return isStdinTerminal(() => ((process.getBuiltinModule?.('node:tty') ?? require('node:tty')) as typeof import('node:tty')).isatty(0));
  },
  // An alert's stdin and stdout go by fd (execd-stdio.ts says why); process.stdin only where fd 0 is a socket.
  stdinLines: (maxLineBytes) => openStdinLines(maxLineBytes, () => process.stdin),
  writeStdoutNow: (text) => writeAllSync(1, text),
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
    // An alert is done once its record is written: exit now rather than let Node wind down
    // (~0.3 ms of wall time per alert, measured in interleaved runs against `node -e 0`).
    // 'exit' handlers (the code caches) still run.
    if (isAlertInvocation(args)) process.exit(code);
    process.exitCode = code;
  },
  (error: unknown) => {
    // A part refused by the trust rule (parts-file.ts) is the installation's fault, with its fix: not an internal error.
    if (error instanceof GeoResponseError) {
      process.stderr.write(`geo-response: ${error.message}\n`);
      process.exitCode = exitCodeFor(error.kind);
      return;
    }
    process.stderr.write(`geo-response: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
