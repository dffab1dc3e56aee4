#!/usr/bin/env node
// The first alert after an install or upgrade against the alerts after it (issue 12: at most 5 ms
// more). install.sh warms what it installs (its warm_up); before it did, the first alert compiled
// the program and wrote the code caches and the validated configuration itself. Both are measured
// in the same interleaved rounds: each round installs into a fresh OSSEC-like tree twice, once as
// install.sh does now and once with the caches it wrote removed again (exactly what the earlier
// install.sh left), then times the first alert and the one after it, beside a `node -e 0`.
// Needs root (install.sh chowns; the blocking rows use a network namespace and nft).
// Run alone with `npm run bench:install`; `npm run bench` runs it after its other rows.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const IP = '/usr/sbin/ip';
const NFT = '/usr/sbin/nft';

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** A fresh tree shaped like an OSSEC server install (what install.sh looks for), owned by root. */
function makeTree(work, name, config) {
  const home = path.join(mkdtempSync(path.join(work, `${name}-`)), 'ossec');
  for (const dir of ['active-response/bin', 'bin', 'etc', 'logs']) mkdirSync(path.join(home, dir), { recursive: true, mode: 0o750 });
  writeFileSync(path.join(home, 'bin', 'ossec-control'), 'NAME="OSSEC HIDS"\nVERSION="v3.7.0"\n', { mode: 0o550 });
  writeFileSync(path.join(home, 'bin', 'ossec-analysisd'), '', { mode: 0o550 });
  writeFileSync(path.join(home, 'etc', 'ossec.conf'), '<ossec_config>\n</ossec_config>\n', { mode: 0o440 });
  writeFileSync(path.join(home, 'logs', 'active-responses.log'), '', { mode: 0o660 });
  if (config) writeFileSync(path.join(home, 'etc', 'geo-response.json'), JSON.stringify(config));
  return home;
}

/** Runs argv (in the namespace, when given) and returns its wall time in ms; throws on failure. */
function timed(argv, ns) {
  const full = ns ? [IP, 'netns', 'exec', ns, ...argv] : argv;
  const started = process.hrtime.bigint();
  // execd's environment: minimal, from /.
  const result = spawnSync(full[0], full.slice(1), { cwd: '/', env: { PATH: '/usr/bin:/bin' }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`bench-install: ${full.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

function install(home, node, ns) {
  const argv = ['/bin/sh', path.join(ROOT, 'install.sh'), '--prefix', home, '--node', node, '--group', 'root'];
  const full = ns ? [IP, 'netns', 'exec', ns, ...argv] : argv;
  const result = spawnSync(full[0], full.slice(1), { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GEO_RESPONSE_SYSTEMD_RUNNING_DIR: '/nonexistent' }, encoding: 'utf8' });
  if (result.status !== 0 || result.stderr !== '') throw new Error(`bench-install: install.sh exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

function cacheNames(home) {
  return readdirSync(path.join(home, 'active-response', 'bin')).filter((name) => name.startsWith('.geo-response.'));
}

/**
 * Medians over `runs` interleaved rounds, for each case: the first alert and the next one, after
 * an install that warmed and after one that did not. Returns the figures and prints a table.
 */
export async function benchInstall({ node = process.execPath, runs = Number(process.env.BENCH_INSTALL_RUNS ?? 11) } = {}) {
  if (process.getuid?.() !== 0) {
    console.log('\nfirst alert after install: skipped (install.sh needs root)');
    return undefined;
  }
  const work = mkdtempSync(path.join(tmpdir(), 'geo-response-bench-install-'));
  const ns = existsSync(IP) && existsSync(NFT) ? `gr-bench-install-${process.pid}` : undefined;
  if (ns) spawnSync(IP, ['netns', 'add', ns]);
  const cases = [{ label: 'log only (the example policy)', config: undefined }];
  // Every address blocks (no country is allowed): the first alert also loads the firewall part.
  if (ns) cases.push({ label: 'block, nftables (namespace)', config: { policy: { mode: 'allow', countries: [] }, firewall: { backend: 'nftables' } }, ns });
  const samples = new Map();
  const sample = (key, value) => samples.set(key, [...(samples.get(key) ?? []), value]);
  let octet = 1;
  try {
    for (let round = 0; round < runs; round += 1) {
      sample('node -e 0', timed([node, '-e', '0']));
      for (const c of cases) {
        // Alternate which install goes first, so neither always follows the other.
        const variants = round % 2 ? ['warmed by install.sh', 'left to the first alert'] : ['left to the first alert', 'warmed by install.sh'];
        for (const variant of variants) {
          const home = makeTree(work, 'tree', c.config);
          const output = install(home, node, c.ns);
          if (variant === 'warmed by install.sh' && !/^warm up: /m.test(output)) throw new Error(`bench-install: install.sh did not warm up:\n${output}`);
          if (variant === 'left to the first alert') for (const name of cacheNames(home)) rmSync(path.join(home, 'active-response', 'bin', name));
          const before = cacheNames(home).length;
          const exe = path.join(home, 'active-response', 'bin', 'geo-response');
          const alert = () => timed([exe, 'add', '-', `81.2.${octet++ % 250}.${1 + (round % 250)}`, '1795823765.1', '5710', '/var/log/auth.log', '-'], c.ns);
          const first = alert();
          const written = cacheNames(home).length - before;
          const next = alert();
          sample(`${c.label}|${variant}|first`, first);
          sample(`${c.label}|${variant}|next`, next);
          sample(`${c.label}|${variant}|delta`, first - next);
          sample(`${c.label}|${variant}|written`, written);
          rmSync(path.dirname(home), { recursive: true, force: true });
        }
      }
    }
  } finally {
    if (ns) spawnSync(IP, ['netns', 'delete', ns]);
    rmSync(work, { recursive: true, force: true });
  }
  const base = median(samples.get('node -e 0'));
  const results = { runs, nodeMs: base, cases: {} };
  const rows = [];
  for (const c of cases) {
    for (const variant of ['left to the first alert', 'warmed by install.sh']) {
      const m = (what) => median(samples.get(`${c.label}|${variant}|${what}`));
      const figures = { firstMs: m('first'), nextMs: m('next'), firstMinusNextMs: m('delta'), cachesWrittenByFirst: m('written') };
      results.cases[`${c.label}|${variant}`] = figures;
      rows.push([c.label, variant, figures.firstMs.toFixed(1), figures.nextMs.toFixed(1), figures.firstMinusNextMs.toFixed(1), (figures.firstMs / base).toFixed(2), (figures.nextMs / base).toFixed(2), String(figures.cachesWrittenByFirst)]);
    }
  }
  const header = ['first alert after install', 'caches', 'first ms', 'next ms', 'first − next', 'first × node', 'next × node', 'caches the first wrote'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  console.log(`\nfirst alert after install.sh (OSSEC argv add; medians of ${runs} interleaved rounds, a fresh install each; node -e 0 ${base.toFixed(1)} ms):\n`);
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchInstall({ node: process.env.BENCH_NODE ?? process.execPath });
