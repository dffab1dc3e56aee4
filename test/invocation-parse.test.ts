import { describe, expect, it } from 'vitest';
import { parseInvocation } from '../src/invocation/parse-invocation';
import { parseOssecArgs } from '../src/invocation/parse-ossec-args';
import { parseAgentLocation } from '../src/invocation/parse-agent-location';
import { undoWazuh42Escapes } from '../src/invocation/wazuh42-escapes';
import { GeoResponseError } from '../src/errors';

const wazuh4 = (overrides: Record<string, unknown> = {}, alert: Record<string, unknown> = {}) =>
  JSON.stringify({
    version: 1,
    origin: { name: 'node01', module: 'wazuh-execd' },
    command: 'add',
    parameters: { extra_args: ['-x'], alert: { id: '1.2', rule: { id: '5763', level: '10', description: 'd' }, agent: { id: '001', name: 'web01' }, data: { srcip: '1.2.3.4', srcuser: 'bob' }, location: '/var/log/auth.log', ...alert } },
    ...overrides,
  });

describe('parseInvocation', () => {
  it.each([
    {
      title: 'OSSEC add with filename',
      args: 'add - 1.2.3.4 1795823765.1 5710 /var/log/auth.log -'.split(' '),
      expected: { protocol: 'ossec', action: 'add', rawIp: '1.2.3.4', alertId: '1795823765.1', rule: { id: '5710' }, location: '/var/log/auth.log', extraArgs: [] },
    },
    {
      title: 'OSSEC old execd without filename',
      args: 'delete root 1.2.3.4 1.1 5710 /var/log/secure'.split(' '),
      expected: { protocol: 'ossec', action: 'delete', rawIp: '1.2.3.4', targetUser: 'root', alertId: '1.1', rule: { id: '5710' }, location: '/var/log/secure', extraArgs: [] },
    },
    {
      title: 'OSSEC agent location split in two, with filename',
      args: 'add admin 1.2.3.4 1.1 5712 (web1) 10.0.0.5->/var/log/secure -'.split(' '),
      expected: { protocol: 'ossec', action: 'add', rawIp: '1.2.3.4', targetUser: 'admin', alertId: '1.1', rule: { id: '5712' }, agent: { name: 'web1', ip: '10.0.0.5' }, location: '(web1) 10.0.0.5->/var/log/secure', extraArgs: [] },
    },
    {
      title: 'OSSEC agent location split in two, old execd without filename',
      args: 'add admin 1.2.3.4 1.1 5712 (web1) 10.0.0.5->/var/log/secure'.split(' '),
      expected: { protocol: 'ossec', action: 'add', rawIp: '1.2.3.4', targetUser: 'admin', alertId: '1.1', rule: { id: '5712' }, agent: { name: 'web1', ip: '10.0.0.5' }, location: '(web1) 10.0.0.5->/var/log/secure', extraArgs: [] },
    },
    // Wazuh 4.0/4.1 (analysisd's exec.c, v4.1.5): "… location filename extra_args", `-` for none.
    {
      title: 'Wazuh 4.1 argv: location, filename -, extra args -',
      args: 'add - 1.2.3.4 1618387200.1234 5710 /var/log/auth.log - -'.split(' '),
      expected: { protocol: 'ossec', action: 'add', rawIp: '1.2.3.4', alertId: '1618387200.1234', rule: { id: '5710' }, location: '/var/log/auth.log', extraArgs: [] },
    },
    {
      title: 'Wazuh 4.1 argv: agent location in two words, filename -, extra args -',
      args: 'delete root 1.2.3.4 1.1 5712 (web1) 10.0.0.5->/var/log/secure - -'.split(' '),
      expected: { protocol: 'ossec', action: 'delete', rawIp: '1.2.3.4', targetUser: 'root', alertId: '1.1', rule: { id: '5712' }, agent: { name: 'web1', ip: '10.0.0.5' }, location: '(web1) 10.0.0.5->/var/log/secure', extraArgs: [] },
    },
    {
      title: 'Wazuh 4.1 argv: extra args of two words',
      args: 'add - 1.2.3.4 1.1 5710 /var/log/auth.log - --table geo'.split(' '),
      expected: { protocol: 'ossec', action: 'add', rawIp: '1.2.3.4', alertId: '1.1', rule: { id: '5710' }, location: '/var/log/auth.log', extraArgs: ['--table', 'geo'] },
    },
    {
      title: 'OSSEC agent execd: location in two words, filename (null)',
      args: 'add - 1.2.3.4 1.1 5712 (agent1) 127.0.0.1->/var/log/auth.log (null)'.split(' '),
      expected: { protocol: 'ossec', action: 'add', rawIp: '1.2.3.4', alertId: '1.1', rule: { id: '5712' }, agent: { name: 'agent1', ip: '127.0.0.1' }, location: '(agent1) 127.0.0.1->/var/log/auth.log', extraArgs: [] },
    },
    {
      title: 'OSSEC with only action user srcip',
      args: ['add', '-', '1.2.3.4'],
      expected: { protocol: 'ossec', action: 'add', rawIp: '1.2.3.4', extraArgs: [] },
    },
    // A command without <expect>srcip</expect>: execd writes `-` for the address.
    {
      title: 'OSSEC srcip -: no address',
      args: 'add root - 1.1 550 syscheck -'.split(' '),
      expected: { protocol: 'ossec', action: 'add', targetUser: 'root', alertId: '1.1', rule: { id: '550' }, location: 'syscheck', extraArgs: [] },
    },
    {
      title: 'OSSEC with a real filename: passed on as the extra argument',
      args: 'add - 1.2.3.4 1.1 550 syscheck /etc/passwd'.split(' '),
      expected: { protocol: 'ossec', action: 'add', rawIp: '1.2.3.4', alertId: '1.1', rule: { id: '550' }, location: 'syscheck', extraArgs: ['/etc/passwd'] },
    },
    {
      title: 'OSSEC empty user, alert id and rule id: absent',
      args: ['add', '', '1.2.3.4', '', '', '/var/log/secure'],
      expected: { protocol: 'ossec', action: 'add', rawIp: '1.2.3.4', location: '/var/log/secure', extraArgs: [] },
    },
    // The location is never empty: a first word `-` is the location, not Wazuh 4.1's filename.
    {
      title: 'OSSEC location itself -, filename -',
      args: 'add - 1.2.3.4 1.1 5710 - -'.split(' '),
      expected: { protocol: 'ossec', action: 'add', rawIp: '1.2.3.4', alertId: '1.1', rule: { id: '5710' }, location: '-', extraArgs: [] },
    },
    {
      title: 'Wazuh 4.1 argv: extra args of one word',
      args: 'add - 1.2.3.4 1.1 5710 /var/log/auth.log - geo'.split(' '),
      expected: { protocol: 'ossec', action: 'add', rawIp: '1.2.3.4', alertId: '1.1', rule: { id: '5710' }, location: '/var/log/auth.log', extraArgs: ['geo'] },
    },
    // Only a lone `-` means "no extra arguments"; as the first of several it is an argument.
    {
      title: 'Wazuh 4.1 argv: extra args - geo',
      args: 'add - 1.2.3.4 1.1 5710 /var/log/auth.log - - geo'.split(' '),
      expected: { protocol: 'ossec', action: 'add', rawIp: '1.2.3.4', alertId: '1.1', rule: { id: '5710' }, location: '/var/log/auth.log', extraArgs: ['-', 'geo'] },
    },
  ])('$title', ({ args, expected }) => {
    const parsed = parseInvocation({ args });
    expect(parsed).toEqual({ ...expected, ossecArgs: args });
  });

  it.each([
    {
      title: 'Wazuh 4 add with srcuser, numeric-string level',
      line: wazuh4(),
      expected: { protocol: 'wazuh4', action: 'add', rawIp: '1.2.3.4', sourceUser: 'bob', alertId: '1.2', rule: { id: '5763', level: 10, description: 'd' }, agent: { id: '001', name: 'web01' }, location: '/var/log/auth.log', extraArgs: ['-x'] },
    },
    {
      title: 'Wazuh 4 Windows event with win.eventdata.ipAddress',
      line: wazuh4({}, { data: { win: { eventdata: { ipAddress: '5.6.7.8' } } } }),
      expected: { protocol: 'wazuh4', action: 'add', rawIp: '5.6.7.8', alertId: '1.2', rule: { id: '5763', level: 10, description: 'd' }, agent: { id: '001', name: 'web01' }, location: '/var/log/auth.log', extraArgs: ['-x'] },
    },
    {
      title: 'Wazuh 4 Windows event with only win.eventdata.destinationIp',
      line: wazuh4({}, { data: { win: { eventdata: { destinationIp: '5.6.7.9' } } } }),
      expected: { protocol: 'wazuh4', action: 'add', rawIp: '5.6.7.9', alertId: '1.2', rule: { id: '5763', level: 10, description: 'd' }, agent: { id: '001', name: 'web01' }, location: '/var/log/auth.log', extraArgs: ['-x'] },
    },
    {
      title: 'Wazuh 4 manager-escaped (4.2.0–4.2.4 agents) user, description and location',
      line: wazuh4({}, { rule: { id: '5763', description: 'd\\x21' }, data: { srcip: '1.2.3.4', dstuser: 'o\\x27brien\\x24\\x21\\x60x' }, location: '/tmp/a\\x24b' }),
      expected: { protocol: 'wazuh4', action: 'add', rawIp: '1.2.3.4', targetUser: "o'brien$!`x", alertId: '1.2', rule: { id: '5763', description: 'd!' }, agent: { id: '001', name: 'web01' }, location: '/tmp/a$b', extraArgs: ['-x'] },
    },
    {
      title: 'Wazuh 4 with rule groups',
      line: wazuh4({}, { rule: { id: '5710', groups: ['syslog', 'sshd', 7, 'authentication_failed'] } }),
      expected: { protocol: 'wazuh4', action: 'add', rawIp: '1.2.3.4', sourceUser: 'bob', alertId: '1.2', rule: { id: '5710' }, ruleGroups: ['syslog', 'sshd', 'authentication_failed'], agent: { id: '001', name: 'web01' }, location: '/var/log/auth.log', extraArgs: ['-x'] },
    },
    {
      title: 'Wazuh 5 with rule groups',
      line: JSON.stringify({ command: 'enable', wazuh: { active_response: { type: 'stateless' } }, rule: { id: '5710', groups: ['sshd', 'authentication_failed'] }, source: { ip: '1.2.3.4' } }),
      expected: { protocol: 'wazuh5', action: 'add', rawIp: '1.2.3.4', rule: { id: '5710' }, ruleGroups: ['sshd', 'authentication_failed'], extraArgs: [] },
    },
    // The command word alone makes a Wazuh 5 message (wazuh.active_response is optional).
    {
      title: 'Wazuh 5 enable without wazuh.active_response',
      line: JSON.stringify({ command: 'enable', source: { ip: '1.2.3.4' } }),
      expected: { protocol: 'wazuh5', action: 'add', rawIp: '1.2.3.4', extraArgs: [] },
    },
    {
      title: 'Wazuh 5 disable, stateful with timeout',
      line: JSON.stringify({ command: 'disable', wazuh: { active_response: { name: 'geo-response', type: 'stateful', stateful_timeout: 600, location: 'local', agent_id: '007' } }, source: { ip: '2a02:cf40::1' }, user: { name: 'root' }, parameters: { extra_args: ['a'] } }),
      expected: { protocol: 'wazuh5', action: 'delete', rawIp: '2a02:cf40::1', sourceUser: 'root', agent: { id: '007' }, location: 'local', extraArgs: ['a'], statefulTimeoutSeconds: 600 },
    },
    {
      title: 'Wazuh 5 stateless: no timeout carried',
      line: JSON.stringify({ command: 'enable', wazuh: { active_response: { type: 'stateless', stateful_timeout: 600 } }, source: { ip: '1.2.3.4' } }),
      expected: { protocol: 'wazuh5', action: 'add', rawIp: '1.2.3.4', extraArgs: [] },
    },
    {
      title: 'Wazuh 5 stateful with an unusable timeout (fraction): the configured expiry applies',
      line: JSON.stringify({ command: 'enable', wazuh: { active_response: { type: 'stateful', stateful_timeout: 1.5 } }, source: { ip: '1.2.3.4' } }),
      expected: { protocol: 'wazuh5', action: 'add', rawIp: '1.2.3.4', extraArgs: [] },
    },
    {
      title: 'Wazuh 5 stateful with an unusable timeout (too large)',
      line: JSON.stringify({ command: 'enable', wazuh: { active_response: { type: 'stateful', stateful_timeout: '99999999999' } }, source: { ip: '1.2.3.4' } }),
      expected: { protocol: 'wazuh5', action: 'add', rawIp: '1.2.3.4', extraArgs: [] },
    },
    // The timeout bounds: 1 s and MAX_EXPIRE_SECONDS (2147483, what ipset and nft take) are usable, 0 and one more are not.
    ...([[1, true], [2147483, true], [0, false], [2147484, false]] as const).map(([timeout, usable]) => ({
      title: `Wazuh 5 stateful_timeout ${timeout}: ${usable ? 'carried' : 'not carried'}`,
      line: JSON.stringify({ command: 'enable', wazuh: { active_response: { type: 'stateful', stateful_timeout: timeout } }, source: { ip: '1.2.3.4' } }),
      expected: { protocol: 'wazuh5', action: 'add', rawIp: '1.2.3.4', extraArgs: [], ...(usable ? { statefulTimeoutSeconds: timeout } : {}) },
    })),
    {
      title: 'Wazuh 5 without wazuh.active_response.agent_id: the agent id from agent.id',
      line: JSON.stringify({ command: 'enable', wazuh: { active_response: { type: 'stateless' } }, agent: { id: '009', name: 'db01' }, source: { ip: '1.2.3.4' } }),
      expected: { protocol: 'wazuh5', action: 'add', rawIp: '1.2.3.4', agent: { id: '009', name: 'db01' }, extraArgs: [] },
    },
  ])('$title', ({ line, expected }) => {
    const { ossecArgs, ...parsed } = parseInvocation({ args: [], stdinLine: line });
    // Strict: a field the message lacks is absent, not present as undefined.
    expect(parsed).toStrictEqual(expected);
    expect(ossecArgs[0]).toBe(expected.action);
    expect(ossecArgs[2]).toBe(expected.rawIp);
  });

  it.each([
    { title: 'Wazuh 4 add without any address', line: wazuh4({}, { data: {} }), action: 'add' },
    { title: 'Wazuh 4 delete without any address', line: wazuh4({ command: 'delete' }, { data: { srcuser: 'x' } }), action: 'delete' },
    { title: 'Wazuh 5 enable without source.ip', line: JSON.stringify({ command: 'enable', wazuh: { active_response: { type: 'stateful' } } }), action: 'add' },
  ])('$title: no rawIp (a skip, not an error)', ({ line, action }) => {
    const parsed = parseInvocation({ args: [], stdinLine: line });
    expect([parsed.action, parsed.rawIp]).toEqual([action, undefined]);
    expect(Object.keys(parsed)).not.toContain('rawIp');
    // The OSSEC arguments for the `command` backend say "no value" as OSSEC does.
    expect(parsed.ossecArgs[2]).toBe('-');
  });

  // The user argument of the OSSEC arguments built from Wazuh 4: dstuser, else srcuser, else `-`.
  it.each([
    { title: 'dstuser and srcuser', data: { srcip: '1.2.3.4', dstuser: 'root', srcuser: 'bob' }, user: 'root' },
    { title: 'srcuser only', data: { srcip: '1.2.3.4', srcuser: 'bob' }, user: 'bob' },
    { title: 'dstuser only', data: { srcip: '1.2.3.4', dstuser: 'root' }, user: 'root' },
    { title: 'no user', data: { srcip: '1.2.3.4' }, user: '-' },
  ])('Wazuh 4 $title: OSSEC user argument $user', ({ data, user }) => {
    const parsed = parseInvocation({ args: [], stdinLine: wazuh4({}, { data }) });
    expect(parsed.ossecArgs).toEqual(['add', user, '1.2.3.4', '1.2', '5763', '/var/log/auth.log', '-']);
  });

  it('OSSEC arguments are a copy: changing the caller\'s array later changes nothing', () => {
    const args = 'add - 1.2.3.4 1.1 5710 /var/log/auth.log -'.split(' ');
    const parsed = parseInvocation({ args });
    args[2] = '9.9.9.9';
    expect(parsed.ossecArgs).toEqual('add - 1.2.3.4 1.1 5710 /var/log/auth.log -'.split(' '));
  });

  it('parseOssecArgs without any argument names the empty action', () => {
    expect(() => parseOssecArgs([])).toThrowError('unknown action "": expected add or delete');
  });

  it.each([
    { title: 'nothing at all', input: { args: [] }, code: 'NO_ACTION' },
    { title: 'blank stdin line', input: { args: [], stdinLine: '   ' }, code: 'NO_ACTION' },
    { title: 'OSSEC-shaped with a bad action', input: { args: ['block', '-', '1.2.3.4'] }, code: 'UNKNOWN_ACTION' },
    { title: 'OSSEC add without srcip', input: { args: ['add', '-'] }, code: 'USAGE' },
    { title: 'JSON array', input: { args: [], stdinLine: '[1,2]' }, code: 'INVALID_JSON' },
    { title: 'JSON of neither protocol', input: { args: [], stdinLine: '{"hello":1}' }, code: 'UNKNOWN_MESSAGE' },
    { title: 'Wazuh 4 with enable', input: { args: [], stdinLine: wazuh4({ command: 'enable' }) }, code: 'UNKNOWN_ACTION' },
    // Wazuh 4 is recognised by version and parameters together, Wazuh 5 by enable|disable or wazuh.active_response.
    { title: 'Wazuh 4 without version', input: { args: [], stdinLine: wazuh4({ version: undefined }) }, code: 'UNKNOWN_MESSAGE' },
    { title: 'Wazuh 4 without parameters', input: { args: [], stdinLine: wazuh4({ parameters: undefined }) }, code: 'UNKNOWN_MESSAGE' },
    { title: 'Wazuh 5 with add', input: { args: [], stdinLine: JSON.stringify({ command: 'add', wazuh: { active_response: { type: 'stateless' } }, source: { ip: '1.2.3.4' } }) }, code: 'UNKNOWN_ACTION' },
  ])('rejects $title', ({ input, code }) => {
    expect(() => parseInvocation(input)).toThrowError(expect.objectContaining({ code }) as GeoResponseError);
  });
});

describe('parseAgentLocation', () => {
  it.each([
    { location: '(web1) 10.0.0.5->/var/log/secure', expected: { name: 'web1', ip: '10.0.0.5' } },
    { location: '(web-01.example) 2001:db8::5->/var/log/auth.log', expected: { name: 'web-01.example', ip: '2001:db8::5' } },
    // Wazuh writes `any` for an agent registered without a fixed address.
    { location: '(web2) any->/var/log/auth.log', expected: { name: 'web2' } },
    { location: '(web1) 10.0.0.5->journald', expected: { name: 'web1', ip: '10.0.0.5' } },
    { location: '(a) 10.0.0.5->/x', expected: { name: 'a', ip: '10.0.0.5' } },
    // The arrow is looked for after the name: a name may contain one.
    { location: '(web->) 10.0.0.5->/x', expected: { name: 'web->', ip: '10.0.0.5' } },
    { location: '/var/log/auth.log', expected: undefined },
    { location: 'local', expected: undefined },
    { location: 'x(web1) 10.0.0.5->/x', expected: undefined },
    { location: '(web1)', expected: undefined },
    { location: '(web1) 10.0.0.5', expected: undefined },
    { location: '() 10.0.0.5->/x', expected: undefined },
    { location: '(a) b) 10.0.0.5->/x', expected: undefined },
    { location: '(web1) ->/x', expected: undefined },
    { location: '(web1) 10.0.0.5 /x', expected: undefined },
  ])('$location', ({ location, expected }) => {
    expect(parseAgentLocation(location)).toEqual(expected);
  });
});

describe('undoWazuh42Escapes', () => {
  it.each([
    { text: 'plain text', expected: 'plain text' },
    // Digits where an escape code would be, but no `\x`: unchanged.
    { text: 'db21', expected: 'db21' },
    { text: 'o\\x27brien', expected: "o'brien" },
    { text: '\\x21\\x24\\x27\\x60', expected: "!$'`" },
    { text: '\\x21ab21', expected: '!ab21' },
    // Other `\x` sequences are kept, and so are escape-code digits after them.
    { text: 'C:\\x41', expected: 'C:\\x41' },
    { text: '\\x4124', expected: '\\x4124' },
    { text: 'a\\x41\\x21b', expected: 'a\\x41!b' },
    { text: '\\x2', expected: '\\x2' },
  ])('$text', ({ text, expected }) => {
    expect(undoWazuh42Escapes(text)).toBe(expected);
  });
});
