import { describe, expect, it } from 'vitest';
import { formatBlockState, MAX_STATE_BLOCKS, parseBlockState, pruneBlockState, recordAdd, recordDelete, remainingSeconds, type BlockState } from '../src/blocks/block-state.js';
import { joinBlocks } from '../src/blocks/join-blocks.js';
import { recordedAddress } from '../src/blocks/recorded-address.js';
import { renderBlocksTable } from '../src/blocks/render-blocks.js';
import { parseRichRules } from '../src/firewall/firewalld-backend.js';
import { parseIpsetSave } from '../src/firewall/ipset-backend.js';
import { parseIptablesRules } from '../src/firewall/iptables-backend.js';
import { nftablesBackend, parseNftSetJson, SPLIT_RESTORE_FROM } from '../src/firewall/nftables-backend.js';
import { executeConcurrently } from '../src/firewall/execute-plan.js';
import type { PlannedCommand, PlanStep } from '../src/firewall/firewall-types.js';
import { quoteCommand } from '../src/firewall/quote-command.js';
import { selectBackend } from '../src/firewall/select-backend.js';
import { parseIpAddress } from '../src/geo/ip-address.js';

// Restore plans hold only steps that run a command.
function commandOf(step: PlanStep): PlannedCommand {
  if (step.kind === 'verify') throw new Error('a restore plan holds a verify step');
  return step.command;
}

const NOW = Date.parse('2026-12-01T12:00:00.000Z');
// A command's stdin as text, whether the plan holds a string or bytes.
const inputText = (command: PlannedCommand) => (typeof command.input === 'string' ? command.input : Buffer.from(command.input ?? []).toString('latin1'));
const msOf = (iso: string | null) => (iso === null ? null : Date.parse(iso));
const entry = (ip: string, expires: string | null, backend = 'nftables') => ({ ip, backend, since_ms: Date.parse('2026-12-01T11:00:00.000Z'), expires_ms: msOf(expires) });

describe('block state', () => {
  const added = (ip: string, expires: string | null) => ({ ...entry(ip, expires), since_ms: NOW });
  it.each([
    { title: 'an add of a new address records since and expiry', state: { blocks: [] }, expire: 600, want: [added('1.0.0.1', '2026-12-01T12:10:00.000Z')] },
    { title: 'expire_seconds 0 records no expiry', state: { blocks: [] }, expire: 0, want: [added('1.0.0.1', null)] },
    {
      title: 'an add of an address already recorded keeps its first start and end',
      state: { blocks: [entry('1.0.0.1', '2026-12-01T13:00:00.000Z')] },
      expire: 600,
      want: [entry('1.0.0.1', '2026-12-01T13:00:00.000Z')],
    },
    {
      title: 'an add with another backend replaces the entry of the old one',
      state: { blocks: [entry('1.0.0.1', null, 'ipset')] },
      expire: 600,
      want: [added('1.0.0.1', '2026-12-01T12:10:00.000Z')],
    },
  ])('$title', ({ state, expire, want }) => {
    expect(recordAdd(state as BlockState, { ip: '1.0.0.1', backend: 'nftables', nowMs: NOW, expireSeconds: expire }).blocks).toEqual(want);
  });

  it('a delete drops the address, and only it', () => {
    const state = { blocks: [entry('1.0.0.1', null), entry('2a00::1', null)] };
    expect(recordDelete(state, '1.0.0.1').blocks.map((block) => block.ip)).toEqual(['2a00::1']);
    expect(recordDelete(state, '9.9.9.9')).toBe(state);
  });

  it.each([
    { expires: null, want: 0 },
    { expires: '2026-12-01T12:00:10.400Z', want: 10 },
    { expires: '2026-12-01T12:00:00.200Z', want: 1 },
    { expires: '2026-12-01T12:00:00.000Z', want: undefined },
    { expires: '2026-12-01T11:59:00.000Z', want: undefined },
  ])('remaining seconds until $expires: $want', ({ expires, want }) => {
    expect(remainingSeconds(entry('1.0.0.1', expires), NOW)).toBe(want);
  });

  it('pruning drops ended blocks and keeps at most MAX_STATE_BLOCKS, those that end last', () => {
    const many = Array.from({ length: MAX_STATE_BLOCKS + 2 }, (_, index) => entry(`10.${index >> 16}.${(index >> 8) & 255}.${index & 255}`, new Date(NOW + (index + 1) * 1000).toISOString()));
    const pruned = pruneBlockState({ blocks: [entry('9.9.9.9', '2026-12-01T11:00:00.000Z'), ...many] }, NOW);
    expect(pruned.blocks).toHaveLength(MAX_STATE_BLOCKS);
    expect(pruned.blocks.map((block) => block.ip)).not.toContain('9.9.9.9');
    expect(pruned.blocks.map((block) => block.ip)).not.toContain('10.0.0.0');
  });

  it('the file text round-trips, and entries of another shape are left out', () => {
    const state = { blocks: [entry('1.0.0.1', null), entry('2a00::1', '2026-12-01T13:00:00.000Z')] };
    const text = formatBlockState(state);
    expect(text.split('\n').slice(0, 2)).toEqual(['{"version":2,"columns":["ip","backend","since_ms","expires_ms"],"blocks":[', '["1.0.0.1","nftables",1796122800000,null],']);
    expect(parseBlockState(text)).toEqual(state);
    const good = '["1.0.0.2","ipset",1,2]';
    const bad = ['[1,"ipset",1,null]', '["1.0.0.1","ipset","x",null]', '["1.0.0.1","ipset",1]', '["1.0.0.1","ipset",1,null,5]', '["1.0.0.1","ipset",1,"2"]', '["1.0.0.1","ipset",1,1e300]', '["1.0.0.1","ipset",1e300,null]', '["1.0.0.1","ipset",-1,null]', '["1.0.0.1","ipset",1.5,null]', 'null', '{"ip":"1.0.0.1","backend":"ipset","since_ms":1,"expires_ms":null}'];
    expect(parseBlockState(`{"version":2,"columns":["ip","backend","since_ms","expires_ms"],"blocks":[${[...bad, good].join(',')}]}`).blocks).toEqual([{ ip: '1.0.0.2', backend: 'ipset', since_ms: 1, expires_ms: 2 }]);
    expect(() => parseBlockState('{"version":2,"columns":["ip","backend"],"blocks":[]}')).toThrow(/not a version 2 block state/);
    expect(() => parseBlockState('{"version":2,"blocks":[]}')).toThrow(/not a version 2 block state/);
    expect(() => parseBlockState('{"version":3,"columns":["ip","backend","since_ms","expires_ms"],"blocks":[]}')).toThrow(/not a version 2 block state/);
    expect(() => parseBlockState('[]')).toThrow();
    expect(() => parseBlockState('null')).toThrow(/not a version 2 block state/);
  });

  it('a version 1 file (ISO times, earlier builds) is read as the same blocks; its malformed entries are left out', () => {
    const text = '{"version":1,"blocks":[\n{"ip":"1.0.0.1","backend":"nftables","since":"2026-12-01T11:00:00.000Z","expires":"2026-12-01T13:00:00.000Z"},\n{"ip":"1.0.0.2","backend":"nftables","since":"2026-12-01T11:00:00.000Z","expires":null},\n{"ip":"1.0.0.3","backend":"ipset","since":"x","expires":null},\n{"ip":"1.0.0.4","backend":"ipset","since":"2026-12-01T11:00:00.000Z","expires":7}\n]}\n';
    expect(parseBlockState(text).blocks).toEqual([entry('1.0.0.1', '2026-12-01T13:00:00.000Z'), entry('1.0.0.2', null)]);
  });
});

describe('recorded addresses checked before they go into a batch', () => {
  it.each([
    { text: '1.0.0.1', want: { text: '1.0.0.1', family: 4 } },
    { text: '255.255.255.255', want: { text: '255.255.255.255', family: 4 } },
    { text: '0.0.0.0', want: { text: '0.0.0.0', family: 4 } },
    { text: '2a00:1450::1', want: { text: '2a00:1450::1', family: 6 } },
    { text: '256.0.0.1', want: undefined },
    { text: '01.0.0.1', want: undefined },
    { text: '1.0.0', want: undefined },
    { text: '1.0.0.1 ', want: undefined },
    { text: '1.0.0.1 }; flush ruleset; add element inet geo_response blocked4 { 1.0.0.2', want: undefined },
    { text: '2A00:1450::1', want: undefined },
    { text: '2a00:1450:0::1', want: undefined },
    { text: '::ffff:1.0.0.1', want: undefined },
    { text: 'fe80::1%eth0', want: undefined },
    { text: '', want: undefined },
  ])('$text', ({ text, want }) => {
    expect(recordedAddress(text)).toEqual(want);
  });
});

describe('listings read back from each firewall', () => {
  it.each([
    {
      title: 'nft -j list set: elements with and without a timeout',
      parse: parseNftSetJson,
      stdout: JSON.stringify({ nftables: [{ metainfo: {} }, { set: { name: 'blocked4', elem: ['1.0.0.9', { elem: { val: '1.0.0.1', timeout: 3600, expires: 3590 } }] } }] }),
      want: [{ ip: '1.0.0.9' }, { ip: '1.0.0.1', expiresInSeconds: 3590 }],
    },
    { title: 'nft -j list set: an empty set', parse: parseNftSetJson, stdout: JSON.stringify({ nftables: [{ set: { name: 'blocked6' } }] }), want: [] },
    {
      title: 'ipset save',
      parse: parseIpsetSave,
      stdout: 'create geo_response4 hash:ip family inet hashsize 1024 maxelem 65536 timeout 0\nadd geo_response4 1.0.0.1 timeout 3599\nadd geo_response4 1.0.0.9\n',
      want: [{ ip: '1.0.0.1', expiresInSeconds: 3599 }, { ip: '1.0.0.9' }],
    },
    {
      title: 'iptables -S GEO_RESPONSE',
      parse: parseIptablesRules,
      stdout: '-N GEO_RESPONSE\n-A GEO_RESPONSE -s 1.0.0.1/32 -j DROP\n-A GEO_RESPONSE -s 2a00:1450::1/128 -j DROP\n-A GEO_RESPONSE -s 1.0.0.2/32 -j ACCEPT\n',
      want: [{ ip: '1.0.0.1' }, { ip: '2a00:1450::1' }],
    },
    {
      title: 'firewall-cmd --list-rich-rules: only our rules',
      parse: parseRichRules,
      stdout: 'rule family="ipv4" source address="1.0.0.1" drop\nrule family="ipv4" source address="10.0.0.0/8" accept\nrule family="ipv6" source address="2a00:1450::1" drop\n',
      want: [{ ip: '1.0.0.1' }, { ip: '2a00:1450::1' }],
    },
  ])('$title', ({ parse, stdout, want }) => {
    expect(parse(stdout)).toEqual(want);
  });
});

describe('restore plans', () => {
  const entries = [
    { address: parseIpAddress('1.0.0.1'), remainingSeconds: 120 },
    { address: parseIpAddress('2a00:1450::1'), remainingSeconds: 0 },
  ];
  const plan = (backend: 'nftables' | 'ipset' | 'iptables' | 'firewalld') => selectBackend({ backend, expire_seconds: 60, dry_run: false })!.inventory!.planRestore(entries, 2);

  it('nftables: one batch on stdin with each element and the time it has left', () => {
    const [step, ...rest] = plan('nftables').steps;
    expect(rest).toEqual([]);
    expect(commandOf(step!).args).toEqual(['-f', '-']);
    expect(inputText(commandOf(step!))).toContain('add element inet geo_response blocked4 { 1.0.0.1 timeout 120s }');
    expect(inputText(commandOf(step!))).toContain('add element inet geo_response blocked6 { 2a00:1450::1 }');
    expect(quoteCommand(commandOf(step!))).toMatch(/^nft -f - <<< \(\d+ lines\)$/);
  });

  it.each([
    { title: `fewer than ${SPLIT_RESTORE_FROM} blocks: one transaction, whatever the cores`, count: SPLIT_RESTORE_FROM - 1, cores: 8, batches: 1 },
    { title: `${SPLIT_RESTORE_FROM} blocks on one core: one transaction`, count: SPLIT_RESTORE_FROM, cores: 1, batches: 1 },
    { title: `${SPLIT_RESTORE_FROM} blocks on two cores: two batches, run at once`, count: SPLIT_RESTORE_FROM, cores: 2, batches: 2 },
    { title: 'more cores: still two batches', count: SPLIT_RESTORE_FROM + 1, cores: 16, batches: 2 },
  ])('nftables: $title', ({ count, cores, batches }) => {
    const many = Array.from({ length: count }, (_, index) => ({ address: { text: `10.${index >> 16}.${(index >> 8) & 255}.${index & 255}`, family: 4 as const }, remainingSeconds: 60 }));
    const restore = nftablesBackend.inventory!.planRestore(many, cores);
    expect(restore.steps).toHaveLength(batches);
    expect(restore.concurrent).toBe(batches > 1);
    // Every element exactly once, and every batch a whole transaction with its own set-up.
    const elements = restore.steps.flatMap((step) => [...inputText(commandOf(step)).matchAll(/(10\.\d+\.\d+\.\d+) timeout 60s/g)].map((match) => match[1]));
    expect(elements).toEqual(many.map((entry) => entry.address.text));
    for (const step of restore.steps) expect(inputText(commandOf(step))).toMatch(/^add table inet geo_response\n/);
  });

  it('ipset: sets and match rules for each family, then one restore batch', () => {
    const steps = plan('ipset').steps;
    expect(commandOf(steps.at(-1)!)).toEqual({ program: 'ipset', args: ['restore', '-exist'], input: 'add geo_response4 1.0.0.1 timeout 120\nadd geo_response6 2a00:1450::1 timeout 0\n' });
    expect(steps.filter((step) => commandOf(step).args[0] === 'create').map((step) => commandOf(step).args[2])).toEqual(['geo_response4', 'geo_response6']);
  });

  it('iptables: the chain and jumps, then iptables-restore --noflush per family (rules carry no time)', () => {
    const restores = plan('iptables').steps.filter((step) => commandOf(step).program.endsWith('-restore'));
    expect(restores.map((step) => [commandOf(step).program, commandOf(step).input])).toEqual([
      ['iptables-restore', '*filter\n-A GEO_RESPONSE -s 1.0.0.1 -j DROP\nCOMMIT\n'],
      ['ip6tables-restore', '*filter\n-A GEO_RESPONSE -s 2a00:1450::1 -j DROP\nCOMMIT\n'],
    ]);
  });

  it('firewalld: each block queried then added with the time it has left', () => {
    const adds = plan('firewalld').steps.map((step) => commandOf(step).args);
    expect(adds).toEqual([['--add-rich-rule=rule family="ipv4" source address="1.0.0.1" drop', '--timeout=120s'], ['--add-rich-rule=rule family="ipv6" source address="2a00:1450::1" drop']]);
  });
});

describe('joining the firewall with the state and the geo log', () => {
  const state = { blocks: [entry('1.0.0.1', '2026-12-01T13:00:00.000Z'), entry('1.0.0.2', '2026-12-01T13:00:00.000Z'), entry('1.0.0.3', '2026-12-01T11:30:00.000Z')] };
  const reasons = new Map([['1.0.0.1', { timeMs: NOW - 1000, outcome: 'success', ip: '1.0.0.1', countryCode: 'RU', asn: 12389, ruleId: '5710', agentName: 'web\u001b[2J1', decisionReason: 'RU is in deny list' }]]);

  it('lists what the firewall holds, marks what no record explains, and names recorded blocks it lacks', () => {
    const view = joinBlocks({ backend: 'nftables', nativeExpiry: true, reportsExpiry: true, listed: [{ ip: '1.0.0.1', expiresInSeconds: 60 }, { ip: '9.9.9.9' }], state, reasons, nowMs: NOW });
    expect(view.blocks).toEqual([
      { ip: '1.0.0.1', country_iso_code: 'RU', as_number: 12389, since: '2026-12-01T11:00:00.000Z', expires: '2026-12-01T12:01:00.000Z', rule_id: '5710', agent_name: 'web\u001b[2J1', reason: 'RU is in deny list', recorded: true },
      { ip: '9.9.9.9', expires: null, recorded: false },
    ]);
    // 1.0.0.3 has ended: not missing, just over.
    expect(view.not_in_firewall).toEqual([{ ip: '1.0.0.2', since: '2026-12-01T11:00:00.000Z', expires: '2026-12-01T13:00:00.000Z' }]);
    const table = renderBlocksTable(view);
    expect(table).not.toContain('\u001b');
    expect(table).toContain('web?[2J1');
    expect(table).toMatch(/9\.9\.9\.9 .* not in the geo log/);
  });

  it.each([
    { title: 'an OSSEC location naming an agent', location: '(web1) 10.0.0.5->/var/log/secure', want: 'web1' },
    { title: 'a Wazuh agent without a fixed address', location: '(web2) any->/var/log/auth.log', want: 'web2' },
    { title: "the server's own log", location: '/var/log/secure', want: undefined },
  ])('the agent of a record without agent fields, from $title', ({ location, want }) => {
    const event = { timeMs: NOW, outcome: 'success', ip: '1.0.0.9', location };
    const view = joinBlocks({ backend: 'nftables', nativeExpiry: true, reportsExpiry: true, listed: [{ ip: '1.0.0.9' }], state: { blocks: [] }, reasons: new Map([['1.0.0.9', event]]), nowMs: NOW });
    expect(view.blocks[0]?.agent_name).toBe(want);
  });

  it.each([
    { title: 'iptables: never (no expiry of its own)', nativeExpiry: false, reportsExpiry: false, want: null },
    { title: 'firewalld: the recorded end (firewalld does not report it)', nativeExpiry: true, reportsExpiry: false, want: '2026-12-01T13:00:00.000Z' },
  ])('$title', ({ nativeExpiry, reportsExpiry, want }) => {
    const view = joinBlocks({ backend: 'x', nativeExpiry, reportsExpiry, listed: [{ ip: '1.0.0.1' }], state, reasons: new Map(), nowMs: NOW });
    expect(view.blocks[0]?.expires).toBe(want);
    if (!nativeExpiry) expect(renderBlocksTable(view)).toContain('x has no expiry of its own');
  });
});

describe('restore batches run at once', () => {
  const batch = (name: string): PlanStep => ({ kind: 'run', command: { program: '/usr/sbin/nft', args: ['-f', '-'], input: `${name}\n` }, effect: 'block', summary: `${name} in inet geo_response` });
  let running = 0;
  let mostAtOnce = 0;
  const runner = (failing: string | undefined, started: string[]) => async (command: PlannedCommand) => {
    started.push(inputText(command));
    running += 1;
    mostAtOnce = Math.max(mostAtOnce, running);
    await new Promise((resolve) => setTimeout(resolve, 20));
    running -= 1;
    return inputText(command) === `${failing}\n` ? { exitCode: 1, stdout: '', stderr: 'Error: Could not process rule: No buffer space available', timedOut: false } : { exitCode: 0, stdout: '', stderr: '', timedOut: false };
  };

  it('all succeed: blocked, every command listed', async () => {
    const started: string[] = [];
    const execution = await executeConcurrently([batch('a'), batch('b')], runner(undefined, started));
    expect(execution).toEqual({ ok: true, result: 'blocked', commands: ['/usr/sbin/nft -f - <<< (1 lines)', '/usr/sbin/nft -f - <<< (1 lines)'] });
    expect(started).toEqual(['a\n', 'b\n']);
    // The second started while the first was still running.
    expect(mostAtOnce).toBe(2);
  });

  it('one fails: the error names it, and what the other applied is left in place', async () => {
    const execution = await executeConcurrently([batch('a'), batch('b')], runner('b', []));
    expect(execution.ok).toBe(false);
    if (execution.ok) return;
    expect(execution.error.message).toContain('No buffer space available');
    expect(execution.stateLeft).toBe('left in place: a in inet geo_response');
  });

  it('all fail: nothing was changed', async () => {
    const execution = await executeConcurrently([batch('a')], runner('a', []));
    expect(execution.ok === false && execution.stateLeft).toBe('nothing was changed');
  });
});
