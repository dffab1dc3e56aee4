#!/usr/bin/env node
// npm run bench:blocks: how long `geo-response blocks restore` takes with 100,000 recorded blocks
// (issue 17: under a second), and what one blocking alert costs when the state is that large.
// Runs the built executable as root inside a network namespace of its own (removed afterwards),
// so the host's firewall is never touched. Medians of interleaved runs; prints a table.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyExecutable } from './bundle-files.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 100_000);
const IP = '/usr/sbin/ip';
const NS = `gr-bench-blocks-${process.pid}`;

if (process.getuid?.() !== 0) {
  console.error('bench-blocks: needs root (network namespaces, nft, ipset)');
  process.exit(2);
}

const work = mkdtempSync(path.join(tmpdir(), 'geo-response-bench-blocks-'));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
// Shared address space (100.64.0.0/10): restore takes the state as written, and these collide with no real host.
const address = (index) => `100.${64 + ((index >> 16) & 63)}.${(index >> 8) & 255}.${index & 255}`;

function makeHome(backend, count) {
  const home = path.join(work, `${backend}-${count}`);
  mkdirSync(path.join(home, 'active-response', 'bin'), { recursive: true });
  mkdirSync(path.join(home, 'active-response', 'state'), { mode: 0o700 });
  mkdirSync(path.join(home, 'etc'));
  mkdirSync(path.join(home, 'logs'));
  copyExecutable(path.join(ROOT, 'dist'), path.join(home, 'active-response', 'bin'), 'geo-response');
  writeFileSync(path.join(home, 'etc', 'geo-response.json'), JSON.stringify({ policy: { mode: 'allow', countries: [], unknown: 'block', allow_private: true }, firewall: { backend, expire_seconds: 3600 } }));
  // The state as geo-response writes it (src/blocks/block-state.ts, formatBlockState).
  const sinceMs = Date.now();
  const rows = Array.from({ length: count }, (_, index) => JSON.stringify([address(index), backend, sinceMs, sinceMs + 3_600_000]));
  const header = '{"version":2,"columns":["ip","backend","since_ms","expires_ms"],"blocks":[\n';
  writeFileSync(path.join(home, 'active-response', 'state', 'blocks.json'), `${header}${rows.join(',\n')}\n]}\n`, { mode: 0o600 });
  return home;
}

function inNs(args) {
  return spawnSync(IP, ['netns', 'exec', NS, ...args], { cwd: '/', env: { PATH: '/usr/bin:/bin' }, encoding: 'utf8', maxBuffer: 1 << 30 });
}

function timed(args) {
  const started = process.hrtime.bigint();
  const result = inNs(args);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

function flush(backend) {
  if (backend === 'nftables') inNs(['/usr/sbin/nft', 'flush', 'ruleset']);
  else {
    inNs(['/usr/sbin/iptables', '-w', '-F']);
    inNs(['/usr/sbin/ipset', 'destroy']);
  }
}

spawnSync(IP, ['netns', 'add', NS]);
const rows = [];
try {
  // ipset's sets are created with its default maxelem (65,536 entries): the bench stays under it.
  const cases = [
    { backend: 'nftables', count: BLOCKS },
    { backend: 'ipset', count: Math.min(BLOCKS, 65_000) },
  ];
  for (const { backend, count } of cases) {
    const home = makeHome(backend, count);
    const exe = path.join(home, 'active-response', 'bin', 'geo-response');
    const cold = [];
    const again = [];
    const alert = [];
    for (let run = 0; run < RUNS; run += 1) {
      flush(backend);
      cold.push(timed([exe, 'blocks', 'restore']));
      again.push(timed([exe, 'blocks', 'restore']));
      alert.push(timed([exe, 'add', '-', `81.2.69.${run + 10}`, '1.1', '5710', '/var/log/auth.log', '-']));
    }
    const bare = median(Array.from({ length: RUNS }, () => timed([process.execPath, '-e', '0'])));
    const stateBytes = statSync(path.join(home, 'active-response', 'state', 'blocks.json')).size;
    rows.push({ backend, blocks: count, state: `${(stateBytes / 1e6).toFixed(1)} MB`, 'restore after a flush (ms)': median(cold).toFixed(0), 'restore again (ms)': median(again).toFixed(0), 'one blocking alert (ms)': median(alert).toFixed(0), 'node -e 0 (ms)': bare.toFixed(0) });
  }
} finally {
  spawnSync(IP, ['netns', 'delete', NS]);
  rmSync(work, { recursive: true, force: true });
}
console.table(rows);
