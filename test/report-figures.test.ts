import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GeoLogRecord } from '../src/log/record.js';
import { runReport, type ReportSummary } from '../src/report/index.js';
import { makeGeoRecords, MALFORMED_LINES, writeGeoLogFile } from './support/make-geo-log.js';

const NOW = new Date('2026-11-27T12:00:00Z');
const HOUR_MS = 3_600_000;

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function report(args: string[], home: string): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void) =>
    new Writable({ write: (chunk, _encoding, done) => (append(String(chunk)), done()) });
  const code = await runReport(args, {
    stdout: sink((text) => (stdout += text)),
    stderr: sink((text) => (stderr += text)),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    now: NOW,
    home,
  });
  return { code, stdout, stderr };
}

// ---- The naive recount: straightforward loops over the records, written without the report's code. ----

interface NaiveFilter {
  sinceMs?: number;
  untilMs?: number;
  countries?: string[];
  asns?: number[];
  decisions?: string[];
  rules?: string[];
  actions?: string[];
  agents?: string[];
}

function keep(record: GeoLogRecord, filter: NaiveFilter): boolean {
  const time = Date.parse(record['@timestamp']);
  if (filter.sinceMs !== undefined && time < filter.sinceMs) return false;
  if (filter.untilMs !== undefined && time >= filter.untilMs) return false;
  const country = record.source?.geo?.country_iso_code;
  if (filter.countries && !(country && filter.countries.includes(country))) return false;
  const asn = record.source?.as?.number;
  if (filter.asns && !(asn !== undefined && filter.asns.includes(asn))) return false;
  const decision = record.geo_response.decision?.action;
  if (filter.decisions && !(decision && filter.decisions.includes(decision))) return false;
  const rule = record.rule?.id;
  if (filter.rules && !(rule && filter.rules.includes(rule))) return false;
  const action = record.event.action;
  if (filter.actions && !(action && filter.actions.includes(action))) return false;
  const agent = record.observer?.name;
  if (filter.agents && !(agent && filter.agents.includes(agent))) return false;
  return true;
}

const isBlock = (record: GeoLogRecord): boolean => record.event.action === 'add' && record.geo_response.decision?.action === 'block';
const bump = (map: Map<string, number>, key: string): void => void map.set(key, (map.get(key) ?? 0) + 1);
const byCountThenKey = (a: [string, number], b: [string, number]): number => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
const share = (events: number, total: number): number => Math.round((events / total) * 10_000) / 10_000;

function recount(records: GeoLogRecord[], filter: NaiveFilter) {
  const matched = records.filter((record) => keep(record, filter));
  const times = matched.map((record) => Date.parse(record['@timestamp']));
  const withSource = matched.filter((record) => record.source !== undefined);
  const group = (keyOf: (record: GeoLogRecord) => string) => {
    const rows = new Map<string, { events: number; ips: Set<string>; blocks: number }>();
    for (const record of withSource) {
      const key = keyOf(record);
      const row = rows.get(key) ?? { events: 0, ips: new Set<string>(), blocks: 0 };
      row.events += 1;
      row.ips.add(record.source!.ip);
      if (isBlock(record)) row.blocks += 1;
      rows.set(key, row);
    }
    return [...rows]
      .sort((a, b) => byCountThenKey([a[0], a[1].events], [b[0], b[1].events]))
      .map(([key, row]) => ({ key, events: row.events, unique_ips: row.ips.size, blocks: row.blocks, share: share(row.events, matched.length) }));
  };
  const ips = new Map<string, { events: number; first: number; last: number; blocked: boolean }>();
  // Top IPs lists public addresses; private, documentation and other special sources are counted apart.
  for (const record of withSource.filter((candidate) => candidate.geo_response.address_class === 'public')) {
    const time = Date.parse(record['@timestamp']);
    const entry = ips.get(record.source!.ip) ?? { events: 0, first: time, last: time, blocked: false };
    entry.events += 1;
    entry.first = Math.min(entry.first, time);
    entry.last = Math.max(entry.last, time);
    entry.blocked ||= isBlock(record);
    ips.set(record.source!.ip, entry);
  }
  const decisions = new Map<string, Map<string, number>>();
  // Decisions are the policy's word on adds only.
  for (const record of matched) {
    const decision = record.geo_response.decision;
    if (record.event.action !== 'add' || decision === undefined) continue;
    const reasons = decisions.get(decision.action) ?? new Map<string, number>();
    bump(reasons, decision.reason);
    decisions.set(decision.action, reasons);
  }
  const failures = new Map<string, number>();
  for (const record of matched) {
    if (record.event.outcome !== 'failure' && (record.source !== undefined || record.event.outcome === 'success')) continue;
    bump(failures, record.geo_response.error_code ?? (record.source === undefined ? 'NO_SOURCE' : 'UNSPECIFIED'));
  }
  const hours = new Map<number, number>();
  for (const time of times) hours.set(Math.floor(time / HOUR_MS), (hours.get(Math.floor(time / HOUR_MS)) ?? 0) + 1);
  const firstHour = times.length ? Math.floor(Math.min(...times) / HOUR_MS) : 0;
  const lastHour = times.length ? Math.floor(Math.max(...times) / HOUR_MS) : -1;
  const histogram: Array<[string, number]> = [];
  for (let hour = firstHour; hour <= lastHour; hour += 1) histogram.push([new Date(hour * HOUR_MS).toISOString(), hours.get(hour) ?? 0]);
  return {
    matched: matched.length,
    first: times.length ? new Date(Math.min(...times)).toISOString() : null,
    last: times.length ? new Date(Math.max(...times)).toISOString() : null,
    blocks: matched.filter(isBlock).length,
    add: matched.filter((record) => record.event.action === 'add').length,
    delete: matched.filter((record) => record.event.action === 'delete').length,
    uniqueIps: new Set(withSource.map((record) => record.source!.ip)).size,
    special: ['documentation', 'private'].map((addressClass) => {
      const sources = withSource.filter((record) => record.geo_response.address_class === addressClass);
      return { address_class: addressClass, events: sources.length, unique_ips: new Set(sources.map((record) => record.source!.ip)).size };
    }).filter((row) => row.events > 0).sort((a, b) => b.events - a.events),
    agents: (() => {
      const rows = new Map<string, { events: number; ips: Set<string>; blocks: number }>();
      for (const record of matched) {
        const row = rows.get(record.observer?.name ?? '') ?? { events: 0, ips: new Set<string>(), blocks: 0 };
        row.events += 1;
        if (record.source) row.ips.add(record.source.ip);
        if (isBlock(record)) row.blocks += 1;
        rows.set(record.observer?.name ?? '', row);
      }
      return [...rows].sort((a, b) => byCountThenKey([a[0], a[1].events], [b[0], b[1].events])).map(([name, row]) => ({ name, events: row.events, unique_ips: row.ips.size, blocks: row.blocks }));
    })(),
    countries: group((record) => record.source!.geo?.country_iso_code ?? ''),
    asns: group((record) => String(record.source!.as?.number ?? '')),
    ips: [...ips]
      .sort((a, b) => byCountThenKey([a[0], a[1].events], [b[0], b[1].events]))
      .map(([ip, entry]) => ({ ip, events: entry.events, first_seen: new Date(entry.first).toISOString(), last_seen: new Date(entry.last).toISOString(), blocked: entry.blocked })),
    decisions: ['block', 'allow', 'log']
      .filter((action) => decisions.has(action))
      .map((action) => ({
        action,
        events: [...decisions.get(action)!.values()].reduce((sum, count) => sum + count, 0),
        reasons: [...decisions.get(action)!].sort(byCountThenKey).map(([reason, events]) => ({ reason, events })),
      })),
    failures: [...failures].sort(byCountThenKey).map(([code, events]) => ({ code, events })),
    failureCount: [...failures.values()].reduce((sum, count) => sum + count, 0),
    histogram,
  };
}

// ---- The log under test: rotated, gzipped (one without .gz in its name), malformed lines, a CRLF line. ----

let home: string;
let records: GeoLogRecord[];

beforeAll(() => {
  home = mkdtempSync(path.join(tmpdir(), 'report-figures-'));
  mkdirSync(path.join(home, 'logs'));
  records = makeGeoRecords({ seed: 42, count: 3000, start: new Date('2026-11-20T12:00:00Z'), end: new Date('2026-11-27T11:00:00Z'), distinctIps: 400 });
  const lines = records.map((record) => JSON.stringify(record));
  const logs = path.join(home, 'logs');
  writeGeoLogFile(path.join(logs, 'geo-response.log.3.gz'), lines.slice(0, 700), { gzip: true });
  // logrotate's delaycompress leaves .1 plain; a gzip file whose name lies is still read by its magic bytes.
  writeGeoLogFile(path.join(logs, 'geo-response.log.2'), lines.slice(700, 1500), { gzip: true });
  writeGeoLogFile(path.join(logs, 'geo-response.log.1'), [...lines.slice(1500, 2200), ...MALFORMED_LINES.slice(0, 3)]);
  writeGeoLogFile(path.join(logs, 'geo-response.log'), [`${lines[2200]}\r`, '', ...lines.slice(2201), ...MALFORMED_LINES.slice(3)]);
});

const CASES: Array<{ title: string; args: string[]; filter: NaiveFilter }> = [
  { title: 'no filter', args: [], filter: {} },
  { title: '--since 3d', args: ['--since', '3d'], filter: { sinceMs: NOW.getTime() - 3 * 86_400_000 } },
  { title: '--until ISO date', args: ['--until', '2026-11-23'], filter: { untilMs: Date.parse('2026-11-23T00:00:00Z') } },
  {
    title: '--since and --until ISO times',
    args: ['--since', '2026-11-22T06:00', '--until', '2026-11-24T18:30:00Z'],
    filter: { sinceMs: Date.parse('2026-11-22T06:00:00Z'), untilMs: Date.parse('2026-11-24T18:30:00Z') },
  },
  { title: '--country RU,cn', args: ['--country', 'RU,cn'], filter: { countries: ['RU', 'CN'] } },
  { title: '--asn AS4134 --asn 14061', args: ['--asn', 'AS4134', '--asn', '14061'], filter: { asns: [4134, 14061] } },
  { title: '--decision block', args: ['--decision', 'block'], filter: { decisions: ['block'] } },
  { title: '--decision allow,log', args: ['--decision', 'allow,log'], filter: { decisions: ['allow', 'log'] } },
  { title: '--rule 5710', args: ['--rule', '5710'], filter: { rules: ['5710'] } },
  { title: '--action delete', args: ['--action', 'delete'], filter: { actions: ['delete'] } },
  {
    title: 'combined: --country US --action add --since 2026-11-22',
    args: ['--country', 'US', '--action', 'add', '--since', '2026-11-22'],
    filter: { countries: ['US'], actions: ['add'], sinceMs: Date.parse('2026-11-22T00:00:00Z') },
  },
  { title: '--agent web2,mail1', args: ['--agent', 'web2,mail1'], filter: { agents: ['web2', 'mail1'] } },
  { title: '--agent with hostile text, as recorded', args: ['--agent', '<i>db1</i>'], filter: { agents: ['<i>db1</i>'] } },
  { title: 'nothing matches: --country AQ', args: ['--country', 'AQ'], filter: { countries: ['AQ'] } },
];

describe('report figures equal a naive recount', () => {
  it.each(CASES)('json: $title', async ({ args, filter }) => {
    const result = await report(['--format', 'json', '--top', '0', ...args], home);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as ReportSummary;
    const expected = recount(records, filter);
    expect(summary.records).toEqual({ read: 3000, matched: expected.matched, malformed: MALFORMED_LINES.length, oversized: 0 });
    expect(summary.time_span).toEqual({ first: expected.first, last: expected.last });
    expect(summary.blocks).toBe(expected.blocks);
    expect(summary.actions.add).toBe(expected.add);
    expect(summary.actions.delete).toBe(expected.delete);
    expect(summary.unique_ips).toEqual({ value: expected.uniqueIps, exact: true });
    expect(summary.countries.rows.map(({ iso_code, events, unique_ips, blocks, share }) => ({ key: iso_code ?? '', events, unique_ips, blocks, share }))).toEqual(expected.countries);
    expect(summary.asns.rows.map(({ number, events, unique_ips, blocks, share }) => ({ key: number === null ? '' : String(number), events, unique_ips, blocks, share }))).toEqual(expected.asns);
    expect(summary.top_ips.exact).toBe(true);
    expect(summary.top_ips.special).toEqual(expected.special);
    expect(summary.agents.rows.slice(0, 10).map(({ name, events, unique_ips, blocks }) => ({ name, events, unique_ips, blocks }))).toEqual(expected.agents.slice(0, 10));
    expect(summary.top_ips.rows.map(({ ip, events, first_seen, last_seen, blocked }) => ({ ip, events, first_seen, last_seen, blocked }))).toEqual(expected.ips);
    expect(summary.decisions).toEqual(expected.decisions);
    expect(summary.failures).toEqual({ events: expected.failureCount, by_code: expected.failures });
    if (expected.matched > 0) expect(summary.histogram.interval).toBe('hour');
    expect(summary.histogram.buckets.map((bucket) => [bucket.start, bucket.events])).toEqual(expected.histogram);
    expect(summary.sources.map((source) => [path.basename(source.path), source.gzip])).toEqual([
      ['geo-response.log.3.gz', true],
      ['geo-response.log.2', true],
      ['geo-response.log.1', false],
      ['geo-response.log', false],
    ]);
  });

  it.each(CASES)('csv: $title', async ({ args, filter }) => {
    const expected = recount(records, filter);
    const countries = await report(['--format', 'csv', '--table', 'countries', ...args], home);
    expect(countries.code).toBe(0);
    const countryLines = countries.stdout.split('\r\n').filter((line) => line !== '');
    expect(countryLines[0]).toBe('iso_code,name,events,unique_ips,blocks,share');
    expect(countryLines.slice(1).map((line) => {
      const cells = line.split(',');
      return { key: cells[0], events: Number(cells[2]), unique_ips: Number(cells[3]), blocks: Number(cells[4]), share: Number(cells[5]) };
    })).toEqual(expected.countries);

    const ips = await report(['--format', 'csv', '--table', 'ips', '--top', '5', ...args], home);
    const ipLines = ips.stdout.split('\r\n').filter((line) => line !== '').slice(1);
    expect(ipLines.map((line) => line.split(',').slice(0, 2))).toEqual(expected.ips.slice(0, 5).map((row) => [row.ip, String(row.events)]));

    const histogram = await report(['--format', 'csv', '--table', 'histogram', ...args], home);
    const histogramLines = histogram.stdout.split('\r\n').filter((line) => line !== '').slice(1);
    expect(histogramLines.map((line) => line.split(',').slice(0, 2))).toEqual(expected.histogram.map(([start, events]) => [start, String(events)]));

    const summary = await report(['--format', 'csv', '--table', 'summary', ...args], home);
    expect(summary.stdout).toContain(`records_matched,${expected.matched}\r\n`);
    expect(summary.stdout).toContain(`unique_ips,${expected.uniqueIps}\r\n`);
    expect(summary.stdout).toContain(`blocks,${expected.blocks}\r\n`);
    expect(summary.stdout).toContain(`malformed_lines,${MALFORMED_LINES.length}\r\n`);
  });

  it.each(CASES)('table: $title', async ({ args, filter }) => {
    const expected = recount(records, filter);
    const result = await report(['--format', 'table', ...args], home);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(80);
    expect(result.stdout).toContain(`${expected.matched.toLocaleString('en-US')} matched of 3,000 read · ${MALFORMED_LINES.length} malformed lines skipped`);
    if (expected.matched === 0) {
      expect(result.stdout).toContain('No records matched.');
      return;
    }
    for (const country of expected.countries.slice(0, 10)) {
      const row = lines.find((line) => line.startsWith(`  ${country.key || '--'}  `));
      expect(row, `row for ${country.key}`).toBeDefined();
      expect(row!.trim().split(/\s{2,}|\s(?=\d)/).filter(Boolean).slice(-4)).toEqual([
        country.events.toLocaleString('en-US'),
        `${(country.share * 100).toFixed(1)}%`,
        country.unique_ips.toLocaleString('en-US'),
        country.blocks.toLocaleString('en-US'),
      ]);
    }
    const topIp = expected.ips[0]!;
    expect(lines.find((line) => line.startsWith(`  ${topIp.ip} `))).toMatch(new RegExp(` ${topIp.events.toLocaleString('en-US')} `));
    expect(result.stdout).toMatch(/Events per hour/);
  });

  it.each(CASES)('html: $title', async ({ args, filter }) => {
    const expected = recount(records, filter);
    const output = path.join(home, `report-${Math.random().toString(36).slice(2)}.html`);
    const result = await report(['--format', 'html', '--output', output, ...args], home);
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    const html = readFileSync(output, 'utf8');
    const counts = new Map<string, number>();
    for (const match of html.matchAll(/data-iso="([A-Z]{2})" data-count="(\d+)"/g)) counts.set(match[1]!, Math.max(counts.get(match[1]!) ?? 0, Number(match[2])));
    for (const country of expected.countries) if (country.key !== '') expect(counts.get(country.key), country.key).toBe(country.events);
    const present = new Set(expected.countries.map((country) => country.key));
    for (const [code, count] of counts) if (!present.has(code)) expect(count, code).toBe(0);
    expect(html).toContain(`<b>${expected.matched.toLocaleString('en-US')}</b>Events`);
  });
});
