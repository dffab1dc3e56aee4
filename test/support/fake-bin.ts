import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How a fake program answers: the first response whose `when` occurs in " <args joined by spaces> " wins. */
export interface FakeResponse {
  when?: string;
  exitCode?: number;
  stdout?: string;
  stderr?: string;
  /** Sleep far past any test timeout (exec, so the timeout's signal reaches the sleeper). */
  hang?: boolean;
}

export interface FakeBinDir {
  dir: string;
  /** Every call of every fake so far, in order: program name then argv. */
  calls(): string[][];
}

/** A temp dir of fake programs (`nft`, `iptables`, …) that record their argv and answer as told. */
export function createFakeBinDir(programs: Record<string, FakeResponse[]>): FakeBinDir {
  const dir = mkdtempSync(join(tmpdir(), 'gr-fake-bin-'));
  const record = join(dir, 'calls.log');
  for (const [name, responses] of Object.entries(programs)) {
    const cases = [...responses.filter((r) => r.when !== undefined), ...responses.filter((r) => r.when === undefined), {}]
      .map((response) => `  ${response.when === undefined ? '*' : `*${shellQuote(` ${response.when} `)}*`}) ${respond(response)} ;;`)
      .join('\n');
    const script = [
      '#!/bin/sh',
      `{ printf '%s' ${shellQuote(name)}; for a in "$@"; do printf '\\t%s' "$a"; done; printf '\\n'; } >> ${shellQuote(record)}`,
      'case " $* " in',
      cases,
      'esac',
      '',
    ].join('\n');
    writeFileSync(join(dir, name), script);
    chmodSync(join(dir, name), 0o755);
  }
  return {
    dir,
    calls: () => (existsSync(record) ? readFileSync(record, 'utf8').split('\n').filter(Boolean).map((line) => line.split('\t')) : []),
  };
}

function respond(response: FakeResponse): string {
  const parts: string[] = [];
  if (response.stdout !== undefined) parts.push(`printf '%s\\n' ${shellQuote(response.stdout)}`);
  if (response.stderr !== undefined) parts.push(`printf '%s\\n' ${shellQuote(response.stderr)} >&2`);
  if (response.hang) parts.push('exec sleep 600');
  parts.push(`exit ${response.exitCode ?? 0}`);
  return parts.join('; ');
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
