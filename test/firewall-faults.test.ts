import { describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyFirewall, FirewallCommandError, type FirewallRequest } from '../src/firewall/index.js';
import { parseIpAddress } from '../src/geo/ip-address.js';
import type { FirewallConfig } from '../src/policy/config-schema.js';
import { createFakeBinDir } from './support/fake-bin.js';
import { createNetns, deleteNetns, execInNetns, whyNoNetns } from './support/netns.js';

const IPTABLES_ABSENT = { when: '-C', exitCode: 1, stderr: 'iptables: Bad rule (does a matching rule exist in that chain?).' };
const TIMEOUT_MS = 500;

function request(action: 'add' | 'delete', ip = '1.0.0.1'): FirewallRequest {
  return { action, address: parseIpAddress(ip), decision: 'block', expireSeconds: 60, ossecArgs: [action, '-', ip, '1.1', '5710', '/var/log/auth.log', '-'] };
}
function config(backend: FirewallConfig['backend'], extra: Partial<FirewallConfig> = {}): FirewallConfig {
  return { backend, expire_seconds: 60, dry_run: false, ...extra };
}
const lockDir = () => mkdtempSync(join(tmpdir(), 'gr-fw-lock-'));

describe('firewall faults', () => {
  it('a missing binary (ipset without ip6tables) fails before anything runs', async () => {
    const fake = createFakeBinDir({ ipset: [] });
    const outcome = await applyFirewall(request('add', '2a00:1450::1'), config('ipset'), { env: {}, binDirs: [fake.dir], lockDir: lockDir() });
    expect(outcome.fields.result).toBe('failed');
    expect(outcome.error?.code).toBe('FIREWALL_BINARY_MISSING');
    expect(outcome.fields.error).toMatch(/ip6tables not found in .*; nothing was changed$/);
    expect(fake.calls()).toEqual([]);
  });

  it('a command that exits non-zero mid-plan fails with its command line, exit code and stderr, and its earlier changes are undone', async () => {
    const fake = createFakeBinDir({ iptables: [{ when: '-A', exitCode: 4, stderr: 'iptables: Resource temporarily unavailable.' }, IPTABLES_ABSENT] });
    const outcome = await applyFirewall(request('add'), config('iptables'), { env: {}, binDirs: [fake.dir], lockDir: lockDir() });
    expect(outcome.fields.result).toBe('failed');
    const error = outcome.error as FirewallCommandError;
    expect(error).toBeInstanceOf(FirewallCommandError);
    expect(error.kind).toBe('command');
    expect(error.commandLine).toBe(`${fake.dir}/iptables -w -A GEO_RESPONSE -s 1.0.0.1 -j DROP`);
    expect(error.exitCode).toBe(4);
    expect(error.stderr).toBe('iptables: Resource temporarily unavailable.');
    expect(outcome.fields.error).toBe(
      `firewall command failed: ${fake.dir}/iptables -w -A GEO_RESPONSE -s 1.0.0.1 -j DROP exited 4: iptables: Resource temporarily unavailable.; undid 3 change(s); nothing left changed`,
    );
    // The undo ran in reverse: jumps removed, chain deleted.
    expect(fake.calls().slice(-3)).toEqual([
      ['iptables', '-w', '-D', 'FORWARD', '-j', 'GEO_RESPONSE'],
      ['iptables', '-w', '-D', 'INPUT', '-j', 'GEO_RESPONSE'],
      ['iptables', '-w', '-X', 'GEO_RESPONSE'],
    ]);
  });

  it('a command that hangs past the timeout fails and nothing runs after it', async () => {
    const fake = createFakeBinDir({ nft: [{ hang: true }] });
    const outcome = await applyFirewall(request('add'), config('nftables'), { env: {}, binDirs: [fake.dir], lockDir: lockDir(), timeoutMs: TIMEOUT_MS });
    expect(outcome.fields.result).toBe('failed');
    expect(outcome.error?.code).toBe('FIREWALL_COMMAND_TIMEOUT');
    expect(outcome.fields.error).toMatch(/^firewall command failed: \S+\/nft 'add table inet geo_response; .*; create element inet geo_response blocked4 \{ 1\.0\.0\.1 timeout 60s \}' timed out after 500 ms \(its process group was killed\); nothing was changed$/);
    expect(fake.calls()).toHaveLength(1);
  });

  it('a probe that fails for another reason (no permission) is not taken as "absent"', async () => {
    const fake = createFakeBinDir({ nft: [{ exitCode: 1, stderr: 'Error: Could not process rule: Operation not permitted' }] });
    const outcome = await applyFirewall(request('delete'), config('nftables'), { env: {}, binDirs: [fake.dir], lockDir: lockDir() });
    expect(outcome.fields.result).toBe('failed');
    expect(outcome.fields.error).toContain('exited 1: Error: Could not process rule: Operation not permitted; nothing was changed');
    expect(fake.calls()).toHaveLength(1);
  });

  // iptables checks then changes: it takes the lock (nftables and ipset need none, below).
  it('a lock held by a live invocation makes the request fail after the wait, running nothing', async () => {
    const dir = lockDir();
    writeFileSync(join(dir, 'firewall.lock'), `${process.pid} held-by-test\n`);
    const fake = createFakeBinDir({ iptables: [IPTABLES_ABSENT] });
    const outcome = await applyFirewall(request('add'), config('iptables'), { env: {}, binDirs: [fake.dir], lockDir: dir, lockTimeoutMs: 200 });
    expect(outcome.fields.result).toBe('failed');
    expect(outcome.error?.code).toBe('FIREWALL_LOCK_FAILED');
    expect(fake.calls()).toEqual([]);
  });

  it('a stale lock left by a killed invocation is broken and the request goes through', async () => {
    const dir = lockDir();
    // pid 2^22+1 is above Linux's pid_max ceiling, so no live process has it.
    writeFileSync(join(dir, 'firewall.lock'), '4194305 killed\n');
    const fake = createFakeBinDir({ iptables: [IPTABLES_ABSENT] });
    const outcome = await applyFirewall(request('add'), config('iptables'), { env: {}, binDirs: [fake.dir], lockDir: dir, lockTimeoutMs: 2_000 });
    expect(outcome.fields.result).toBe('blocked');
    expect(fake.calls()).toContainEqual(['iptables', '-w', '-A', 'GEO_RESPONSE', '-s', '1.0.0.1', '-j', 'DROP']);
  });

  it('nftables takes no lock: one held by a live invocation does not hold up a block or an unblock', async () => {
    const dir = lockDir();
    writeFileSync(join(dir, 'firewall.lock'), `${process.pid} held-by-test\n`);
    const fake = createFakeBinDir({ nft: [] });
    for (const action of ['add', 'delete'] as const) {
      const outcome = await applyFirewall(request(action), config('nftables'), { env: {}, binDirs: [fake.dir], lockDir: dir, lockTimeoutMs: 200 });
      expect(outcome.fields.result).toBe(action === 'add' ? 'blocked' : 'unblocked');
    }
    expect(fake.calls().map((call) => call[1]?.split('; ').at(-1))).toEqual(['create element inet geo_response blocked4 { 1.0.0.1 timeout 60s }', 'delete element inet geo_response blocked4 { 1.0.0.1 }']);
  });
});

// nft's "File exists" comes from the element already in the set (a second add: nothing to do) and
// from a set or chain someone made with other properties (a failure): the probe tells them apart.
describe('nftables: one batch per add, and what its refusal means', () => {
  const EXISTS = { when: 'create element', exitCode: 1, stderr: 'Error: Could not process rule: File exists' };
  it('the element is there: already blocked, the first expiry kept, nothing undone', async () => {
    const fake = createFakeBinDir({ nft: [EXISTS] });
    const outcome = await applyFirewall(request('add'), config('nftables'), { env: {}, binDirs: [fake.dir], lockDir: lockDir() });
    expect(outcome.fields.result).toBe('already-blocked');
    expect(fake.calls().map((call) => call[1]?.split('; ').at(-1))).toEqual(['create element inet geo_response blocked4 { 1.0.0.1 timeout 60s }', 'get element inet geo_response blocked4 { 1.0.0.1 }']);
  });

  it('the element is not there (a set made elsewhere with other flags): the batch failed, with its own error', async () => {
    const fake = createFakeBinDir({ nft: [{ when: 'get element', exitCode: 1, stderr: 'Error: No such file or directory' }, EXISTS] });
    const outcome = await applyFirewall(request('add'), config('nftables'), { env: {}, binDirs: [fake.dir], lockDir: lockDir() });
    expect(outcome.fields.result).toBe('failed');
    expect(outcome.fields.error).toMatch(/create element inet geo_response blocked4 \{ 1\.0\.0\.1 timeout 60s \}' exited 1: Error: Could not process rule: File exists; nothing was changed$/);
  });

  it('the probe cannot answer: the batch failed, never taken as already blocked', async () => {
    const fake = createFakeBinDir({ nft: [{ when: 'get element', exitCode: 1, stderr: 'Error: Operation not permitted' }, EXISTS] });
    const outcome = await applyFirewall(request('add'), config('nftables'), { env: {}, binDirs: [fake.dir], lockDir: lockDir() });
    expect(outcome.fields.result).toBe('failed');
  });

  it('a delete of what is not there ("No such file or directory") is a success that changed nothing', async () => {
    const fake = createFakeBinDir({ nft: [{ exitCode: 1, stderr: 'Error: Could not process rule: No such file or directory' }] });
    const outcome = await applyFirewall(request('delete'), config('nftables'), { env: {}, binDirs: [fake.dir], lockDir: lockDir() });
    expect(outcome.fields.result).toBe('not-blocked');
    expect(fake.calls()).toHaveLength(1);
  });
});

describe('a lock file without a pid (an older version, a damaged disk)', () => {
  it.each([
    { title: 'a fresh empty lock is respected', ageMs: 0, result: 'failed' },
    { title: 'an old empty lock is broken and the request goes through', ageMs: 60_000, result: 'blocked' },
  ])('$title', async ({ ageMs, result }) => {
    const dir = lockDir();
    const path = join(dir, 'firewall.lock');
    writeFileSync(path, '');
    const then = new Date(Date.now() - ageMs);
    utimesSync(path, then, then);
    const fake = createFakeBinDir({ iptables: [IPTABLES_ABSENT] });
    const outcome = await applyFirewall(request('add'), config('iptables'), { env: {}, binDirs: [fake.dir], lockDir: dir, lockTimeoutMs: 300 });
    expect(outcome.fields.result).toBe(result);
    expect(fake.calls().length > 0).toBe(result === 'blocked');
  });
});

describe('command backend with a real script', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gr-fw-cmd-'));
  const record = join(dir, 'args.log');
  const script = join(dir, 'firewall-drop.sh');
  writeFileSync(script, `#!/bin/sh\nprintf '%s|' "$@" >> '${record}'\nprintf '\\n' >> '${record}'\n[ "$FAIL" = "" ] || { echo "cannot block: $FAIL" >&2; exit 3; }\n`);
  chmodSync(script, 0o755);

  it('add and delete hand the script the OSSEC arguments, no shell in between', async () => {
    const ip = '1.0.0.1';
    const add = await applyFirewall(request('add', ip), config('command', { command: [script, 'extra arg'] }), { env: {} });
    const del = await applyFirewall(request('delete', ip), config('command', { command: [script, 'extra arg'] }), { env: {} });
    expect([add.fields.result, del.fields.result]).toEqual(['blocked', 'unblocked']);
    expect(add.fields.expire_seconds).toBeUndefined();
    expect(readFileSync(record, 'utf8')).toBe('extra arg|add|-|1.0.0.1|1.1|5710|/var/log/auth.log|-|\nextra arg|delete|-|1.0.0.1|1.1|5710|/var/log/auth.log|-|\n');
  });

  it('a script that exits non-zero is a failed outcome with its stderr', async () => {
    const outcome = await applyFirewall(request('add'), config('command', { command: [script] }), { env: { FAIL: 'disk full' } });
    expect(outcome.fields.result).toBe('failed');
    expect(outcome.fields.error).toContain('exited 3: cannot block: disk full; nothing was changed');
  });

  it('a script that does not exist fails before running anything', async () => {
    const outcome = await applyFirewall(request('add'), config('command', { command: [join(dir, 'missing.sh')] }), { env: {} });
    expect(outcome.error?.code).toBe('FIREWALL_BINARY_MISSING');
  });
});

const skip = whyNoNetns(['ip', 'iptables']);
describe.skipIf(skip !== undefined)(`real iptables failing mid-plan leaves no partial state${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('the chain and jumps made before the failing -A are removed again', async () => {
    const ns = createNetns('part');
    try {
      const bin = mkdtempSync(join(tmpdir(), 'gr-fw-bin-'));
      // Real iptables inside the namespace, except that adding the block itself fails.
      writeFileSync(join(bin, 'iptables'), `#!/bin/sh\ncase " $* " in *" -A GEO_RESPONSE "*) echo "iptables: injected failure" >&2; exit 4;; esac\nexec /usr/sbin/ip netns exec '${ns}' /usr/sbin/iptables "$@"\n`);
      chmodSync(join(bin, 'iptables'), 0o755);
      const outcome = await applyFirewall(request('add'), config('iptables'), { env: {}, binDirs: [bin], lockDir: lockDir() });
      expect(outcome.fields.result).toBe('failed');
      expect(outcome.fields.error).toMatch(/exited 4: iptables: injected failure; undid 3 change\(s\); nothing left changed$/);
      expect(execInNetns(ns, 'iptables', ['-w', '-S']).stdout).not.toContain('GEO_RESPONSE');
    } finally {
      deleteNetns(ns);
    }
  });
});

// ipset's alert reads both match rules from one iptables-save listing; anything short of both
// sends it to the set-up under the lock, never to a block that no rule would enforce.
describe('ipset: the match rules read from one listing', () => {
  const SAVED = (rules: string[]) => ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ...rules, 'COMMIT'].join('\n');
  const INPUT_RULE = '-A INPUT -m set --match-set geo_response4 src -j DROP';
  const FORWARD_RULE = '-A FORWARD -m set --match-set geo_response4 src -j DROP';
  const run = async (listing: string) => {
    const fake = createFakeBinDir({ 'iptables-save': [{ stdout: listing }], iptables: [IPTABLES_ABSENT], ipset: [{ when: 'test geo_response4', exitCode: 1, stderr: 'ipset v7.17: Warning: 1.0.0.1 is NOT in set geo_response4.' }], ip6tables: [], 'ip6tables-save': [] });
    const outcome = await applyFirewall(request('add'), config('ipset'), { env: {}, binDirs: [fake.dir], lockDir: lockDir() });
    return { outcome, calls: fake.calls().map((call) => call.slice(0, 4).join(' ')) };
  };

  it('both there (in any order, among other rules): one ipset add, nothing else', async () => {
    const { outcome, calls } = await run(SAVED(['-A INPUT -p tcp --dport 22 -j ACCEPT', FORWARD_RULE, INPUT_RULE]));
    expect(outcome.fields.result).toBe('blocked');
    expect(calls).toEqual(['iptables-save -t filter', 'ipset add geo_response4 1.0.0.1']);
  });

  it.each([
    ['only the INPUT rule', [INPUT_RULE]],
    ['a rule that only looks like it (another set)', [INPUT_RULE, '-A FORWARD -m set --match-set geo_response4x src -j DROP']],
    ['none', []],
  ])('%s: the whole set-up runs, rules checked then inserted', async (_title, rules) => {
    const { outcome, calls } = await run(SAVED(rules));
    expect(outcome.fields.result).toBe('blocked');
    expect(calls[0]).toBe('iptables-save -t filter');
    expect(calls).toContain('ipset create -exist geo_response4');
    expect(calls).toContain('iptables -w -I INPUT');
    expect(calls).toContain('iptables -w -I FORWARD');
  });
});
