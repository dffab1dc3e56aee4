import { describe, expect, it } from 'vitest';
import { parseIpAddress } from '../src/geo/ip-address.js';
import { parseAction } from '../src/invocation/parse-action.js';
import { parseInvocation } from '../src/invocation/parse-invocation.js';
import { definedOnly, fieldAt, numberAt, stringAt, stringsAt } from '../src/invocation/json-fields.js';
import { parseJsonMessage } from '../src/invocation/parse-json-message.js';
import { isBlockEvent, isFailureEvent, type ReportEvent } from '../src/report/report-event.js';
import { CappedCounter, compareText, OTHER_KEY } from '../src/report/capped-counter.js';
import { GroupTable } from '../src/report/group-table.js';
import { matchesFilters, type ReportFilters } from '../src/report/report-filters.js';

// Unit-level edges of the pure core that the bundle tests reach only through a child process,
// where mutation testing cannot see them (found by `npm run mutation`): the refusal messages and
// codes, and each report filter on its own.

const thrown = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    const { message, code, kind } = error as { message: string; code: string; kind: string };
    return { message, code, kind };
  }
  throw new Error('did not throw');
};

describe('parseAction', () => {
  it.each([
    ['add', 'ossec', 'add'],
    ['delete', 'ossec', 'delete'],
    ['add', 'wazuh4', 'add'],
    ['delete', 'wazuh4', 'delete'],
    ['enable', 'wazuh5', 'add'],
    ['disable', 'wazuh5', 'delete'],
  ] as const)('%s (%s) is %s', (word, protocol, action) => {
    expect(parseAction(word, protocol)).toBe(action);
  });

  it.each([
    { word: 'enable', protocol: 'ossec', message: 'unknown action "enable": expected add or delete' },
    { word: 'add', protocol: 'wazuh5', message: 'unknown action "add": expected enable or disable' },
    { word: 'toString', protocol: 'wazuh4', message: 'unknown action "toString": expected add or delete' },
    { word: 42, protocol: 'wazuh4', message: 'unknown action 42: expected add or delete' },
    { word: undefined, protocol: 'wazuh4', message: 'unknown action undefined: expected add or delete' },
    // A JSON command ["add"] is not the word add, though it names the same property key.
    { word: ['add'], protocol: 'wazuh4', message: 'unknown action add: expected add or delete' },
    { word: 'a'.repeat(41), protocol: 'ossec', message: `unknown action "${'a'.repeat(40)}…": expected add or delete` },
  ] as const)('$word ($protocol) is refused', ({ word, protocol, message }) => {
    expect(thrown(() => parseAction(word, protocol))).toEqual({ message, code: 'UNKNOWN_ACTION', kind: 'usage' });
  });
});

describe('parseIpAddress refusals and IPv4-mapped edges', () => {
  it.each([
    { raw: '', why: 'empty', shown: '""' },
    { raw: '  ', why: 'empty', shown: '"  "' },
    { raw: '1'.repeat(65), why: '65 characters long', shown: `"${'1'.repeat(40)}…"` },
    { raw: '1'.repeat(64), why: 'not an IPv4 or IPv6 address', shown: `"${'1'.repeat(40)}…"` },
    { raw: 'x'.repeat(40), why: 'not an IPv4 or IPv6 address', shown: `"${'x'.repeat(40)}"` },
    { raw: 'fe80::1%eth0', why: 'not an IPv4 or IPv6 address', shown: '"fe80::1%eth0"' },
  ])('$raw is refused: $why', ({ raw, why, shown }) => {
    expect(thrown(() => parseIpAddress(raw))).toEqual({ message: `invalid source IP ${shown}: ${why}`, code: 'INVALID_IP', kind: 'input' });
  });

  it.each([
    ['::ffff:1.2.3.4', '1.2.3.4', 4],
    ['::1.2.3.4', '::102:304', 6],
    ['::fffe:1.2.3.4', '::fffe:102:304', 6],
    ['::feff:1.2.3.4', '::feff:102:304', 6],
    ['1::ffff:1.2.3.4', '1::ffff:102:304', 6],
  ] as const)('%s is %s (IPv%i)', (raw, text, family) => {
    expect(parseIpAddress(raw)).toMatchObject({ text, family });
  });
});

describe('parseJsonMessage', () => {
  it.each([
    ['{"command":"add"}', { command: 'add' }],
    ['{"d":"it\\x27s \\x21 \\x24HOME \\x60x\\x60"}', { d: "it's ! $HOME `x`" }],
    ['{"d":"\\\\x21"}', { d: '\\x21' }],
  ])('%s', (line, parsed) => {
    expect(parseJsonMessage(line)).toEqual(parsed);
  });

  it.each([
    ['null', 'stdin JSON is not an object'],
    ['[1]', 'stdin JSON is not an object'],
    ['"add"', 'stdin JSON is not an object'],
    ['7', 'stdin JSON is not an object'],
    ['{bad', /^stdin is not valid JSON: /],
    ['{"d":"\\x41"}', /^stdin is not valid JSON: /],
    // Still broken after the repair: the message is the original line's parse error.
    ['{"d":"\\x21" oops}', `stdin is not valid JSON: ${thrown(() => JSON.parse('{"d":"\\x21" oops}')).message}`],
  ])('%s is refused', (line, message) => {
    const error = thrown(() => parseJsonMessage(line));
    expect(error).toEqual({ message: typeof message === 'string' ? message : expect.stringMatching(message), code: 'INVALID_JSON', kind: 'input' });
  });
});

describe('report events', () => {
  const event = (extra: Partial<ReportEvent>): ReportEvent => ({ timeMs: 0, outcome: 'success', ip: '1.0.0.1', ...extra });

  it.each([
    ['add + block', event({ action: 'add', decision: 'block' }), true],
    ['delete + block', event({ action: 'delete', decision: 'block' }), false],
    ['add + allow', event({ action: 'add', decision: 'allow' }), false],
    ['add, no decision', event({ action: 'add' }), false],
    ['no action + block', event({ decision: 'block' }), false],
  ])('isBlockEvent: %s is %s', (_title, input, expected) => {
    expect(isBlockEvent(input)).toBe(expected);
  });

  it.each([
    ['success with an IP', event({}), false],
    ['failure with an IP', event({ outcome: 'failure' }), true],
    // An alert without an address is a skip (issue 13), recorded as a success when recorded at all.
    ['success without an IP (a skip)', event({ ip: undefined }), false],
    ['failure without an IP', event({ ip: undefined, outcome: 'failure' }), true],
    // A record without `event.outcome` is read as "unknown": without an address it had nothing to act on.
    ['unknown outcome without an IP', event({ ip: undefined, outcome: 'unknown' }), true],
    ['unknown outcome with an IP', event({ outcome: 'unknown' }), false],
  ])('isFailureEvent: %s is %s', (_title, input, expected) => {
    expect(isFailureEvent(input)).toBe(expected);
  });

  const none: ReportFilters = { countries: [], asns: [], decisions: [], rules: [], actions: [], agents: [] };
  const full = event({ countryCode: 'RU', asn: 4134, decision: 'block', ruleId: '5710', action: 'add' });
  it.each([
    ['no filter', {}, full, true],
    ['country RU', { countries: ['RU'] }, full, true],
    ['country CN', { countries: ['CN'] }, full, false],
    ['country RU, record without one', { countries: ['RU'] }, event({}), false],
    ['asn 4134', { asns: [4134] }, full, true],
    ['asn 1', { asns: [1] }, full, false],
    ['asn 4134, record without one', { asns: [4134] }, event({}), false],
    ['decision block', { decisions: ['block'] }, full, true],
    ['decision log', { decisions: ['log'] }, full, false],
    ['decision block, record without one', { decisions: ['block'] }, event({}), false],
    ['rule 5710', { rules: ['5710'] }, full, true],
    ['rule 1', { rules: ['1'] }, full, false],
    ['rule 5710, record without one', { rules: ['5710'] }, event({}), false],
    ['action add', { actions: ['add'] }, full, true],
    ['action delete', { actions: ['delete'] }, full, false],
    ['action add, record without one', { actions: ['add'] }, event({}), false],
  ] as const)('matchesFilters: %s → %s', (_title, filters, input, expected) => {
    expect(matchesFilters(input, { ...none, ...filters } as ReportFilters)).toBe(expected);
  });
});

describe('Wazuh 5 message: every field, and the OSSEC arguments built from it', () => {
  const message = {
    command: 'enable',
    wazuh: { active_response: { name: 'geo', type: 'stateful', stateful_timeout: 600, location: 'local', agent_id: '007' } },
    source: { ip: '1.2.3.4' },
    user: { name: 'root' },
    rule: { id: '5710', level: 5, description: 'sshd' },
    agent: { id: '001', name: 'web1' },
    event: { id: 'ev1' },
    parameters: { extra_args: ['-x'] },
  };

  it('all fields', () => {
    expect(parseInvocation({ args: [], stdinLine: JSON.stringify(message) })).toEqual({
      protocol: 'wazuh5',
      action: 'add',
      rawIp: '1.2.3.4',
      sourceUser: 'root',
      alertId: 'ev1',
      rule: { id: '5710', level: 5, description: 'sshd' },
      agent: { id: '007', name: 'web1' },
      location: 'local',
      extraArgs: ['-x'],
      statefulTimeoutSeconds: 600,
      ossecArgs: ['add', 'root', '1.2.3.4', 'ev1', '5710', 'local', '-'],
    });
  });

  it('only the required fields: dashes in the OSSEC arguments', () => {
    expect(parseInvocation({ args: [], stdinLine: JSON.stringify({ command: 'disable', source: { ip: '1.2.3.4' } }) })).toEqual({
      protocol: 'wazuh5',
      action: 'delete',
      rawIp: '1.2.3.4',
      extraArgs: [],
      ossecArgs: ['delete', '-', '1.2.3.4', '-', '-', '-', '-'],
    });
  });

  it('without source.ip is parsed with no address: a skip, not a refusal', () => {
    const parsed = parseInvocation({ args: [], stdinLine: JSON.stringify({ ...message, source: {} }) });
    expect(parsed.rawIp).toBeUndefined();
    expect(parsed.protocol).toBe('wazuh5');
  });
});

describe('JSON field readers', () => {
  const root = { a: { b: 'x', n: 7, s: '12', e: '', f: 1.5, inf: null, list: ['p', 3, 'q'], arr: [{ b: 'in array' }], t: true }, top: null };

  it.each([
    [['a', 'b'], 'x', 'x', undefined],
    [['a', 'n'], 7, '7', 7],
    [['a', 's'], '12', '12', 12],
    [['a', 'e'], '', undefined, undefined],
    [['a', 'f'], 1.5, '1.5', 1.5],
    [['a', 't'], true, undefined, undefined],
    [['a', 'inf'], null, undefined, undefined],
    [['a', 'arr', '0', 'b'], undefined, undefined, undefined],
    [['top', 'b'], undefined, undefined, undefined],
    [['a', 'b', 'length'], undefined, undefined, undefined],
    [['missing'], undefined, undefined, undefined],
  ] as const)('%j: field %j, string %j, number %j', (path, field, text, number) => {
    expect(fieldAt(root, path)).toEqual(field);
    expect(stringAt(root, path)).toBe(text);
    expect(numberAt(root, path)).toBe(number);
  });

  it.each([
    [{ v: 'a' }, 'a', undefined],
    [{ v: Infinity }, undefined, undefined],
    [{ v: NaN }, undefined, undefined],
    [{ v: '1e3' }, '1e3', undefined],
    [{ v: ' 12' }, ' 12', undefined],
    [{ v: '-3' }, '-3', undefined],
    // A one-element array would pass a digits-only regular expression after String(): not a number.
    [{ v: [7] }, undefined, undefined],
  ])('%j: string %j, number %j', (value, text, number) => {
    expect(stringAt(value, ['v'])).toBe(text);
    expect(numberAt(value, ['v'])).toBe(number);
  });

  it('stringsAt keeps only strings; anything but an array is empty', () => {
    expect(stringsAt(root, ['a', 'list'])).toEqual(['p', 'q']);
    expect(stringsAt(root, ['a', 'b'])).toEqual([]);
    expect(stringsAt(root, ['missing'])).toEqual([]);
  });

  it('definedOnly drops undefined keys, and is undefined when none is left', () => {
    expect(definedOnly({ a: 1, b: undefined, c: '', d: null })).toEqual({ a: 1, c: '', d: null });
    expect(Object.keys(definedOnly({ a: 1, b: undefined })!)).toEqual(['a']);
    expect(definedOnly({ a: undefined })).toBeUndefined();
    expect(definedOnly({})).toBeUndefined();
  });
});

describe('parseInvocation refusals, with their messages', () => {
  const wazuh4 = (alert: Record<string, unknown>) => JSON.stringify({ version: 1, origin: { name: 'n', module: 'wazuh-execd' }, command: 'add', parameters: { extra_args: [], alert } });
  const NO_ACTION = 'no action: expected OSSEC arguments (add|delete <user> <srcip> …) or an execd JSON message on stdin; got';
  it.each([
    { title: 'nothing at all', input: { args: [] }, error: { message: `${NO_ACTION} no arguments and nothing on stdin`, code: 'NO_ACTION', kind: 'usage' } },
    { title: 'a long unknown word', input: { args: ['w'.repeat(50)] }, error: { message: `${NO_ACTION} argument "${'w'.repeat(40)}" and nothing on stdin`, code: 'NO_ACTION', kind: 'usage' } },
    {
      title: 'JSON of neither protocol',
      input: { args: [], stdinLine: '{"hello":1}' },
      error: { message: 'stdin JSON is neither a Wazuh 4 message (version, command, parameters.alert) nor a Wazuh 5 one (command enable|disable, source.ip)', code: 'UNKNOWN_MESSAGE', kind: 'input' },
    },
    { title: 'OSSEC add too short', input: { args: ['add', '-'] }, error: { message: 'OSSEC arguments too short: expected "add <user> <srcip> <alertid> <ruleid> <location>", got 2 argument(s)', code: 'USAGE', kind: 'usage' } },
  ])('$title', ({ input, error }) => {
    expect(thrown(() => parseInvocation(input))).toEqual(error);
  });

  it('Wazuh 4 without srcip is parsed with no address: a skip, not a refusal', () => {
    expect(parseInvocation({ args: [], stdinLine: wazuh4({ data: {} }) }).rawIp).toBeUndefined();
  });

  it('Wazuh 4 with only a srcip: dashes in the OSSEC arguments; the agent address is read', () => {
    const parsed = parseInvocation({ args: [], stdinLine: wazuh4({ data: { srcip: '1.2.3.4' }, agent: { ip: '10.0.0.5' } }) });
    expect(parsed.ossecArgs).toEqual(['add', '-', '1.2.3.4', '-', '-', '-', '-']);
    expect(parsed.agent).toEqual({ ip: '10.0.0.5' });
  });
});

describe('report tables in bounded memory', () => {
  it('GroupTable: events, blocks, unique IPs, locations; the first label wins; groups past the cap go to (other), pairs past theirs make IP counts lower bounds', () => {
    const table = new GroupTable({ maxGroups: 2, maxPairs: 3, otherKey: OTHER_KEY });
    table.addEvent('RU', 'Russia', '1.0.0.1', true, 10, 20);
    table.addEvent('RU', 'Rossiya', '1.0.0.1', false, 30, 40);
    table.addEvent('RU', undefined, '1.0.0.2', true);
    table.addEvent('CN', 'China', '1.0.0.3', false, 5);
    table.addEvent('US', 'United States', '1.0.0.4', true, 1, 2);
    table.addEvent('DE', 'Germany', '1.0.0.5', false);
    table.addEvent('CN', 'China', '1.0.0.3', false, undefined, 7);
    const rows = table.toSortedEntries().map(([key, stats]) => [key, { ...stats, ips: [...stats.ips].sort() }]);
    expect(rows).toEqual([
      ['RU', { label: 'Russia', events: 3, blocks: 2, ips: ['1.0.0.1', '1.0.0.2'], latSum: 40, lonSum: 60, located: 2 }],
      [OTHER_KEY, { label: undefined, events: 2, blocks: 1, ips: [], latSum: 1, lonSum: 2, located: 1 }],
      ['CN', { label: 'China', events: 2, blocks: 0, ips: ['1.0.0.3'], latSum: 0, lonSum: 0, located: 0 }],
    ]);
    expect(table.pairsExact).toBe(false);
  });

  it('GroupTable: within both caps, counts are exact', () => {
    const table = new GroupTable({ maxGroups: 5, maxPairs: 5, otherKey: OTHER_KEY });
    for (const ip of ['a', 'b', 'a']) table.addEvent('X', undefined, ip, false);
    expect(table.pairsExact).toBe(true);
    expect(table.groups.get('X')!.ips.size).toBe(2);
  });

  it('GroupTable: an event without an IP (failed before it had a source) counts as an event but no IP, and takes no pair', () => {
    const table = new GroupTable({ maxGroups: 5, maxPairs: 1, otherKey: OTHER_KEY });
    table.addEvent('', undefined, undefined, false);
    table.addEvent('', undefined, '1.0.0.1', false);
    const stats = table.groups.get('')!;
    expect([stats.events, [...stats.ips], table.pairsExact]).toEqual([2, ['1.0.0.1'], true]);
  });

  it('CappedCounter: counts, (other) past the cap, largest first then by code point', () => {
    const counter = new CappedCounter(3);
    for (const key of ['b', 'a', 'b', 'C', 'd', 'e', 'a', 'b', 'e']) counter.addOne(key);
    // '(' sorts before 'b': the tie at 3 goes to (other).
    expect(counter.toSortedEntries()).toEqual([[OTHER_KEY, 3], ['b', 3], ['a', 2], ['C', 1]]);
  });

  it.each([
    ['a', 'b', -1],
    ['b', 'a', 1],
    ['a', 'a', 0],
    ['Z', 'a', -1],
    ['é', 'z', 1],
  ])('compareText(%j, %j) is %i', (a, b, expected) => {
    expect(compareText(a, b)).toBe(expected);
  });
});
