#!/usr/bin/env node
// The blocking rows of `npm run bench` (design §7, issue 12): one block add and one delete per
// backend (nftables, ipset), and a burst of 400 blocking adds at once then their 400 deletes, each
// beside `node -e 0` measured in the same run. Everything runs inside a network namespace this
// script creates and removes, so the host's firewall is never touched: the script re-runs itself
// in the namespace (`ip netns exec`), so no measured process pays for `ip netns exec`.
//
// Standalone: `sudo node scripts/bench-firewall.mjs` (after npm run build); BENCH_RUNS sets the
// rounds (default 31), BENCH_BURST the burst size (default 400). Prints JSON on stdout.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyExecutable } from './bundle-files.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);
const GNU_TIME = '/usr/bin/time';
const IP = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip'].find((candidate) => spawnSync(candidate, ['-V']).status === 0);
// nsenter rather than `ip netns exec`: that one mounts a sysfs of its own, without the cgroup
// hierarchy the burst's memory is measured in.
const NSENTER = ['/usr/bin/nsenter', '/bin/nsenter'].find((candidate) => spawnSync(candidate, ['--version']).status === 0);
const ENV = { PATH: '/usr/bin:/bin' };

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Run the measurements in a namespace of their own; resolves with what the inner run printed. */
export function benchFirewall({ node = process.execPath, runs = 31, burst = 400 } = {}) {
  if (process.getuid?.() !== 0) return { skipped: 'needs root (a network namespace, nft, ipset)' };
  if (IP === undefined) return { skipped: 'needs iproute2 (ip netns)' };
  const ns = `gr-bench-fw-${process.pid}`;
  if (spawnSync(IP, ['netns', 'add', ns]).status !== 0) return { skipped: `ip netns add ${ns} failed` };
  try {
    const result = spawnSync(NSENTER, [`--net=/run/netns/${ns}`, node, SELF, '--inner', String(runs), String(burst)], { cwd: '/', encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] });
    if (result.status !== 0) throw new Error(`bench-firewall: the run in ${ns} exited ${result.status}`);
    return JSON.parse(result.stdout);
  } finally {
    spawnSync(IP, ['netns', 'delete', ns]);
  }
}

function makeHome(work, backend) {
  const home = path.join(work, backend);
  mkdirSync(path.join(home, 'active-response', 'bin'), { recursive: true });
  mkdirSync(path.join(home, 'active-response', 'state'), { mode: 0o700 });
  mkdirSync(path.join(home, 'etc'));
  mkdirSync(path.join(home, 'logs'));
  copyExecutable(path.join(ROOT, 'dist'), path.join(home, 'active-response', 'bin'), 'geo-response');
  // Allow no country: every public address is blocked.
  writeFileSync(path.join(home, 'etc', 'geo-response.json'), JSON.stringify({ policy: { mode: 'allow', countries: [], unknown: 'block' }, firewall: { backend, expire_seconds: 3600 } }));
  return { home, exe: path.join(home, 'active-response', 'bin', 'geo-response') };
}

/** Distinct public addresses (TEST-NET ranges are never blocked), none of them this namespace's. */
const address = (index) => `81.${2 + ((index >> 16) & 63)}.${(index >> 8) & 255}.${1 + (index & 127)}`;

/** One process under GNU time: wall ms and peak RSS MB. */
function measure(argv, timeFile) {
  const started = process.hrtime.bigint();
  const result = spawnSync(GNU_TIME, ['-f', '%M', '-o', timeFile, ...argv], { cwd: '/', env: ENV, stdio: ['ignore', 'ignore', 'pipe'] });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`bench-firewall: ${argv.join(' ')} exited ${result.status}: ${result.stderr}`);
  return { wallMs, rssMb: Number(readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)) / 1024 };
}

// Peak memory of a burst as the kernel counts it for the whole group of processes (cgroup v1 or
// v2 memory controller): the sum of each process's own peak would count 400 peaks that never
// happened at the same moment. Undefined when no memory controller is mounted.
function createMemoryGroup(name) {
  for (const [root, peakFile] of [['/sys/fs/cgroup/memory', 'memory.max_usage_in_bytes'], ['/sys/fs/cgroup', 'memory.peak']]) {
    const dir = path.join(root, name);
    try {
      mkdirSync(dir);
    } catch {
      continue;
    }
    if (spawnSync('/bin/sh', ['-c', `test -e ${dir}/${peakFile}`]).status === 0) return { dir, peakFile };
    rmSync(dir, { recursive: false, force: true });
  }
  return undefined;
}

/** `count` processes at once, each under GNU time, in one memory group: total wall, the group's peak memory, failures. */
async function burstOf(argvOf, count, work, label) {
  const group = createMemoryGroup(`gr-bench-${process.pid}-${label}`);
  // Each child joins the group before it execs, so everything it starts is counted.
  const join = group ? ['/bin/sh', '-c', `echo $$ > ${group.dir}/cgroup.procs && exec "$@"`, 'join'] : [];
  const started = process.hrtime.bigint();
  const outcomes = await Promise.all(
    Array.from({ length: count }, (_, index) => {
      const timeFile = path.join(work, `burst-${index}.txt`);
      return new Promise((resolve) => {
        const child = spawn(join[0] ?? GNU_TIME, [...join.slice(1), ...(group ? [GNU_TIME] : []), '-f', '%M', '-o', timeFile, ...argvOf(index)], { cwd: '/', env: ENV, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (chunk) => (stderr += chunk));
        child.on('close', (code) => resolve({ code, stderr, rssMb: Number(readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)) / 1024 }));
      });
    }),
  );
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  let peakMb;
  if (group) {
    peakMb = Number(readFileSync(path.join(group.dir, group.peakFile), 'utf8')) / 2 ** 20;
    spawnSync('/bin/rmdir', [group.dir]);
  }
  const failed = outcomes.filter((outcome) => outcome.code !== 0);
  return { wallMs, peakMb, maxRssMb: Math.max(...outcomes.map((o) => o.rssMb)), failed: failed.length, firstFailure: failed[0]?.stderr.trim().split('\n')[0] };
}

function nftElements(set) {
  const out = spawnSync('/usr/sbin/nft', ['-j', 'list', 'set', 'inet', 'geo_response', set], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (out.status !== 0) return [];
  const elements = JSON.parse(out.stdout).nftables.find((entry) => entry.set)?.set.elem ?? [];
  return elements.map((element) => (typeof element === 'string' ? element : element.elem.val));
}

function ipsetElements(set) {
  const out = spawnSync('/usr/sbin/ipset', ['save', set], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return out.status !== 0 ? [] : out.stdout.split('\n').filter((line) => line.startsWith('add ')).map((line) => line.split(' ')[2]);
}

function flush() {
  spawnSync('/usr/sbin/nft', ['flush', 'ruleset']);
  spawnSync('/usr/sbin/iptables', ['-w', '-F']);
  spawnSync('/usr/sbin/ip6tables', ['-w', '-F']);
  spawnSync('/usr/sbin/ipset', ['destroy']);
}

async function inner(runs, burst) {
  const work = mkdtempSync(path.join(tmpdir(), 'geo-response-bench-fw-'));
  const node = process.execPath;
  const timeFile = path.join(work, 'time.txt');
  const out = { machine: { node: process.version, runs, burst }, single: {}, burst: {} };
  try {
    spawnSync(IP, ['link', 'set', 'lo', 'up']);
    for (const backend of ['nftables', 'ipset']) {
      flush();
      const { exe } = makeHome(work, backend);
      const alert = (action, index) => [node, exe, action, '-', address(index), `1795823765.${index}`, '5710', '/var/log/auth.log', '-'];
      const samples = { 'node -e 0': [], add: [], delete: [] };
      // Each round: node -e 0, a new address's add, its delete, in a random order of the
      // node run around the pair (the delete needs its add first).
      for (let run = 0; run < runs + 2; run += 1) {
        const pair = () => {
          const added = measure(alert('add', run), timeFile);
          const deleted = measure(alert('delete', run), timeFile);
          return [added, deleted];
        };
        let bare;
        let added;
        let deleted;
        if (Math.random() < 0.5) {
          bare = measure([node, '-e', '0'], timeFile);
          [added, deleted] = pair();
        } else {
          [added, deleted] = pair();
          bare = measure([node, '-e', '0'], timeFile);
        }
        if (run < 2) continue;
        samples['node -e 0'].push(bare);
        samples.add.push(added);
        samples.delete.push(deleted);
      }
      out.single[backend] = Object.fromEntries(Object.entries(samples).map(([name, list]) => [name, { wallMs: median(list.map((s) => s.wallMs)), rssMb: median(list.map((s) => s.rssMb)) }]));

      // The burst: 400 node -e 0 at once, then 400 blocking adds of distinct addresses, then their deletes.
      flush();
      const bare = await burstOf(() => [node, '-e', '0'], burst, work, `${backend}-bare`);
      const adds = await burstOf((index) => alert('add', 10_000 + index), burst, work, `${backend}-adds`);
      const elements = backend === 'nftables' ? nftElements('blocked4') : ipsetElements('geo_response4');
      const expected = new Set(Array.from({ length: burst }, (_, index) => address(10_000 + index)));
      const addsRight = elements.length === expected.size && elements.every((ip) => expected.has(ip));
      const deletes = await burstOf((index) => alert('delete', 10_000 + index), burst, work, `${backend}-deletes`);
      const left = backend === 'nftables' ? nftElements('blocked4') : ipsetElements('geo_response4');
      out.burst[backend] = { bare, adds, deletes, setRightAfterAdds: addsRight, setEmptyAfterDeletes: left.length === 0 };
    }
  } finally {
    flush();
    rmSync(work, { recursive: true, force: true });
  }
  return out;
}

/** The rows bench.mjs prints. */
export function formatFirewallRows(result) {
  if (result.skipped) return [`firewall rows skipped: ${result.skipped}`];
  const lines = [];
  for (const [backend, rows] of Object.entries(result.single)) {
    const base = rows['node -e 0'];
    for (const [name, m] of Object.entries(rows)) {
      lines.push(`${backend.padEnd(9)} ${name.padEnd(10)} ${m.wallMs.toFixed(1).padStart(7)} ms ${(m.wallMs / base.wallMs).toFixed(2).padStart(5)}×  ${m.rssMb.toFixed(1).padStart(6)} MB ${(m.rssMb / base.rssMb).toFixed(2).padStart(5)}×`);
    }
  }
  for (const [backend, b] of Object.entries(result.burst)) {
    const row = (name, m) =>
      `${backend} burst ${name}: ${m.wallMs.toFixed(0)} ms (${(m.wallMs / b.bare.wallMs).toFixed(2)}× ${result.machine.burst} node -e 0), peak memory ${m.peakMb === undefined ? 'not measured (no memory cgroup)' : `${m.peakMb.toFixed(0)} MB (${(m.peakMb / b.bare.peakMb).toFixed(2)}×)`}, ${result.machine.burst - m.failed}/${result.machine.burst} succeeded${m.firstFailure ? ` (first failure: ${m.firstFailure})` : ''}`;
    lines.push(row('node -e 0', b.bare), row('adds', b.adds), row('deletes', b.deletes), `${backend} burst: set exactly the ${result.machine.burst} addresses after the adds: ${b.setRightAfterAdds}; empty after the deletes: ${b.setEmptyAfterDeletes}`);
  }
  return lines;
}

if (process.argv[2] === '--inner') {
  process.stdout.write(JSON.stringify(await inner(Number(process.argv[3]), Number(process.argv[4]))));
} else if (process.argv[1] === SELF) {
  const result = benchFirewall({ runs: Number(process.env.BENCH_RUNS ?? 31), burst: Number(process.env.BENCH_BURST ?? 400) });
  for (const line of formatFirewallRows(result)) console.log(line);
}
