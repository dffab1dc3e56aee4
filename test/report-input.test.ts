import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runReport, type ReportSummary } from '../src/report/index.js';
import { collectSummary } from '../src/report/collect-summary.js';
import { makeGeoRecords, writeGeoLogFile } from './support/make-geo-log.js';

const NOW = new Date('2026-11-27T12:00:00Z');

async function report(args: string[], options: { home?: string; stdoutIsTTY?: boolean; stderrIsTTY?: boolean } = {}) {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void) => new Writable({ write: (chunk, _encoding, done) => (append(String(chunk)), done()) });
  const code = await runReport(args, {
    stdout: sink((text) => (stdout += text)),
    stderr: sink((text) => (stderr += text)),
    stdoutIsTTY: options.stdoutIsTTY ?? false,
    stderrIsTTY: options.stderrIsTTY ?? false,
    now: NOW,
    home: options.home ?? '/nonexistent-home',
  });
  return { code, stdout, stderr };
}

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'report-input-'));
}

const sample = makeGeoRecords({ seed: 7, count: 50, start: new Date('2026-11-26T00:00:00Z'), end: new Date('2026-11-27T00:00:00Z') });
const sampleLines = sample.map((record) => JSON.stringify(record));

describe('bad input: a one-line error with the documented exit code', () => {
  const dir = tempDir();
  const binary = path.join(dir, 'binary.bin');
  writeFileSync(binary, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x0a, 0x00]));
  const corruptGzip = path.join(dir, 'corrupt.log.gz');
  writeFileSync(corruptGzip, gzipSync(sampleLines.join('\n')).subarray(0, 100));
  const good = path.join(dir, 'good.log');
  writeGeoLogFile(good, sampleLines);

  it.each([
    { title: 'missing file', args: [path.join(dir, 'nope.log')], code: 3, message: /nope\.log: no such file/ },
    { title: 'a directory', args: [dir], code: 3, message: /is a directory, not a geo log/ },
    { title: 'a binary file', args: [binary], code: 3, message: /looks binary/ },
    { title: 'a truncated gzip file', args: [corruptGzip], code: 3, message: /corrupt\.log\.gz: cannot decompress/ },
    { title: 'no log in the installation', args: [], code: 3, message: /no geo log|cannot list/ },
    { title: 'unknown --format', args: ['--format', 'xml', good], code: 2, message: /--format "xml" is not one of table, json, csv, html/ },
    { title: 'malformed --since', args: ['--since', 'yesterday', good], code: 2, message: /--since "yesterday" is neither a duration/ },
    { title: 'impossible ISO date', args: ['--until', '2026-13-45', good], code: 2, message: /--until "2026-13-45"/ },
    { title: 'unknown flag', args: ['--colour', good], code: 2, message: /Unknown option '--colour'/ },
    { title: 'bad --decision', args: ['--decision', 'drop', good], code: 2, message: /--decision "drop" is not one of block, allow, log/ },
    { title: 'bad --country', args: ['--country', 'Russia', good], code: 2, message: /not an ISO 3166-1 alpha-2 code/ },
    { title: '--country XX (no such country)', args: ['--country', 'XX', good], code: 2, message: /--country "XX" is not an assigned ISO 3166-1 alpha-2 code/ },
    { title: '--country UK', args: ['--country', 'RU,UK', good], code: 2, message: /--country "UK" is not an assigned ISO 3166-1 alpha-2 code \(did you mean "GB"\?\)/ },
    { title: 'bad --top', args: ['--top', '-3', good], code: 2, message: /--top/ },
    { title: '--table without csv', args: ['--table', 'ips', good], code: 2, message: /--table only applies to --format csv/ },
    { title: 'html to a terminal', args: ['--format', 'html', good], code: 2, message: /HTML is not for a terminal/, tty: true },
  ])('$title → exit $code', async ({ args, code, message, tty }) => {
    const result = await report(args, { stdoutIsTTY: tty ?? false });
    expect(result.code).toBe(code);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^geo-response: [^\n]+\n$/);
    expect(result.stderr).toMatch(message);
  });
});

describe('skips, counted', () => {
  it('an empty log is a report of nothing, exit 0', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'empty.log'), '');
    const result = await report(['--format', 'json', path.join(dir, 'empty.log')]);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as ReportSummary;
    expect(summary.records).toEqual({ read: 0, matched: 0, malformed: 0, oversized: 0 });
    expect(summary.time_span).toEqual({ first: null, last: null });
    expect(summary.histogram.buckets).toEqual([]);
    const table = await report(['--format', 'table', path.join(dir, 'empty.log')]);
    expect(table.stdout).toContain('No records matched.');
  });

  it('a 10 MB line is counted as malformed and skipped without being buffered', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'huge-line.log');
    const fd = openSync(file, 'w');
    writeSync(fd, `${sampleLines[0]}\n{"@timestamp":"2026-11-26T00:00:00Z","junk":"`);
    const block = Buffer.alloc(1 << 20, 'A');
    for (let index = 0; index < 10; index += 1) writeSync(fd, block);
    writeSync(fd, `"}\n${sampleLines.slice(1).join('\n')}\n`);
    closeSync(fd);
    const result = await report(['--format', 'json', file]);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as ReportSummary;
    expect(summary.records).toEqual({ read: 50, matched: 50, malformed: 1, oversized: 1 });
    expect(summary.sources[0]).toMatchObject({ records: 50, malformed: 1 });
  });

  it('gzip is found by magic bytes: a .gz name holding plain text is read as text', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'geo-response.log.2.gz');
    writeGeoLogFile(file, sampleLines);
    const summary = JSON.parse((await report(['--format', 'json', file])).stdout) as ReportSummary;
    expect(summary.sources[0]).toMatchObject({ gzip: false, records: 50 });
  });
});

describe('default files: the installation log and its rotated siblings, oldest first', () => {
  it('reads dateext and numbered rotations in time order and ignores unrelated files', async () => {
    const home = tempDir();
    const logs = path.join(home, 'logs');
    mkdirSync(logs);
    for (const name of ['geo-response.log', 'geo-response.log.1', 'geo-response.log.10.gz', 'geo-response.log.2.gz', 'geo-response.log-20261101.gz', 'active-responses.log', 'geo-response.log.bak']) {
      writeGeoLogFile(path.join(logs, name), sampleLines.slice(0, 2), { gzip: name.endsWith('.gz') });
    }
    const summary = JSON.parse((await report(['--format', 'json'], { home })).stdout) as ReportSummary;
    expect(summary.sources.map((source) => path.basename(source.path))).toEqual([
      'geo-response.log-20261101.gz',
      'geo-response.log.10.gz',
      'geo-response.log.2.gz',
      'geo-response.log.1',
      'geo-response.log',
    ]);
    expect(summary.records.read).toBe(10);
  });
});

describe('output format and stderr', () => {
  const dir = tempDir();
  const file = path.join(dir, 'geo.log');
  writeGeoLogFile(file, sampleLines);

  it.each([
    { title: 'terminal → table', tty: true, check: (out: string) => expect(out).toMatch(/^geo-response report\n/) },
    { title: 'pipe → json', tty: false, check: (out: string) => expect(JSON.parse(out).schema).toBe(1) },
  ])('default format: $title', async ({ tty, check }) => {
    const result = await report([file], { stdoutIsTTY: tty });
    expect(result.code).toBe(0);
    check(result.stdout);
  });

  it('--output picks the format from the extension and writes nothing to stdout', async () => {
    const output = path.join(dir, 'out.csv');
    const result = await report(['--output', output, file]);
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readFileSync(output, 'utf8')).toMatch(/^iso_code,name,events/);
  });

  it('--help prints usage and exits 0', async () => {
    const result = await report(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: geo-response report');
  });

  it('stderr stays empty without a terminal, even for a large input', async () => {
    const result = await report(['--format', 'json', file], { stderrIsTTY: false });
    expect(result.stderr).toBe('');
  });

  it('a progress bar goes to stderr when it is a terminal and the input is large enough, then is erased', async () => {
    const chunks: string[] = [];
    const stream = new Writable({ write: (chunk, _encoding, done) => (chunks.push(String(chunk)), done()) });
    let clock = 0;
    await collectSummary({
      files: [file],
      filters: { countries: [], asns: [], decisions: [], rules: [], actions: [], agents: [] },
      now: NOW,
      top: 10,
      progressStream: stream,
      progressMinBytes: 1,
      clock: () => (clock += 1000),
    });
    expect(chunks[0]).toMatch(/^\rreading \[#{30}\] 100% {2}0\/0 MB$/);
    expect(chunks[chunks.length - 1]).toMatch(/^\r +\r$/);
  });
});

describe('attacker-influenced text is inert', () => {
  const dir = tempDir();
  const file = path.join(dir, 'hostile.log');
  const hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>\u001b]0;pwned\u0007';
  const base = sample[0]!;
  const record = {
    ...base,
    event: { ...base.event, action: 'add' as const },
    user: { name: hostile },
    rule: { id: '1', level: 3, description: hostile },
    source: { ...base.source!, geo: { country_iso_code: 'RU' }, as: { number: 666, organization: { name: `=cmd|' /C calc'!A0 ${hostile}` } } },
    geo_response: { ...base.geo_response, decision: { action: 'block' as const, reason: hostile } },
  };
  writeGeoLogFile(file, [JSON.stringify(record)]);

  it('html: no tag or attribute from the log survives, and the page allows no script', async () => {
    const output = path.join(dir, 'hostile.html');
    expect((await report(['--format', 'html', '--output', output, file])).code).toBe(0);
    const html = readFileSync(output, 'utf8');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
  });

  it('table: terminal control characters are replaced', async () => {
    const result = await report(['--format', 'table', file]);
    expect(result.stdout).not.toContain('\u001b');
    expect(result.stdout).not.toContain('\u0007');
    expect(result.stdout).toContain('onerror=alert(2)>?]');
  });

  it('csv: RFC 4180 quoting, no formula cells, control bytes written as visible escapes', async () => {
    const result = await report(['--format', 'csv', '--table', 'asns', file]);
    const row = result.stdout.split('\r\n')[1]!;
    expect(row).toBe(`666,"'=cmd|' /C calc'!A0 <script>alert(1)</script>""><img src=x onerror=alert(2)>\\x1b]0;pwned\\x07",1,1,1,1`);
  });

  it.each(['summary', 'countries', 'asns', 'ips', 'decisions', 'failures', 'histogram', 'sources'])('csv --table %s: no control byte reaches the output', async (table) => {
    const result = await report(['--format', 'csv', '--table', table, file]);
    expect(result.code).toBe(0);
    // C0 but TAB, LF and CR; DEL; C1.
    expect(result.stdout).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/);
  });
});

describe('decisions: what happened, per action', () => {
  const at = (minute: number) => `2026-11-26T10:${String(minute).padStart(2, '0')}:00.000Z`;
  const record = (minute: number, action: string, outcome: string, extra: Record<string, unknown>, source: unknown = { ip: '198.51.100.7', geo: { country_iso_code: 'RU' } }) =>
    JSON.stringify({ '@timestamp': at(minute), event: { kind: 'event', module: 'geo-response', action, outcome, reason: 'r' }, ...(source ? { source } : {}), geo_response: { version: '0.1.0', protocol: 'ossec', ...extra } });
  const blocked = { decision: { action: 'block', reason: 'RU is in deny list' }, firewall: { backend: 'nftables', result: 'blocked' } };

  it('counts the decisions of adds only: deletes, failures without a decision and skips are not decisions', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'geo.log');
    writeGeoLogFile(file, [
      record(1, 'add', 'success', blocked),
      record(2, 'add', 'success', blocked),
      record(3, 'add', 'success', { decision: { action: 'log', reason: 'policy mode off' } }),
      // Records of earlier versions: a delete carried the policy's decision, at shutdown too.
      record(4, 'delete', 'success', { decision: { action: 'block', reason: 'RU is in deny list' }, firewall: { backend: 'nftables', result: 'unblocked' } }),
      record(5, 'delete', 'success', { decision: { action: 'block', reason: 'RU is in deny list' }, firewall: { backend: 'nftables', result: 'not-blocked' } }),
      record(6, 'add', 'failure', { error_code: 'INVALID_IP', raw_ip: 'x' }, null),
      record(7, 'add', 'success', {}, null),
    ]);
    const result = await report(['--format', 'json', file]);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as ReportSummary;
    expect(summary.decisions).toEqual([
      { action: 'block', events: 2, reasons: [{ reason: 'RU is in deny list', events: 2 }] },
      { action: 'log', events: 1, reasons: [{ reason: 'policy mode off', events: 1 }] },
    ]);
    expect(summary.blocks).toBe(2);
    expect(summary.actions).toEqual({ add: 5, delete: 2, none: 0 });
    expect(summary.failures).toEqual({ events: 1, by_code: [{ code: 'INVALID_IP', events: 1 }] });
    const table = await report(['--format', 'table', file]);
    expect(table.stdout).not.toMatch(/^\s+none\s/m);
    expect(table.stdout).toMatch(/^\s+block\s+2\s/m);
  });
});
