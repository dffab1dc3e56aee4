import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, rmSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { builtParts, makeBundleHome, stableRecord, TEST_NODE, type BundleHome } from './support/bundle-home';
import { readPart } from '../src/loader/parts-file';

// The executable keeps V8 code caches and its last validated configuration beside itself
// (src/loader/). Caches may only ever make an alert cheaper: never change what it does.
const ALERT = ['add', '-', '95.173.130.7', '1795823765.1', '5710', '/var/log/auth.log', '-'];
const FIXTURES = join(__dirname, 'fixtures');

function alert(home: BundleHome, env: NodeJS.ProcessEnv = {}) {
  return spawnSync(TEST_NODE, [home.exe, ...ALERT], { cwd: '/', env: { ...home.env, ...env }, encoding: 'utf8' });
}

// What V8 made of the program's code cache in one alert: a preload wraps vm.Script (the loader
// takes Script from the same module object) and notes, for the program, whether cached data was
// given and whether V8 rejected it.
function programCacheUse(home: BundleHome, env: NodeJS.ProcessEnv = {}): { given: boolean; rejected: boolean | undefined } {
  const dir = mkdtempSync(join(tmpdir(), 'gr-cache-use-'));
  const out = join(dir, 'use.json');
  const preload = join(dir, 'preload.cjs');
  writeFileSync(
    preload,
    `const vm = require('vm');
const Original = vm.Script;
vm.Script = class extends Original {
  constructor(code, options) {
    super(code, options);
    if (String(options && options.filename).endsWith('#program')) {
      require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify({ given: options.cachedData !== undefined, rejected: this.cachedDataRejected }));
    }
  }
};
`,
  );
  const result = spawnSync(TEST_NODE, ['-r', preload, home.exe, ...ALERT], { cwd: '/', env: { ...home.env, ...env }, encoding: 'utf8' });
  expect([result.status, result.stderr]).toEqual([0, '']);
  return JSON.parse(readFileSync(out, 'utf8')) as { given: boolean; rejected: boolean | undefined };
}

function caches(home: BundleHome): string[] {
  return readdirSync(join(home.home, 'active-response', 'bin'))
    .filter((name) => name.startsWith('.geo-response.js.'))
    .map((name) => name.replace(/^\.geo-response\.js\.[0-9a-f]{16}\.node[^.]+(?:\.\d+)*\./, ''))
    .sort();
}

describe('caches beside the executable', () => {
  it('the first alert writes them, later alerts use them, and every record is the same', () => {
    const home = makeBundleHome();
    home.writeConfig({ databases: { geo: join(FIXTURES, 'GeoIP2-City-Test.mmdb') }, policy: { mode: 'deny', countries: ['RU'] } });
    const results = [alert(home), alert(home), alert(home)];
    expect(results.map((r) => [r.status, r.stderr])).toEqual([[0, ''], [0, ''], [0, '']]);
    expect(caches(home)).toEqual(['config.json', 'parse-config.v8cache', 'program.v8cache']);
    const records = home.readRecords().map(stableRecord);
    expect(records[0]!.geo_response.decision).toEqual({ action: 'block', reason: 'RU is in deny list' });
    expect(records[1]).toEqual(records[0]);
    expect(records[2]).toEqual(records[0]);
    expect(programCacheUse(home)).toEqual({ given: true, rejected: false });
  });

  it('a changed configuration is validated again: an invalid one fails although a valid one was cached', () => {
    const home = makeBundleHome();
    home.writeConfig({ databases: { geo: join(FIXTURES, 'GeoIP2-City-Test.mmdb') }, policy: { mode: 'deny', countries: ['RU'] } });
    expect(alert(home).status).toBe(0);
    home.writeConfig({ policy: { mode: 'deny', countries: ['Russia'] } });
    const invalid = alert(home);
    expect(invalid.status).toBe(4);
    expect(invalid.stderr).toMatch(/policy\.countries\[0\]: expected an ISO 3166-1 alpha-2 country code/);
    home.writeConfig({ databases: { geo: join(FIXTURES, 'GeoIP2-City-Test.mmdb') }, policy: { mode: 'allow', countries: ['DE'] } });
    expect(alert(home).status).toBe(0);
    expect(home.readRecords().map((r) => r.geo_response.decision?.reason)).toEqual(['RU is in deny list', undefined, 'RU is not in allow list']);
  });

  it('a cache V8 accepted is kept as it is (not rewritten by later alerts)', () => {
    const home = makeBundleHome();
    expect(alert(home).status).toBe(0);
    const bin = join(home.home, 'active-response', 'bin');
    const program = readdirSync(bin).find((n) => n.endsWith('.program.v8cache'))!;
    const before = statSync(join(bin, program));
    expect(alert(home).status).toBe(0);
    const after = statSync(join(bin, program));
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it('a cache that others could have written (mode 0666) is not trusted: it is replaced', () => {
    const home = makeBundleHome();
    expect(alert(home).status).toBe(0);
    const bin = join(home.home, 'active-response', 'bin');
    const program = join(bin, readdirSync(bin).find((n) => n.endsWith('.program.v8cache'))!);
    chmodSync(program, 0o666);
    const inode = statSync(program).ino;
    expect(alert(home).status).toBe(0);
    expect(statSync(program).ino).not.toBe(inode);
    expect(statSync(program).mode & 0o777).toBe(0o640);
  });

  it.skipIf(process.getuid?.() !== 0)('a directory execd cannot write: alerts work and leave no cache', () => {
    const home = makeBundleHome();
    for (const dir of ['', 'active-response', 'active-response/bin']) chmodSync(join(home.home, dir), 0o755);
    chmodSync(join(home.home, 'logs'), 0o777);
    const result = spawnSync(TEST_NODE, [home.exe, ...ALERT], { cwd: '/', env: home.env, encoding: 'utf8', uid: 65534, gid: 65534 });
    expect([result.status, result.stderr]).toEqual([0, '']);
    expect(caches(home)).toEqual([]);
    expect(home.readRecords()).toHaveLength(1);
  });

  it('a path with # in it loads every part an alert uses (the parser and the firewall)', () => {
    const home = makeBundleHome('gr-home-#hash-');
    home.writeConfig({ policy: { mode: 'deny', countries: ['RU'] }, firewall: { backend: 'nftables', dry_run: true } });
    const result = alert(home, { GEO_RESPONSE_CACHE: '0' });
    expect([result.status, result.stderr]).toEqual([0, '']);
    const record = home.readRecords()[0]!;
    expect(record.geo_response.decision.reason).toBe('RU is in deny list');
    expect(record.geo_response.firewall).toMatchObject({ backend: 'nftables', result: 'planned' });
  });

  it('an upgrade renamed over the executable mid-alert leaves that alert running its own build', async () => {
    const home = makeBundleHome();
    home.writeConfig({ policy: { mode: 'deny', countries: ['RU'] } });
    const message = JSON.parse(readFileSync(join(FIXTURES, 'messages', 'wazuh4-add.json'), 'utf8'));
    message.parameters.alert.data.srcip = '95.173.130.7';
    const child = spawn(TEST_NODE, [home.exe], { cwd: '/', env: { ...home.env, GEO_RESPONSE_CACHE: '0' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const done = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.write(`${JSON.stringify(message)}\n`);
    await new Promise<void>((resolve) => child.stdout.on('data', (chunk: Buffer) => ((stdout += chunk.toString()), stdout.includes('\n') && resolve())));
    // The "new version": a file without the parts this alert still has to load.
    const replacement = `${home.exe}.new`;
    writeFileSync(replacement, '#!/usr/bin/env node\n');
    renameSync(replacement, home.exe);
    child.stdin.write(`${JSON.stringify({ ...message, command: 'continue' })}\n`);
    expect(await done).toBe(0);
    expect(stderr).toBe('');
    expect(home.readRecords()[0]!.geo_response.decision.reason).toBe('RU is in deny list');
  });

  it('damaged caches are ignored and replaced', () => {
    const home = makeBundleHome();
    home.writeConfig({ policy: { mode: 'deny', countries: ['RU'] } });
    expect(alert(home).status).toBe(0);
    const bin = join(home.home, 'active-response', 'bin');
    for (const name of readdirSync(bin).filter((n) => n.startsWith('.geo-response.js.'))) writeFileSync(join(bin, name), 'garbage');
    const again = alert(home);
    expect([again.status, again.stderr]).toEqual([0, '']);
    const [first, second] = home.readRecords().map(stableRecord);
    expect(second).toEqual(first);
    const program = readdirSync(bin).find((n) => n.endsWith('.program.v8cache'))!;
    expect(readFileSync(join(bin, program)).length).toBeGreaterThan(1000);
  });

  it('GEO_RESPONSE_CACHE=0 writes none', () => {
    const home = makeBundleHome();
    home.writeConfig({ policy: { mode: 'off' } });
    expect(alert(home, { GEO_RESPONSE_CACHE: '0' }).status).toBe(0);
    expect(caches(home)).toEqual([]);
    expect(programCacheUse(home, { GEO_RESPONSE_CACHE: '0' })).toEqual({ given: false, rejected: undefined });
  });

  it('a rewritten #! line (as install.sh does) leaves every part loadable', () => {
    const home = makeBundleHome();
    const text = readFileSync(home.exe, 'latin1').replace(/^#!.*\n/, `#!${TEST_NODE}\n`);
    writeFileSync(home.exe, text, 'latin1');
    const lookup = spawnSync(TEST_NODE, [home.exe, 'lookup', '--json', '5.9.10.11', '--db', join(FIXTURES, 'GeoIP2-City-Test.mmdb')], { env: home.env, encoding: 'utf8' });
    expect(lookup.stderr).toBe('');
    expect(JSON.parse(lookup.stdout)).toMatchObject({ source: { ip: '5.9.10.11', geo: { country_iso_code: 'DE', city_name: 'Munich' } } });
    expect(alert(home).status).toBe(0);
    const report = spawnSync(TEST_NODE, [home.exe, 'report', '--format', 'json', home.logPath], { env: home.env, encoding: 'utf8' });
    expect(report.stderr).toBe('');
    expect(JSON.parse(report.stdout).records.matched).toBe(1);
  });

  it('check and lookup load the firewall and the configuration parser from their own parts', () => {
    // The parts as stored: zod only in its own, the commands asking for it; execa only with the
    // commands run by hand, never in the part a blocking alert loads (sync-command.ts says why).
    const built = builtParts();
    const part = (name: string) => readPart(built.path, built.build, name);
    expect(part('firewall')).not.toContain('execa');
    expect(part('check-command')).toContain('execa');
    expect(part('parse-config')).toContain('ZodError');
    for (const command of ['check-command', 'lookup-command']) {
      expect(part(command)).not.toContain('ZodError');
      expect(part(command)).toContain('"parse-config"');
    }
    expect(part('lookup-command')).not.toContain('execa');
    expect(part('check-command')).toContain('"firewall"');
    const home = makeBundleHome();
    home.writeConfig({ databases: { geo: join(FIXTURES, 'GeoIP2-City-Test.mmdb') }, firewall: { backend: 'nftables' }, policy: { mode: 'deny', countries: ['DE'] } });
    const lookup = spawnSync(TEST_NODE, [home.exe, 'lookup', '--json', '5.9.10.11'], { env: home.env, encoding: 'utf8' });
    expect(lookup.stderr).toBe('');
    expect(JSON.parse(lookup.stdout)).toMatchObject({ source: { ip: '5.9.10.11', geo: { country_iso_code: 'DE', city_name: 'Munich' } } });
    const check = spawnSync(TEST_NODE, [home.exe, 'check', '5.9.10.11'], { env: home.env, encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.stdout).toContain(`configuration: ${join(home.home, 'etc', 'geo-response.json')} ok`);
    expect(check.stdout).toContain('sample 5.9.10.11 (DE): block — DE is in deny list');
    expect(check.stdout).toMatch(/would run: .*nft .*create element inet geo_response blocked4 \{ 5\.9\.10\.11 timeout 86400s \}/);
  });

  // install.sh's warm-up (src/cli/warm-up.ts): the alert path, writing only into its own directory.
  describe('the warm-up (GEO_RESPONSE_WARM_UP)', () => {
    const warmDir = (mode = 0o700) => {
      const dir = join(mkdtempSync(join(tmpdir(), 'gr-warm-')), 'warm');
      mkdirSync(dir, { mode });
      chmodSync(dir, mode);
      return dir;
    };
    const config = { databases: { geo: join(FIXTURES, 'GeoIP2-City-Test.mmdb') }, policy: { mode: 'deny', countries: ['RU'] }, firewall: { backend: 'nftables' } };

    it('writes the caches a real first alert writes, its record only in its own directory, and runs no firewall in the host\'s namespace', () => {
      const warmed = makeBundleHome();
      const real = makeBundleHome();
      for (const home of [warmed, real]) home.writeConfig(config);
      const dir = warmDir();
      const warm = alert(warmed, { GEO_RESPONSE_WARM_UP: dir });
      expect([warm.status, warm.stderr]).toEqual([0, '']);
      expect(warmed.readLogText()).toBe('');
      expect(existsSync(warmed.arLogPath)).toBe(false);
      const record = JSON.parse(readFileSync(join(dir, 'geo-response.log'), 'utf8'));
      // Decided as a real alert decides, but the firewall (and its part) left out: this is the host's namespace.
      expect(record.geo_response.decision.reason).toBe('RU is in deny list');
      expect(record.geo_response.firewall).toEqual({ backend: 'nftables', result: 'none' });
      expect(caches(warmed)).toEqual(['config.json', 'parse-config.v8cache', 'program.v8cache']);

      // The twin's first real alert (a dry run there, so that it blocks nothing) writes the same validated configuration.
      real.writeConfig({ ...config, firewall: { backend: 'nftables', dry_run: true } });
      warmed.writeConfig({ ...config, firewall: { backend: 'nftables', dry_run: true } });
      rmCaches(warmed);
      const dryDir = warmDir();
      expect(alert(warmed, { GEO_RESPONSE_WARM_UP: dryDir }).status).toBe(0);
      expect(alert(real).status).toBe(0);
      const configCache = (home: BundleHome) => readFileSync(join(home.home, 'active-response', 'bin', readdirSync(join(home.home, 'active-response', 'bin')).find((n) => n.endsWith('.config.json'))!), 'utf8');
      expect(configCache(warmed)).toBe(configCache(real));
      // A configured dry run is what alerts do too: then the firewall part is warmed.
      expect(caches(warmed)).toEqual(caches(real));
      expect(caches(warmed)).toContain('firewall.v8cache');
      expect(JSON.parse(readFileSync(join(dryDir, 'geo-response.log'), 'utf8')).geo_response.firewall.result).toBe('planned');
      // The next real alert takes the warm-up's program cache as it is.
      expect(programCacheUse(warmed)).toEqual({ given: true, rejected: false });
      expect(warmed.readRecords()).toHaveLength(1);
    });

    it('a successful login keeps its history in the warm-up\'s directory, not the installation\'s', () => {
      const home = makeBundleHome();
      const dir = warmDir();
      const login = spawnSync(TEST_NODE, [home.exe, 'add', 'alice', '81.2.69.142', '1.2', '5715', '/var/log/auth.log', '-'], { cwd: '/', env: { ...home.env, GEO_RESPONSE_WARM_UP: dir }, encoding: 'utf8' });
      expect([login.status, login.stderr]).toEqual([0, '']);
      expect(JSON.parse(readFileSync(join(dir, 'geo-response.log'), 'utf8')).geo_response.login.user).toBe('alice');
      expect(existsSync(join(dir, 'active-response', 'state', 'logins.json'))).toBe(true);
      expect(existsSync(join(home.home, 'active-response', 'state'))).toBe(false);
      expect(home.readLogText()).toBe('');
    });

    it.each([
      { what: 'a directory others can write', dir: () => warmDir(0o777), error: /GEO_RESPONSE_WARM_UP: \S+ is writable by group and others/ },
      { what: 'a relative path', dir: () => 'warm', error: /GEO_RESPONSE_WARM_UP must name an absolute directory/ },
      { what: 'a directory that is not there', dir: () => join(tmpdir(), 'gr-warm-missing', 'warm'), error: /GEO_RESPONSE_WARM_UP: \S+ is not resolvable/ },
    ])('refuses $what: one line, exit 2, nothing written', ({ dir, error }) => {
      const home = makeBundleHome();
      const result = alert(home, { GEO_RESPONSE_WARM_UP: dir() });
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(error);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(home.readLogText()).toBe('');
    });
  });
});

function rmCaches(home: BundleHome): void {
  const bin = join(home.home, 'active-response', 'bin');
  for (const name of readdirSync(bin).filter((n) => n.startsWith('.geo-response.js.'))) rmSync(join(bin, name));
}
