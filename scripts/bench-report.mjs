#!/usr/bin/env node
// Benchmark of `geo-response report` (design §7): records/s over a 1,000,000-record log and
// peak RSS for 100k vs 1M records, which must stay flat (streaming, bounded tables).
// Usage: node scripts/bench-report.mjs dist/geo-response.js
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GENERATOR = path.join(ROOT, 'test/support/make-geo-log.ts');
// The same attacker pool for both logs, so the RSS comparison isolates the number of records.
const DISTINCT_IPS = 20_000;
const START = new Date('2026-10-01T00:00:00Z');
const END = new Date('2026-11-27T00:00:00Z');

// A preloaded module reports the child's own peak RSS at exit: no dependency on /usr/bin/time.
const RSS_PRELOAD = `process.on('exit', () => {
  require('node:fs').writeFileSync(process.env.GEO_RESPONSE_BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
`;

/** The seeded log generator, compiled from TypeScript with esbuild (a tsup dependency) so plain Node can run it. */
async function loadGenerator(dir) {
  const { build } = await import('esbuild');
  const outfile = path.join(dir, 'make-geo-log.mjs');
  await build({ entryPoints: [GENERATOR], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'error' });
  return import(pathToFileURL(outfile).href);
}

/** Run `node <bundle> report --format json FILE`; resolves with wall time, peak RSS and the parsed report. */
function runReportChild(bundle, file, dir) {
  const preload = path.join(dir, 'rss-preload.cjs');
  const rssFile = path.join(dir, `rss-${path.basename(file)}.txt`);
  writeFileSync(preload, RSS_PRELOAD);
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--require', preload, bundle, 'report', '--format', 'json', file], {
      env: { ...process.env, GEO_RESPONSE_BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) return reject(new Error(`report exited ${code}: ${stderr.trim()}`));
      // maxRSS is in kilobytes.
      const peakRssMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
      resolve({ seconds, peakRssMb, summary: JSON.parse(stdout) });
    });
  });
}

/** Generate 1M- and 100k-record logs, report on each in a child process, and return records/s and peak RSS. */
export async function benchReport({ bundle }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-report-'));
  try {
    const { writeBigGeoLog } = await loadGenerator(dir);
    const big = path.join(dir, 'geo-response-1m.log');
    const small = path.join(dir, 'geo-response-100k.log');
    await writeBigGeoLog(big, { seed: 1, count: 1_000_000, start: START, end: END, distinctIps: DISTINCT_IPS });
    await writeBigGeoLog(small, { seed: 2, count: 100_000, start: START, end: END, distinctIps: DISTINCT_IPS });
    const runSmall = await runReportChild(path.resolve(bundle), small, dir);
    const runBig = await runReportChild(path.resolve(bundle), big, dir);
    for (const [run, count] of [[runSmall, 100_000], [runBig, 1_000_000]]) {
      if (run.summary.records.read !== count) throw new Error(`report read ${run.summary.records.read} records, expected ${count}`);
    }
    return {
      records: 1_000_000,
      recordsPerSecond: Math.round(1_000_000 / runBig.seconds),
      peakRssMb1M: Math.round(runBig.peakRssMb * 10) / 10,
      peakRssMb100k: Math.round(runSmall.peakRssMb * 10) / 10,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const bundle = process.argv[2] ?? path.join(ROOT, 'dist/geo-response.js');
  const result = await benchReport({ bundle });
  console.log(`report: ${result.records.toLocaleString('en-US')} records at ${result.recordsPerSecond.toLocaleString('en-US')} records/s`);
  console.log(`report: peak RSS ${result.peakRssMb100k} MB for 100k records, ${result.peakRssMb1M} MB for 1M records`);
  console.log(JSON.stringify(result));
}
