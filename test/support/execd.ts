import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { openRealPipes } from '../../scripts/real-pipes.mjs';

/*
 * An execd stand-in: runs an active-response executable the way OSSEC's and Wazuh's execd do,
 * byte for byte. OSSEC: the message split on spaces into argv, stdin /dev/null, cwd /, a
 * minimal environment. Wazuh 4: one JSON line on stdin that is never closed; it waits for our
 * first stdout line, which must be check_keys on add, and answers with the whole message with
 * `command` replaced. Wazuh 5: one JSON line. Wazuh's stdin and stdout are pipe(2) ends, as
 * wpopenv makes them (real-pipes.ts), unless a test asks for Node's socketpairs.
 */

export interface ExecdResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The parsed first stdout line for a Wazuh 4 add. */
  checkKeys?: unknown;
}

export interface ExecdOptions {
  /** e.g. [installedExePath] or [nodePath, bundlePath] */
  command: string[];
  /** Default: execd's minimal environment, PATH=/usr/bin:/bin only. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Kill the child after this long (a safety net for hung tests, not a timing assertion). */
  timeoutMs?: number;
  /** What stdin and stdout are when there is a stdin to write: pipes, as execd's (default), or Node's socketpairs. */
  stdio?: 'pipes' | 'socketpair';
}

/** The child's stdin and stdout as the stand-in drives them. */
export interface ChildIo {
  stdin: Writable | null;
  stdout: Readable | null;
}

const DEFAULT_ENV = { PATH: '/usr/bin:/bin' };
const DEFAULT_TIMEOUT_MS = 30000;

/** OSSEC execd: splits the message on spaces into argv after the command; stdin is /dev/null. */
export function runOssec(message: string, options: ExecdOptions): Promise<ExecdResult> {
  return runChild(message.split(' '), 'ignore', options, () => undefined);
}

/** How the Wazuh execd stand-in ends the exchange. */
export interface WazuhExecdOptions extends ExecdOptions {
  /** Close stdin right after the reply, as execd 4.x and 5.x do (wpclose); default: keep it open, as other stand-ins may. */
  closeStdinAfterReply?: boolean;
}

/**
 * How the stand-in answers check_keys: as execd does (`continue`, `abort`), never ('none'), or
 * as a broken or foreign execd might — with `{ line }` sent verbatim, or 'eof' (stdin closed
 * without a reply).
 */
export type Wazuh4Reply = 'continue' | 'abort' | 'none' | 'eof' | { line: string };

/** Wazuh 4 execd: writes the JSON line, waits for the first stdout line (check_keys on add) and answers with the whole message, `command` replaced by `reply`. */
export function runWazuh4(message: object | string, reply: Wazuh4Reply, options: WazuhExecdOptions): Promise<ExecdResult> {
  return runWazuhJson(message, '"command":"add"', reply, options);
}

/**
 * Wazuh 5 (WCS) execd: writes one JSON line (enable/disable); on enable it waits, like 4.x, for
 * one stdout line and answers with the message, `command` replaced by continue or abort, then
 * closes stdin. Without a reply word it only writes the line (a disable).
 */
export function runWazuh5(message: object | string, options: WazuhExecdOptions, reply: Wazuh4Reply = 'continue'): Promise<ExecdResult> {
  return runWazuhJson(message, '"command":"enable"', reply, { closeStdinAfterReply: true, ...options });
}

function runWazuhJson(message: object | string, addCommand: string, reply: Wazuh4Reply, options: WazuhExecdOptions): Promise<ExecdResult> {
  const line = typeof message === 'string' ? message : JSON.stringify(message);
  return runChild([], 'pipe', options, (io, result) => {
    io.stdin?.write(`${line}\n`);
    // A delete/disable comes from execd's timeout list: written, then stdin closed at once.
    if (options.closeStdinAfterReply && !line.includes(addCommand)) io.stdin?.end();
    let answered = false;
    io.stdout?.on('data', () => {
      if (answered) return;
      const newline = result.stdout.indexOf('\n');
      if (newline === -1) return;
      answered = true;
      const first = result.stdout.slice(0, newline);
      try {
        result.checkKeys = JSON.parse(first);
      } catch {
        result.checkKeys = first;
      }
      if (reply === 'none') return;
      if (reply === 'eof') {
        io.stdin?.end();
        return;
      }
      if (typeof reply === 'object') {
        io.stdin?.write(`${reply.line}\n`);
        return;
      }
      // The reply is the original line itself with only the command swapped (it may not even be
      // valid JSON: Wazuh 4.2 agents' escaping), exactly what execd sends back.
      io.stdin?.write(`${line.replace(addCommand, `"command":"${reply}"`)}\n`);
      if (options.closeStdinAfterReply) io.stdin?.end();
    });
    // Unless told otherwise, never close stdin: the script must not wait for end of input.
  });
}

/** Run with arbitrary stdin bytes (closed afterwards): for bad-input tests. */
export function runWithStdin(args: string[], stdin: string | Buffer, options: ExecdOptions): Promise<ExecdResult> {
  return runChild(args, 'pipe', options, (io) => {
    io.stdin?.end(stdin);
  });
}

/**
 * Run with a test's own exchange on stdin and stdout (real pipes unless `stdio` says otherwise):
 * for the reader's edge cases, messages and replies in pieces, late, or never. `drive` gets our
 * ends and the result as it fills (stdout so far).
 */
export function runScripted(args: string[], options: ExecdOptions, drive: (io: ChildIo, result: ExecdResult) => void): Promise<ExecdResult> {
  return runChild(args, 'pipe', options, drive);
}

/** Run with stdin an already open descriptor (a regular file, /dev/null) the test owns and closes. */
export function runWithStdinFd(args: string[], fd: number, options: ExecdOptions): Promise<ExecdResult> {
  return runChild(args, fd, options, () => undefined);
}

function runChild(
  args: string[],
  stdin: 'ignore' | 'pipe' | number,
  options: ExecdOptions,
  drive: (io: ChildIo, result: ExecdResult) => void,
): Promise<ExecdResult> {
  const [program, ...prefix] = options.command;
  if (program === undefined) throw new Error('execd stand-in: empty command');
  const pipes = stdin === 'pipe' && options.stdio !== 'socketpair' ? openRealPipes() : undefined;
  return new Promise((resolve, reject) => {
    const child = spawn(program, [...prefix, ...args], {
      cwd: options.cwd ?? '/',
      env: options.env ?? DEFAULT_ENV,
      stdio: pipes ? [...pipes.childEnds, 'pipe'] : [stdin, 'pipe', 'pipe'],
    });
    pipes?.closeChildEnds();
    const io: ChildIo = pipes ?? { stdin: child.stdin, stdout: child.stdout };
    const result: ExecdResult = { code: null, signal: null, stdout: '', stderr: '' };
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    io.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      result.stdout += chunk;
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      result.stderr += chunk;
    });
    io.stdin?.on('error', () => {
      // The child may exit before reading all we wrote (EPIPE): that is its answer, not ours.
    });
    child.on('error', reject);
    // Our ends of real pipes are not the child's streams: 'close' does not wait for them.
    const stdoutDone = pipes ? new Promise((done) => pipes.stdout.once('close', done)) : Promise.resolve();
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      result.code = code;
      result.signal = signal;
      pipes?.stdin.destroy();
      void stdoutDone.then(() => resolve(result));
    });
    drive(io, result);
  });
}

/** The Wazuh 4.x execd message for an sshd brute force from `ip` (shape of a real manager's). */
export function wazuhBruteForceMessage(ip: string): Record<string, unknown> {
  return {
    version: 1,
    origin: { name: 'node01', module: 'wazuh-execd' },
    command: 'add',
    parameters: {
      extra_args: [],
      alert: {
        timestamp: '2026-08-20T10:15:02.123+0000',
        rule: { level: 10, description: 'sshd: brute force trying to get access to the system. Authentication failed.', id: '5763', groups: ['syslog', 'sshd', 'authentication_failures'] },
        agent: { id: '001', name: 'web01', ip: '10.0.0.5' },
        manager: { name: 'wazuh-manager' },
        id: '1755684902.123456',
        full_log: `Aug 20 10:15:02 web01 sshd[2213]: Failed password for root from ${ip} port 50130 ssh2`,
        decoder: { parent: 'sshd', name: 'sshd' },
        data: { srcip: ip, srcport: '50130', dstuser: 'root' },
        location: '/var/log/auth.log',
      },
      program: 'active-response/bin/geo-response',
    },
  };
}
