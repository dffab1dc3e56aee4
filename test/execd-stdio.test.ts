import { describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as pause } from 'node:timers/promises';
import { runScripted, runWithStdinFd, type ChildIo, type ExecdResult } from './support/execd';
import { makeBundleHome } from './support/bundle-home';
import { writeAllSync } from '../src/cli/execd-stdio';

// How an alert reads execd's stdin and writes its stdout (src/cli/execd-stdio.ts): by fd, a pipe
// reopened non-blocking and polled until a deadline, a file or /dev/null read as it is, a socket
// through process.stdin. Each case runs the built executable with stdin as execd (or an odd
// caller) gives it. The pauses below are there to make bytes arrive late and in pieces, which is
// the point of these cases; nothing here asserts a duration.

const WAZUH4_ADD = readFileSync(join(__dirname, 'fixtures', 'messages', 'wazuh4-add.json'), 'utf8').trim();
const WAZUH4_DELETE = WAZUH4_ADD.replace('"command":"add"', '"command":"delete"');
const CONTINUE = WAZUH4_ADD.replace('"command":"add"', '"command":"continue"');
const PAUSE_MS = 60;

/** Write `pieces` one after another, `PAUSE_MS` apart. */
async function writeInPieces(io: ChildIo, pieces: string[]): Promise<void> {
  for (const piece of pieces) {
    await pause(PAUSE_MS);
    io.stdin?.write(piece);
  }
}

/** Cut `text` into `count` pieces of about equal length. */
function cut(text: string, count: number): string[] {
  const size = Math.ceil(text.length / count);
  return Array.from({ length: count }, (_, i) => text.slice(i * size, (i + 1) * size));
}

/** Resolves once the child has written its first stdout line. */
function firstLine(io: ChildIo, result: ExecdResult): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (!result.stdout.includes('\n')) return;
      io.stdout?.off('data', check);
      resolve();
    };
    // Added after the stand-in's own listener, so result.stdout already holds the chunk.
    io.stdout?.on('data', check);
  });
}

function expectHandshake(result: ExecdResult, answer: string, records: Array<Record<string, any>>): void {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(JSON.parse(result.stdout.split('\n')[0] ?? '')).toMatchObject({ command: 'check_keys', parameters: { keys: ['203.0.113.45'] } });
  expect(records).toHaveLength(1);
  expect(records[0]).toMatchObject({ event: { action: 'add', outcome: 'success' }, geo_response: { handshake: answer } });
}

describe('stdin and stdout as pipes, execd never closing stdin', () => {
  it('a message that comes late in three writes, and a reply in three writes: read whole, answered, recorded', async () => {
    const home = makeBundleHome();
    const result = await runScripted([], { command: home.command, env: home.env }, (io, partial) => {
      const replied = firstLine(io, partial).then(() => writeInPieces(io, cut(`${CONTINUE}\n`, 3)));
      void writeInPieces(io, cut(`${WAZUH4_ADD}\n`, 3)).then(() => replied);
    });
    expectHandshake(result, 'continue', home.readRecords());
  });

  it('a reply split inside a multi-byte character still parses', async () => {
    const home = makeBundleHome();
    const reply = Buffer.from(`${CONTINUE.replace('"command":"continue"', '"command":"continue","note":"Ünïcödé"')}\n`);
    const split = reply.indexOf(Buffer.from('Ü')) + 1;
    const result = await runScripted([], { command: home.command, env: home.env }, (io, partial) => {
      io.stdin?.write(`${WAZUH4_ADD}\n`);
      void firstLine(io, partial).then(async () => {
        io.stdin?.write(reply.subarray(0, split));
        await pause(PAUSE_MS);
        io.stdin?.write(reply.subarray(split));
      });
    });
    expectHandshake(result, 'continue', home.readRecords());
  });

  it('a line over 68 KiB is refused as soon as it is over, without waiting for the rest or the end', async () => {
    const home = makeBundleHome();
    // 100 KiB with no newline, and stdin kept open: waiting for more would end in the 10 s
    // "no message" failure instead (NO_ACTION), so the refusal below shows it did not wait.
    const result = await runScripted([], { command: home.command, env: home.env }, (io) => {
      io.stdin?.write(`{"command":"add","x":"${'a'.repeat(100 * 1024)}`);
    });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('geo-response: stdin message over 68 KiB refused\n');
    expect(home.readRecords()[0]).toMatchObject({ event: { outcome: 'failure' }, geo_response: { error_code: 'INPUT_TOO_LONG' } });
  });

  it('a last line without its newline, then the end of stdin: read as the message', async () => {
    const home = makeBundleHome();
    const result = await runScripted([], { command: home.command, env: home.env }, (io) => {
      io.stdin?.end(WAZUH4_DELETE);
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(home.readRecords()[0]).toMatchObject({ event: { action: 'delete', outcome: 'success' } });
  });

  it('stdin closed before the reply: the handshake fails at once (exit 8), not after its wait', async () => {
    const home = makeBundleHome();
    const result = await runScripted([], { command: home.command, env: home.env }, (io, partial) => {
      io.stdin?.write(`${WAZUH4_ADD}\n`);
      void firstLine(io, partial).then(() => io.stdin?.end());
    });
    expect(result.code).toBe(8);
    expect(result.stderr).toBe('geo-response: no reply to check_keys: stdin closed\n');
  });
});

describe('stdout that nobody reads', () => {
  it('execd closed our stdout before check_keys (EPIPE): the handshake fails, exit 8, recorded', async () => {
    const home = makeBundleHome();
    const result = await runScripted([], { command: home.command, env: home.env }, (io) => {
      io.stdout?.destroy();
      io.stdin?.write(`${WAZUH4_ADD}\n`);
    });
    expect(result.code).toBe(8);
    expect(result.stderr).toMatch(/^geo-response: could not write check_keys to stdout: EPIPE/);
    expect(home.readRecords()[0]).toMatchObject({ event: { outcome: 'failure' }, geo_response: { error_code: 'HANDSHAKE_FAILED' } });
  });
});

describe('stdin that is not a pipe', () => {
  it('a socket (as Node spawns with stdio pipe): read through process.stdin, the same exchange', async () => {
    const home = makeBundleHome();
    const result = await runScripted([], { command: home.command, env: home.env, stdio: 'socketpair' }, (io, partial) => {
      io.stdin?.write(`${WAZUH4_ADD}\n`);
      void firstLine(io, partial).then(() => writeInPieces(io, cut(`${CONTINUE}\n`, 2)));
    });
    expectHandshake(result, 'continue', home.readRecords());
  });

  it('a socket: a line over 68 KiB is refused there too', async () => {
    const home = makeBundleHome();
    const result = await runScripted([], { command: home.command, env: home.env, stdio: 'socketpair' }, (io) => {
      io.stdin?.write(`${'a'.repeat(100 * 1024)}`);
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toBe('geo-response: stdin message over 68 KiB refused\n');
  });

  it.each([
    ['a delete', WAZUH4_DELETE, 0, ''],
    // A file has nothing more to say after its message: the reply is "stdin closed".
    ['an add (no reply can come)', WAZUH4_ADD, 8, 'geo-response: no reply to check_keys: stdin closed\n'],
  ])('a regular file holding %s: read directly', async (_, message, code, stderr) => {
    const home = makeBundleHome();
    const dir = mkdtempSync(join(tmpdir(), 'gr-stdin-file-'));
    try {
      writeFileSync(join(dir, 'message.json'), `${message}\n`);
      const fd = openSync(join(dir, 'message.json'), 'r');
      const result = await runWithStdinFd([], fd, { command: home.command, env: home.env }).finally(() => closeSync(fd));
      expect(result.stderr).toBe(stderr);
      expect(result.code).toBe(code);
      expect(home.readRecords()).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a terminal: a typo is a person\'s usage error, told on the terminal, nothing recorded', () => {
    const home = makeBundleHome();
    // script(1) runs the command on a new pseudo-terminal; the paths go in by environment, not pasted into the shell line.
    const result = spawnSync('script', ['-qec', '"$GR_NODE" "$GR_EXE" reprot', '/dev/null'], {
      cwd: '/',
      env: { ...home.env, GR_NODE: home.command[0], GR_EXE: home.exe, SHELL: '/bin/sh' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('geo-response: unknown command "reprot" (did you mean "report"?); see geo-response --help\r\n');
    expect(home.readRecords()).toEqual([]);
  });

  it('/dev/null and no arguments: no message, a usage failure with its record', async () => {
    const home = makeBundleHome();
    const fd = openSync('/dev/null', 'r');
    const result = await runWithStdinFd([], fd, { command: home.command, env: home.env }).finally(() => closeSync(fd));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^geo-response: no action: expected OSSEC arguments/);
    expect(home.readRecords()[0]).toMatchObject({ event: { outcome: 'failure' }, geo_response: { error_code: 'NO_ACTION' } });
  });
});

describe('writing stdout when the pipe is full and non-blocking', () => {
  // An odd execd (or a shell) may hand over a stdout that is non-blocking, which answers EAGAIN
  // when full: the write waits in short pauses for the reader, and gives up at its deadline.
  function fullNonBlockingPipe(): { dir: string; path: string; writeFd: number; readFd: number } {
    const dir = mkdtempSync(join(tmpdir(), 'gr-full-pipe-'));
    const path = join(dir, 'fifo');
    execFileSync('mkfifo', [path]);
    const readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const writeFd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
    const block = Buffer.alloc(4096, 'x');
    for (;;) {
      try {
        writeSync(writeFd, block);
      } catch (error) {
        expect((error as NodeJS.ErrnoException).code).toBe('EAGAIN');
        return { dir, path, writeFd, readFd };
      }
    }
  }

  it('waits while a reader drains it, then writes every byte', async () => {
    const pipe = fullNonBlockingPipe();
    try {
      // The reader (a child process, as execd is) starts after a pause and hands back what it reads.
      const reader = spawn('sh', ['-c', 'sleep 0.2; exec cat'], { stdio: [pipe.readFd, 'pipe', 'inherit'] });
      closeSync(pipe.readFd);
      const read = new Promise<string>((resolve) => {
        let out = '';
        reader.stdout?.setEncoding('latin1').on('data', (chunk: string) => (out += chunk));
        reader.on('close', () => resolve(out));
      });
      const line = `${'y'.repeat(100 * 1024)}\n`;
      writeAllSync(pipe.writeFd, line, 10_000);
      closeSync(pipe.writeFd);
      const out = await read;
      // What filled the pipe, then every byte of ours, in order.
      expect(out.endsWith(line)).toBe(true);
      expect(out.slice(0, out.length - line.length)).toMatch(/^x+$/);
    } finally {
      rmSync(pipe.dir, { recursive: true, force: true });
    }
  });

  it('gives up at its deadline when nobody reads, instead of waiting for ever', () => {
    const pipe = fullNonBlockingPipe();
    try {
      expect(() => writeAllSync(pipe.writeFd, 'check_keys\n', 100)).toThrow(/^stdout took no more of our line within 100 ms \(0 of 11 bytes written\)$/);
    } finally {
      closeSync(pipe.writeFd);
      closeSync(pipe.readFd);
      rmSync(pipe.dir, { recursive: true, force: true });
    }
  });
});
