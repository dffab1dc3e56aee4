#!/usr/bin/env node
// Benchmark of `geo-response report` (design §7, issue 12): over a 1,000,000-record log (about
// 900 MB), its wall time against a jq group-by-country pipeline over the same file (the goal: at
// least 5× faster), and its peak RSS as the records grow (100k, 1M, 5M) and as the distinct
// addresses grow (100k, 1M): at most 150 MB, and flat.
// Usage: node scripts/bench-report.mjs [dist/geo-response.js]
// Env: BENCH_REPORT_RUNS (interleaved timing rounds, default 5), BENCH_REPORT_5M=1 (adds the
// 5,000,000-record log: 4.6 GB of temp space and about two more minutes to write it).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GENERATOR = path.join(ROOT, 'test/support/make-geo-log.ts');
// The same attacker pool for the logs that grow in records, so their RSS comparison isolates the number of records.
const DISTINCT_IPS = 20_000;
const START = new Date('2026-10-01T00:00:00Z');
const END = new Date('2026-11-27T00:00:00Z');
const RUNS = Number(process.env.BENCH_REPORT_RUNS ?? 5);
const WITH_5M = process.env.BENCH_REPORT_5M === '1';
// Debian package `jq`.
const JQ = '/usr/bin/jq';
// What an administrator types to count attacks by country; the file comes in as "$1", never pasted into the script.
const JQ_PIPELINE = `${JQ} -r '.source.geo.country_iso_code // "-"' "$1" | sort | uniq -c`;
// About 3 % of generated records have no public attacker (failures without a source, private
// addresses): 1,050,000 records in round-robin go through a whole pool of 1,000,000.
const DISTINCT_LOG_RECORDS = 1_050_000;

// A preloaded module reports the child's own peak RSS at exit: the high-water mark of its memory
// since exec (VmHWM), not getrusage's maxRSS, which a child spawned by fork + exec starts with the
// parent's RSS in (measured: every report here then peaked at the bench's own 115.6 MB).
const RSS_PRELOAD = `process.on('exit', () => {
  const fs = require('node:fs');
  const match = /^VmHWM:\\s+(\\d+) kB$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  fs.writeFileSync(process.env.GEO_RESPONSE_BENCH_RSS_FILE, match ? match[1] : 'NaN');
});
`;

/** The seeded log generator, compiled from TypeScript with esbuild (a tsup dependency) so plain Node can run it. */
async function loadGenerator(dir) {
  const { build } = await import('esbuild');
  const outfile = path.join(dir, 'make-geo-log.mjs');
  await build({ entryPoints: [GENERATOR], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'error' });
  return import(pathToFileURL(outfile).href);
}

/** Run a program; resolves with its wall time in seconds and its stdout. */
function runTimed(program, args, env = process.env) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(program, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout = [];
    let stderr = '';
    child.stdout.on('data', (chunk) => stdout.push(chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) return reject(new Error(`${program} ${args.join(' ')} exited ${code}: ${stderr.trim()}`));
      resolve({ seconds, stdout: Buffer.concat(stdout).toString('utf8') });
    });
  });
}

/** Run `node <bundle> report --format json FILE`; resolves with wall time, peak RSS and the parsed report. */
async function runReportChild(bundle, file, dir) {
  const preload = path.join(dir, 'rss-preload.cjs');
  const rssFile = path.join(dir, `rss-${path.basename(file)}.txt`);
  writeFileSync(preload, RSS_PRELOAD);
  const env = { ...process.env, GEO_RESPONSE_BENCH_RSS_FILE: rssFile };
  const { seconds, stdout } = await runTimed(process.execPath, ['--require', preload, bundle, 'report', '--format', 'json', file], env);
  // VmHWM is in kilobytes.
  const peakRssMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
  if (!Number.isFinite(peakRssMb)) throw new Error('no VmHWM in /proc/self/status: the report bench needs Linux');
  return { seconds, peakRssMb, summary: JSON.parse(stdout) };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function shuffle(items) {
  for (let index = items.length - 1; index > 0; index -= 1) {
    const other = Math.floor(Math.random() * (index + 1));
    [items[index], items[other]] = [items[other], items[index]];
  }
  return items;
}

/** jq's counts per country must be the report's: the two sides do the same work. */
function checkAgainstJq(summary, jqOutput) {
  const jqCounts = new Map(
    jqOutput
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .map(([count, code]) => [code, Number(count)]),
  );
  for (const row of summary.countries.rows) {
    if (row.iso_code === null) continue;
    if (jqCounts.get(row.iso_code) !== row.events) throw new Error(`report counts ${row.events} events for ${row.iso_code}, jq ${jqCounts.get(row.iso_code)}`);
  }
}

const round1 = (value) => Math.round(value * 10) / 10;

/**
 * Writes the logs, then: RUNS interleaved rounds (random order each) of report, the jq pipeline and
 * `node -e 0` over the 1M-record log (medians), and one report each for peak RSS at 100k, 1M
 * (and 5M) records and at 100k vs 1M distinct addresses.
 */
export async function benchReport({ bundle }) {
  if (!existsSync(JQ)) throw new Error(`${JQ} not found: the report bench compares against jq (Debian package jq)`);
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-report-'));
  const report = path.resolve(bundle);
  try {
    const { writeBigGeoLog } = await loadGenerator(dir);
    const logs = {
      '100k': { count: 100_000, seed: 2, distinctIps: DISTINCT_IPS },
      '1M': { count: 1_000_000, seed: 1, distinctIps: DISTINCT_IPS },
      ...(WITH_5M ? { '5M': { count: 5_000_000, seed: 3, distinctIps: DISTINCT_IPS } } : {}),
      '100k distinct': { count: DISTINCT_LOG_RECORDS, seed: 4, distinctIps: 100_000, spread: 'round-robin' },
      '1M distinct': { count: DISTINCT_LOG_RECORDS, seed: 4, distinctIps: 1_000_000, spread: 'round-robin' },
    };
    const files = {};
    for (const [name, options] of Object.entries(logs)) {
      files[name] = path.join(dir, `geo-response-${name.replace(' ', '-')}.log`);
      const bytes = await writeBigGeoLog(files[name], { ...options, start: START, end: END });
      logs[name].bytes = bytes;
    }

    const walls = { report: [], jq: [], node: [] };
    let reportRss1M;
    for (let round = 0; round < RUNS; round += 1) {
      const steps = [
        async () => {
          const run = await runReportChild(report, files['1M'], dir);
          if (run.summary.records.read !== 1_000_000) throw new Error(`report read ${run.summary.records.read} records, expected 1,000,000`);
          walls.report.push(run.seconds);
          reportRss1M = run;
        },
        async () => {
          const run = await runTimed('/bin/sh', ['-c', JQ_PIPELINE, 'sh', files['1M']]);
          walls.jq.push(run.seconds);
          if (round === 0) walls.jqOutput = run.stdout;
        },
        async () => walls.node.push((await runTimed(process.execPath, ['-e', '0'])).seconds),
      ];
      for (const step of shuffle(steps)) await step();
    }
    checkAgainstJq(reportRss1M.summary, walls.jqOutput);

    const peaks = {};
    for (const name of Object.keys(logs)) {
      const run = name === '1M' ? reportRss1M : await runReportChild(report, files[name], dir);
      if (run.summary.records.read !== logs[name].count) throw new Error(`report read ${run.summary.records.read} records of ${name}, expected ${logs[name].count}`);
      peaks[name] = { peakRssMb: round1(run.peakRssMb), uniqueIps: run.summary.unique_ips, topIpsExact: run.summary.top_ips.exact, megabytes: round1(logs[name].bytes / 1e6) };
    }
    const reportSeconds = median(walls.report);
    const jqSeconds = median(walls.jq);
    return {
      records: 1_000_000,
      runs: RUNS,
      logMegabytes: peaks['1M'].megabytes,
      reportSeconds,
      jqSeconds,
      nodeSeconds: median(walls.node),
      jqOverReport: jqSeconds / reportSeconds,
      recordsPerSecond: Math.round(1_000_000 / reportSeconds),
      peaks,
      // Kept for bench.mjs's one-line summary.
      peakRssMb1M: peaks['1M'].peakRssMb,
      peakRssMb100k: peaks['100k'].peakRssMb,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The report rows of the bench's output. */
export function formatReportBench(result) {
  const p = result.peaks;
  const lines = [
    `report over ${result.records.toLocaleString('en')} records (${result.logMegabytes} MB), medians of ${result.runs} interleaved runs:`,
    `  geo-response report  ${result.reportSeconds.toFixed(2)} s (${result.recordsPerSecond.toLocaleString('en')} records/s; ${(result.reportSeconds / result.nodeSeconds).toFixed(1)}× node -e 0)`,
    `  jq | sort | uniq -c  ${result.jqSeconds.toFixed(2)} s`,
    `  jq / report          ${result.jqOverReport.toFixed(2)}× (goal ≥ 5)`,
    `report peak RSS by records (20,000 addresses): 100k ${p['100k'].peakRssMb} MB, 1M ${p['1M'].peakRssMb} MB (${(p['1M'].peakRssMb / p['100k'].peakRssMb).toFixed(2)}×)` +
      (p['5M'] ? `, 5M ${p['5M'].peakRssMb} MB (${(p['5M'].peakRssMb / p['1M'].peakRssMb).toFixed(2)}× 1M)` : ', 5M not run (BENCH_REPORT_5M=1)'),
    `report peak RSS by distinct addresses (1.05M records): 100k ${p['100k distinct'].peakRssMb} MB, 1M ${p['1M distinct'].peakRssMb} MB (${(p['1M distinct'].peakRssMb / p['100k distinct'].peakRssMb).toFixed(2)}×; goal ≤ 150 MB, flat); ` +
      `unique_ips ${p['100k distinct'].uniqueIps.value.toLocaleString('en')} (exact: ${p['100k distinct'].uniqueIps.exact}) vs ${p['1M distinct'].uniqueIps.value.toLocaleString('en')} (exact: ${p['1M distinct'].uniqueIps.exact}), top IPs exact: ${p['100k distinct'].topIpsExact} vs ${p['1M distinct'].topIpsExact}`,
  ];
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const bundle = process.argv[2] ?? path.join(ROOT, 'dist/geo-response.js');
  const result = await benchReport({ bundle });
  console.log(formatReportBench(result));
  console.log(JSON.stringify(result));
}
