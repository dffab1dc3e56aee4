import { describe, expect, it } from 'vitest';
import { parseInvocation } from '../src/invocation/parse-invocation';
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
  });

  it.each([
    { title: 'nothing at all', input: { args: [] }, code: 'NO_ACTION' },
    { title: 'blank stdin line', input: { args: [], stdinLine: '   ' }, code: 'NO_ACTION' },
    { title: 'OSSEC-shaped with a bad action', input: { args: ['block', '-', '1.2.3.4'] }, code: 'UNKNOWN_ACTION' },
    { title: 'OSSEC add without srcip', input: { args: ['add', '-'] }, code: 'USAGE' },
    { title: 'JSON array', input: { args: [], stdinLine: '[1,2]' }, code: 'INVALID_JSON' },
    { title: 'JSON of neither protocol', input: { args: [], stdinLine: '{"hello":1}' }, code: 'UNKNOWN_MESSAGE' },
    { title: 'Wazuh 4 with enable', input: { args: [], stdinLine: wazuh4({ command: 'enable' }) }, code: 'UNKNOWN_ACTION' },
  ])('rejects $title', ({ input, code }) => {
    expect(() => parseInvocation(input)).toThrowError(expect.objectContaining({ code }) as GeoResponseError);
  });
});
