import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { HAND_RUN_COMMANDS, isAlertInvocation } from '../src/cli/alert-invocation';
import { main, type CliProcess } from '../src/cli/main';
import { createLineSource } from '../src/respond/line-source';

function fakeProcess(args: string[]): CliProcess & { output(): string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let text = '';
  stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const home = mkdtempSync(join(tmpdir(), 'gr-dispatch-'));
  return {
    args,
    executablePath: join(home, 'active-response', 'bin', 'geo-response'),
    cwd: '/',
    env: { GEO_RESPONSE_HOME: home, GEO_RESPONSE_DB_SEARCH_PATH: '' },
    stdin: new PassThrough(),
    stdinIsTTY: true,
    stdinLines: (maxLineBytes) => createLineSource(new PassThrough(), maxLineBytes),
    stdout,
    writeStdoutNow: (text) => stdout.write(text),
    stderr,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    output: () => text,
  };
}

describe('which command lines are alerts', () => {
  it.each([[[]], [['add', '-', '1.2.3.4']], [['delete', '-', '1.2.3.4']], [['--extra-from-wazuh']], [['bogus']]])('%j is an alert', (args) => {
    expect(isAlertInvocation(args)).toBe(true);
  });

  // Every command run by hand reaches its own branch of main (an unlisted one would fall through).
  it.each([...HAND_RUN_COMMANDS])('%s is dispatched by main', async (command) => {
    expect(isAlertInvocation([command])).toBe(false);
    const proc = fakeProcess([command, '--no-such-option']);
    await expect(main(proc)).resolves.toEqual(expect.any(Number));
  });
});
