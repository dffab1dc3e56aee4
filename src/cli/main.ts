import type { Readable, Writable } from 'node:stream';
import { openMmdb } from '../geo/mmdb/index.js';
import { appendLine } from '../log/append-line.js';
import type { LineSource } from '../respond/line-source.js';
import { MAX_MESSAGE_BYTES, respond } from '../respond/respond.js';
import type { RespondDeps } from '../respond/respond-deps.js';
import { currentExecutable } from '../loader/current-executable.js';
import { isAlertInvocation } from './alert-invocation.js';
import { EXIT_CODES, exitCodeFor } from './exit-codes.js';
import type { GeoResponseError } from '../errors.js';
import { resolveBundleDir, resolveHome } from './home.js';
import { listDatabaseFiles, readConfigText } from './system-io.js';
import { listHostAddresses } from './host-addresses.js';
import { locateConfig } from '../trust/config-location.js';
import { blockStatePath } from '../blocks/state-path.js';
import { describeTerminalMistake, formatUsage } from './usage.js';
import { readWarmUp, type WarmUp } from './warm-up.js';

declare const __GEO_RESPONSE_VERSION__: string;
/** The package version, fixed at build time. */
export const VERSION = typeof __GEO_RESPONSE_VERSION__ === 'string' ? __GEO_RESPONSE_VERSION__ : '0.0.0-dev';

/**
 * The process as the CLI sees it; only `bin.ts` builds the real one, with getters: touching
 * process.stdin/stdout creates stream objects (and loads net/stream for pipes), a cost an
 * OSSEC alert, which needs neither, should not pay.
 */
export interface CliProcess {
  args: string[];
  executablePath: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdin: Readable;
  stdinIsTTY: boolean;
  /** stdin as lines for an alert; the real one reads fd 0 without building `stdin` (execd-stdio.ts). */
  stdinLines(maxLineBytes: number): LineSource;
  stdout: Writable;
  /** Write to stdout before returning, without building `stdout`: an alert's check_keys. */
  writeStdoutNow(text: string): void;
  stderr: Writable;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
}

/** Dispatch one command line; returns the exit code. Subcommands load lazily so the active response pays only for itself. */
export async function main(proc: CliProcess): Promise<number> {
  const [first, ...rest] = proc.args;
  const home = resolveHome(proc.executablePath, proc.env, proc.cwd);
  const bundleDir = resolveBundleDir(proc.executablePath, proc.cwd);
  const write = (stream: Writable) => (text: string) => {
    stream.write(text);
  };
  if (isAlertInvocation(proc.args)) {
    // execd's calls start with add/delete (OSSEC) or bring a message on stdin (Wazuh), never from
    // a terminal: anything else typed at one is a person's mistake, not an alert to record.
    if (first !== 'add' && first !== 'delete' && proc.stdinIsTTY) {
      proc.stderr.write(`geo-response: ${describeTerminalMistake(first)}\n`);
      return EXIT_CODES.usage;
    }
    return exitCodeOf(await respond(buildRespondDeps(proc, home, bundleDir, readWarmUp(proc.env))));
  }
  switch (first) {
    case '--help':
    case '-h':
    case 'help':
      proc.stdout.write(formatUsage(VERSION));
      return EXIT_CODES.ok;
    case '--version':
    case '-V':
      proc.stdout.write(`geo-response ${VERSION}\n`);
      return EXIT_CODES.ok;
    case 'lookup': {
      const { runLookupCommand } = await import('./lookup-command.js');
      return runLookupCommand(rest, { home, bundleDir, cwd: proc.cwd, env: proc.env, readConfigText, listDatabaseFiles, writeStdout: write(proc.stdout), writeStderr: write(proc.stderr) });
    }
    case 'report': {
      const { runReport } = await import('../report/index.js');
      return runReport(rest, { stdout: proc.stdout, stderr: proc.stderr, stdoutIsTTY: proc.stdoutIsTTY, stderrIsTTY: proc.stderrIsTTY, now: new Date(), home });
    }
    case 'check': {
      const { runCheckCommand } = await import('./check-command.js');
      return runCheckCommand(rest, { home, bundleDir, env: proc.env, writeStdout: write(proc.stdout), writeStderr: write(proc.stderr) });
    }
    case 'blocks': {
      const { runBlocksCommand } = await import('./blocks-command.js');
      return runBlocksCommand(rest, {
        home,
        env: proc.env,
        version: VERSION,
        now: () => new Date(),
        stdoutIsTTY: proc.stdoutIsTTY,
        writeStdout: write(proc.stdout),
        writeStderr: write(proc.stderr),
      });
    }
    default:
      throw new Error(`${first} is listed in HAND_RUN_COMMANDS but main has no branch for it`);
  }
}

function exitCodeOf(failure: GeoResponseError | undefined): number {
  return failure === undefined ? EXIT_CODES.ok : exitCodeFor(failure.kind);
}

function buildRespondDeps(proc: CliProcess, home: string, bundleDir: string, warmUp: WarmUp | undefined): RespondDeps {
  // hrtime, not performance.now(): the `performance` global loads perf_hooks on first touch.
  const started = process.hrtime.bigint();
  // install.sh's warm-up (warm-up.ts) runs this same path, writing only into its own directory.
  const stateHome = warmUp?.dir ?? home;
  return {
    version: VERSION,
    args: proc.args,
    stdin: () => (proc.stdinIsTTY ? undefined : proc.stdinLines(MAX_MESSAGE_BYTES)),
    writeStdout: (line) => proc.writeStdoutNow(`${line}\n`),
    writeStderr: (line) => proc.stderr.write(`${line}\n`),
    env: proc.env,
    home,
    stateHome,
    bundleDir,
    now: () => new Date(),
    elapsedMs: () => Number(process.hrtime.bigint() - started) / 1e6,
    configLocation: locateConfig(home),
    readConfigText,
    configCache: currentExecutable()?.textCache('config.json'),
    listDatabaseFiles,
    // The per-alert reader: positioned reads, whatever the database's size (src/geo/mmdb/).
    openDatabase: openMmdb,
    appendLine: warmUp ? (path, line) => appendLine(warmUp.redirect(path), line) : appendLine,
    hostAddresses: listHostAddresses,
    async applyFirewall(call, config) {
      if (warmUp && !warmUp.firewallRuns(config)) return { fields: { backend: config.backend, result: 'none' } };
      // The backends and their runner load only when a backend is configured and has work to do.
      const { applyFirewall } = await import('../firewall/index.js');
      return applyFirewall(call, config, { env: proc.env, statePath: blockStatePath(stateHome) });
    },
  };
}
