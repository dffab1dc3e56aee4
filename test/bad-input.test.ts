import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOssec, runWithStdin, type ExecdResult } from './support/execd';
import { EMBEDDED_DB, makeBundleHome, type BundleHome } from './support/bundle-home';

const MARKER = join(mkdtempSync(join(tmpdir(), 'gr-marker-')), 'shell-ran');
const WAZUH4 = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'messages', 'wazuh4-add.json'), 'utf8'));

interface BadCase {
  title: string;
  run: (home: BundleHome) => Promise<ExecdResult>;
  exitCode: number;
  errorCode: string;
  message: RegExp;
}

const ossecAdd = (ip: string) => ['add', '-', ip, '1795823765.1', '5710', '/var/log/auth.log', '-'];
// A Wazuh 4 add line of exactly `bytes` bytes, padded in an unread field.
const lineOfBytes = (bytes: number) => {
  const base = JSON.stringify({ ...WAZUH4, pad: '' }).length;
  return JSON.stringify({ ...WAZUH4, pad: 'x'.repeat(bytes - base) });
};
const withIp = (ip: string) => JSON.stringify({ ...WAZUH4, parameters: { ...WAZUH4.parameters, alert: { ...WAZUH4.parameters.alert, data: { srcip: ip } } } });

const CASES: BadCase[] = [
  { title: 'no arguments and empty stdin', run: (h) => runWithStdin([], '', { command: h.command, env: h.env }), exitCode: 2, errorCode: 'NO_ACTION', message: /^no action: expected OSSEC arguments/ },
  { title: 'unknown OSSEC action', run: (h) => runOssec('restart - 1.2.3.4 1.1 5710 /var/log/auth.log -', { command: h.command, env: h.env }), exitCode: 2, errorCode: 'UNKNOWN_ACTION', message: /^unknown action "restart": expected add or delete$/ },
  { title: 'unknown Wazuh command', run: (h) => runWithStdin([], `${JSON.stringify({ ...WAZUH4, command: 'restart' })}\n`, { command: h.command, env: h.env }), exitCode: 2, errorCode: 'UNKNOWN_ACTION', message: /^unknown action "restart"/ },
  { title: 'IP 999.1.1.1', run: (h) => runWithStdin(ossecAdd('999.1.1.1'), '', { command: h.command, env: h.env }), exitCode: 3, errorCode: 'INVALID_IP', message: /^invalid source IP "999\.1\.1\.1": not an IPv4 or IPv6 address$/ },
  { title: 'IP 1.2.3.4;id', run: (h) => runWithStdin(ossecAdd(`1.2.3.4;touch ${MARKER}`), '', { command: h.command, env: h.env }), exitCode: 3, errorCode: 'INVALID_IP', message: /^invalid source IP "1\.2\.3\.4;touch / },
  { title: 'IP $(id)', run: (h) => runWithStdin(ossecAdd(`$(touch ${MARKER})`), '', { command: h.command, env: h.env }), exitCode: 3, errorCode: 'INVALID_IP', message: /^invalid source IP "\$\(touch / },
  { title: 'empty IP', run: (h) => runWithStdin(ossecAdd(''), '', { command: h.command, env: h.env }), exitCode: 3, errorCode: 'INVALID_IP', message: /^invalid source IP "": empty$/ },
  { title: '10 KB IP string', run: (h) => runWithStdin(ossecAdd('1'.repeat(10240)), '', { command: h.command, env: h.env }), exitCode: 3, errorCode: 'INVALID_IP', message: /^invalid source IP "1{40}…": 10240 characters long$/ },
  { title: 'Wazuh IP $(id)', run: (h) => runWithStdin([], `${withIp(`$(touch ${MARKER})`)}\n`, { command: h.command, env: h.env }), exitCode: 3, errorCode: 'INVALID_IP', message: /^invalid source IP/ },
  { title: 'stdin that is not JSON', run: (h) => runWithStdin([], 'hello execd\n', { command: h.command, env: h.env }), exitCode: 3, errorCode: 'INVALID_JSON', message: /^stdin is not valid JSON: / },
  { title: 'a JSON line of 69,633 bytes (one over 68 KiB)', run: (h) => runWithStdin([], `${lineOfBytes(68 * 1024 + 1)}\n`, { command: h.command, env: h.env }), exitCode: 3, errorCode: 'INPUT_TOO_LONG', message: /^stdin message over 68 KiB refused$/ },
];

describe('bad input: one clear line, the documented exit code, one whole record, nothing run', () => {
  it.each(CASES)('$title', async ({ run, exitCode, errorCode, message }) => {
    const home = makeBundleHome();
    const result = await run(home);
    expect(result.code).toBe(exitCode);
    expect(result.stdout).toBe('');
    const stderrLines = result.stderr.split('\n').filter(Boolean);
    expect(stderrLines).toHaveLength(1);
    expect(stderrLines[0]!.replace(/^geo-response: /, '')).toMatch(message);
    const logText = home.readLogText();
    expect(logText.endsWith('\n')).toBe(true);
    const records = home.readRecords();
    expect(records).toHaveLength(1);
    expect(records[0]!.event.outcome).toBe('failure');
    expect(records[0]!.geo_response.error_code).toBe(errorCode);
    expect(records[0]!.source).toBeUndefined();
    expect(readFileSync(home.arLogPath, 'utf8')).toMatch(new RegExp(`active-response/bin/geo-response: ${errorCode}: `));
    expect(existsSync(MARKER)).toBe(false);
  });
});

describe('bad databases and logs', () => {
  it('a configured database that does not exist: record with the lookup failure, exit 5', async () => {
    const home = makeBundleHome();
    home.writeConfig({ databases: { geo: '/nonexistent/GeoLite2-City.mmdb' } });
    const result = await runOssec('add - 81.2.69.142 1.1 5710 /var/log/auth.log -', { command: home.command, env: home.env });
    expect(result.code).toBe(5);
    expect(result.stderr).toBe("geo-response: cannot open MaxMind database /nonexistent/GeoLite2-City.mmdb (ENOENT): check the configured path or run geoipupdate\n");
    const [record] = home.readRecords();
    expect(record!.source).toEqual({ ip: '81.2.69.142' });
    expect(record!.event.outcome).toBe('failure');
    expect(record!.geo_response.lookup_error).toMatch(/\/nonexistent\/GeoLite2-City\.mmdb/);
    expect(record!.geo_response.decision).toEqual({ action: 'log', reason: 'policy mode off' });
  });

  it('a truncated .mmdb: clear error, record still written, exit 5', async () => {
    const home = makeBundleHome();
    const truncated = join(home.home, 'etc', 'truncated.mmdb');
    writeFileSync(truncated, readFileSync(EMBEDDED_DB).subarray(0, 1_000_000));
    home.writeConfig({ databases: { geo: truncated } });
    const result = await runOssec('add - 81.2.69.142 1.1 5710 /var/log/auth.log -', { command: home.command, env: home.env });
    expect(result.code).toBe(5);
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(result.stderr).toMatch(/truncated\.mmdb/);
    const [record] = home.readRecords();
    expect(record!.geo_response.lookup_error).toMatch(/truncated\.mmdb/);
    expect(record!.source.geo).toBeUndefined();
  });

  it('an invalid configuration: record says which key, exit 4', async () => {
    const home = makeBundleHome();
    home.writeConfig({ policy: { mode: 'deny', countries: ['Russia'] }, firewall: { backend: 'nftables' } });
    const result = await runOssec('add - 81.2.69.142 1.1 5710 /var/log/auth.log -', { command: home.command, env: home.env });
    expect(result.code).toBe(4);
    expect(result.stderr).toBe(`geo-response: ${home.home}/etc/geo-response.json: policy.countries[0]: expected an ISO 3166-1 alpha-2 country code in capitals, e.g. "RU"\n`);
    const [record] = home.readRecords();
    expect(record!.geo_response.error_code).toBe('CONFIG_INVALID');
    expect(record!.geo_response.firewall).toBeUndefined();
  });

  it('a log directory that cannot be written: one-line error, exit 7, no partial file', async () => {
    const home = makeBundleHome();
    // Root writes anywhere, so run as nobody, the way a non-root execd would; elsewhere drop the write bit.
    const asRoot = process.getuid?.() === 0;
    chmodSync(home.home, 0o755);
    for (const dir of ['active-response', 'active-response/bin']) chmodSync(join(home.home, dir), 0o755);
    chmodSync(join(home.home, 'logs'), 0o555);
    const spawnAs = asRoot ? { uid: 65534, gid: 65534 } : {};
    const { spawnSync } = await import('node:child_process');
    const result = spawnSync(home.command[0]!, [home.command[1]!, ...'add - 81.2.69.142 1.1 5710 /var/log/auth.log -'.split(' ')], { env: home.env, cwd: '/', encoding: 'utf8', ...spawnAs });
    expect(result.status).toBe(7);
    // active-responses.log in the same directory cannot be written either: said on the same line, never silently.
    const why = `EACCES (check the directory exists and is writable by execd's user)`;
    expect(result.stderr).toBe(`geo-response: cannot append to ${home.logPath}: ${why}; and cannot append to ${home.arLogPath}: ${why}\n`);
    expect(existsSync(home.logPath)).toBe(false);
    expect(statSync(join(home.home, 'logs')).isDirectory()).toBe(true);
    rmSync(home.home, { recursive: true, force: true });
  });

  it('a disk that fills mid-record: the write is reported short, exit 7, the partial record is cut off and earlier records stay whole', async () => {
    const home = makeBundleHome();
    // A file-size limit (with SIGXFSZ ignored, as a full disk raises no signal) lets write(2) take
    // only part of the record: the same short write a full disk or a quota gives.
    const earlier = `${'x'.repeat(1000)}\n`;
    writeFileSync(home.logPath, earlier);
    const { spawnSync } = await import('node:child_process');
    const alert = [home.command[0]!, home.command[1]!, ...'add - 81.2.69.142 1.1 5710 /var/log/auth.log -'.split(' ')].map((arg) => `'${arg}'`).join(' ');
    const result = spawnSync('/bin/sh', ['-c', `trap '' XFSZ; ulimit -f 2; exec ${alert}`], { env: home.env, cwd: '/', encoding: 'utf8' });
    expect(result.status).toBe(7);
    expect(result.stderr).toMatch(new RegExp(`^geo-response: cannot append to ${home.logPath}: short write, \\d+ of \\d+ bytes \\(disk full or quota\\?\\); the partial record was removed\n`));
    // The bytes that did land are cut off again: the file is exactly what it was.
    expect(readFileSync(home.logPath, 'utf8')).toBe(earlier);
    rmSync(home.home, { recursive: true, force: true });
  });
});
