import { describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main, type CliProcess } from '../src/cli/main';
import { createLineSource } from '../src/respond/line-source';

const FIXTURES = join(__dirname, 'fixtures');

interface FakeRun {
  code: number;
  stdout: string;
  stderr: string;
  home: string;
}

// A hand-run command line through main, as a person at a terminal types it: stdin a terminal.
async function run(args: string[], options: { cwd?: string; stdinIsTTY?: boolean; config?: unknown; home?: string } = {}): Promise<FakeRun> {
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'gr-cli-'));
  mkdirSync(join(home, 'logs'), { recursive: true });
  mkdirSync(join(home, 'etc'), { recursive: true });
  // The executable's directory, as an installation has it: without it `check` fails its trust line (exit 4).
  mkdirSync(join(home, 'active-response', 'bin'), { recursive: true });
  if (options.config !== undefined) writeFileSync(join(home, 'etc', 'geo-response.json'), JSON.stringify(options.config));
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  // execd's stdin (not a terminal) ends after its message; a terminal's never does.
  const stdin = options.stdinIsTTY === false ? new PassThrough().end() : new PassThrough();
  const proc: CliProcess = {
    args,
    executablePath: join(home, 'active-response', 'bin', 'geo-response'),
    cwd: options.cwd ?? '/',
    env: { GEO_RESPONSE_HOME: home, GEO_RESPONSE_DB_SEARCH_PATH: '' },
    stdin,
    stdinIsTTY: options.stdinIsTTY ?? true,
    stdinLines: (maxLineBytes) => createLineSource(stdin, maxLineBytes),
    stdout,
    writeStdoutNow: (text) => stdout.write(text),
    stderr,
    stdoutIsTTY: false,
    stderrIsTTY: false,
  };
  const code = await main(proc);
  return { code, stdout: out, stderr: err, home };
}

const nothingLogged = (home: string) => {
  expect(existsSync(join(home, 'logs', 'geo-response.log'))).toBe(false);
  expect(existsSync(join(home, 'logs', 'active-responses.log'))).toBe(false);
};

describe('--help on every command', () => {
  it.each([
    { args: ['lookup', '--help'], usage: /^Usage: geo-response lookup / },
    { args: ['lookup', '-h'], usage: /^Usage: geo-response lookup / },
    { args: ['check', '--help'], usage: /^Usage: geo-response check / },
    { args: ['check', '-h'], usage: /^Usage: geo-response check / },
    { args: ['report', '--help'], usage: /^Usage: geo-response report / },
  ])('$args: usage on stdout, exit 0', async ({ args, usage }) => {
    const result = await run(args);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(usage);
    nothingLogged(result.home);
  });

  it.each([
    { args: ['lookup', '--colour', '1.1.1.1'], message: /^geo-response: lookup: Unknown option '--colour'.*\(see geo-response lookup --help\)\n$/ },
    { args: ['check', '--colour'], message: /^geo-response: check: Unknown option '--colour'.*\(see geo-response check --help\)\n$/ },
    { args: ['check', '1.1.1.1', '2.2.2.2'], message: /^geo-response: check: one sample address at most, got 2 \(see geo-response check --help\)\n$/ },
    { args: ['lookup'], message: /^geo-response: lookup: at least one IP address is needed \(see geo-response lookup --help\)\n$/ },
  ])('$args: a one-line usage error, exit 2', async ({ args, message }) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });
});

describe('a person\'s mistake at a terminal is a usage error, not an alert', () => {
  it.each([
    { title: 'a typo of a command', args: ['reprot'], message: /^geo-response: unknown command "reprot" \(did you mean "report"\?\); see geo-response --help\n$/ },
    { title: 'an unknown word', args: ['frobnicate', 'x'], message: /^geo-response: unknown command "frobnicate"; see geo-response --help\n$/ },
    { title: 'no arguments', args: [], message: /^geo-response: no command; see geo-response --help \(execd calls it with add\|delete or a JSON message on stdin\)\n$/ },
  ])('$title at a terminal: exit 2, nothing in the geo log or active-responses.log', async ({ args, message }) => {
    const result = await run(args, { stdinIsTTY: true });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    nothingLogged(result.home);
  });

  it('the same typo from execd (stdin not a terminal) is still refused with a record', async () => {
    const result = await run(['reprot'], { stdinIsTTY: false });
    expect(result.code).toBe(2);
    expect(readFileSync(join(result.home, 'logs', 'geo-response.log'), 'utf8')).toMatch(/"outcome":"failure"/);
  });
});

describe('lookup', () => {
  it('--db with a relative path resolves against the current directory; --db=FILE works', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'gr-cwd-'));
    mkdirSync(join(cwd, 'dbs'));
    copyFileSync(join(FIXTURES, 'GeoIP2-City-Test.mmdb'), join(cwd, 'dbs', 'city.mmdb'));
    for (const args of [['lookup', '--db', 'dbs/city.mmdb', '--json', '81.2.69.142'], ['lookup', '--db=dbs/city.mmdb', '--json', '81.2.69.142']]) {
      const result = await run(args, { cwd });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout).geo_response.databases[0].path).toBe(join(cwd, 'dbs', 'city.mmdb'));
    }
  });

  it('a database that cannot be opened is one error, not one per address', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'gr-cwd-'));
    const result = await run(['lookup', '--db', 'nope.mmdb', '1.1.1.1', '8.8.8.8', '9.9.9.9'], { cwd });
    expect(result.code).toBe(5);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(result.stderr).toContain(join(cwd, 'nope.mmdb'));
  });

  it('--json has the geo log\'s nesting, and coordinates as the database holds them (float, not float noise)', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'gr-cwd-'));
    copyFileSync(join(FIXTURES, 'ip-location-db-city-Test.mmdb'), join(cwd, 'city.mmdb'));
    const result = await run(['lookup', '--json', '--db', 'city.mmdb', '5.9.1.1'], { cwd });
    expect(result.code).toBe(0);
    const record = JSON.parse(result.stdout);
    expect(record.source).toEqual({
      ip: '5.9.1.1',
      geo: { country_iso_code: 'DE', country_name: 'Germany', region_name: 'Bavaria', city_name: 'Munich', postal_code: '80331', location: { lat: 48.1374, lon: 11.5755 }, timezone: 'Europe/Berlin' },
    });
    expect(record.geo_response).toMatchObject({ address_class: 'public', network: '5.9.0.0/16', databases: [{ role: 'geo', path: join(cwd, 'city.mmdb') }] });
    const human = await run(['lookup', '--db', 'city.mmdb', '5.9.1.1'], { cwd });
    expect(human.stdout).toContain('48.1374, 11.5755');
  });
});

describe('check', () => {
  it('says the geo log can be written', async () => {
    const result = await run(['check']);
    expect(result.stdout).toMatch(/^geo log: .*logs\/geo-response\.log: writable/m);
    expect(result.stdout).not.toMatch(/FAILED/);
    expect(result.code).toBe(0);
  });

  it('fails when the geo log cannot be written (its path is a directory), and writes nothing', async () => {
    const home = mkdtempSync(join(tmpdir(), 'gr-cli-'));
    mkdirSync(join(home, 'logs', 'geo.log'), { recursive: true });
    const result = await run(['check'], { home, config: { log: { path: 'logs/geo.log' } } });
    expect(result.code).toBe(4);
    expect(result.stdout).toMatch(/^geo log: FAILED: .*logs\/geo\.log/m);
  });

  it('warns when the geo database holds IPv4 addresses only', async () => {
    const home = mkdtempSync(join(tmpdir(), 'gr-cli-'));
    mkdirSync(join(home, 'etc'), { recursive: true });
    copyFileSync(join(FIXTURES, 'IPv4-Only-Test.mmdb'), join(home, 'etc', 'v4.mmdb'));
    const result = await run(['check'], { home, config: { databases: { geo: 'etc/v4.mmdb' } } });
    expect(result.stdout).toMatch(/^ {2}warning: .*etc\/v4\.mmdb holds IPv4 addresses only/m);
    expect(result.code).toBe(0); // a warning, not a failure
  });

  it('no such warning for a database with both families', async () => {
    const home = mkdtempSync(join(tmpdir(), 'gr-cli-'));
    mkdirSync(join(home, 'etc'), { recursive: true });
    copyFileSync(join(FIXTURES, 'GeoIP2-City-Test.mmdb'), join(home, 'etc', 'city.mmdb'));
    const result = await run(['check'], { home, config: { databases: { geo: 'etc/city.mmdb' } } });
    expect(result.stdout).toMatch(/^databases: ok \(geo: .*etc\/city\.mmdb \(GeoIP2-City\)\)$/m);
    expect(result.stdout).not.toMatch(/IPv4 addresses only/);
    expect(result.code).toBe(0);
  });
});
