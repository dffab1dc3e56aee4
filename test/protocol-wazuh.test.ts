import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runWazuh4, runWazuh5 } from './support/execd';
import { Reader } from 'maxmind';
import { EMBEDDED_DB, expectedEcs, makeBundleHome, stableRecord } from './support/bundle-home';
import { version } from '../package.json';

const WAZUH4_ADD = readFileSync(join(__dirname, 'fixtures', 'messages', 'wazuh4-add.json'), 'utf8').trim();
const WCS_ENABLE = readFileSync(join(__dirname, 'fixtures', 'messages', 'wcs-enable.json'), 'utf8').trim();

const wazuh4 = (command: string, srcip = '203.0.113.45') => {
  const message = JSON.parse(WAZUH4_ADD);
  message.command = command;
  message.parameters.alert.data.srcip = srcip;
  return message;
};

// data.dstuser is the user the alert is about (ECS user.target.name); the agent is the observer, its id ours.
const WAZUH4_FIELDS = {
  user: { target: { name: 'root' } },
  rule: { id: '5763', description: 'sshd: brute force trying to get access to the system. Authentication failed.' },
  observer: { name: 'web01', ip: ['10.0.0.5'] },
};
const WAZUH4_OWN = { version, protocol: 'wazuh4', agent_id: '001', alert_id: '1755684902.123456', location: '/var/log/auth.log', address_class: 'documentation', network: '203.0.113.0/24' };
const CHECK_KEYS = { version: 1, origin: { name: 'geo-response', module: 'active-response' }, command: 'check_keys', parameters: { keys: ['203.0.113.45'] } };

describe('Wazuh 4.x execd', () => {
  it('add: sends check_keys first, gets continue, records the alert', async () => {
    const home = makeBundleHome();
    const result = await runWazuh4(wazuh4('add'), 'continue', { command: home.command, env: home.env });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.checkKeys).toEqual(CHECK_KEYS);
    expect(result.stdout).toBe(`${JSON.stringify(CHECK_KEYS)}\n`);
    expect(home.readRecords().map(stableRecord)).toEqual([
      {
        ...expectedEcs({ type: ['info'], action: 'add', outcome: 'success', reason: 'add 203.0.113.45 (documentation): policy mode off', severity: 10 }),
        source: { ip: '203.0.113.45' },
        ...WAZUH4_FIELDS,
        geo_response: { ...WAZUH4_OWN, handshake: 'continue', decision: { action: 'log', reason: 'policy mode off' } },
      },
    ]);
  });

  it('add: abort exits 0, blocks nothing, and the record says so', async () => {
    const home = makeBundleHome();
    const result = await runWazuh4(wazuh4('add'), 'abort', { command: home.command, env: home.env });
    expect(result.code).toBe(0);
    expect(result.checkKeys).toEqual(CHECK_KEYS);
    expect(home.readRecords().map(stableRecord)).toEqual([
      {
        ...expectedEcs({ type: ['info'], action: 'add', outcome: 'success', reason: 'execd answered abort: 203.0.113.45 is already handled; nothing done', severity: 10 }),
        source: { ip: '203.0.113.45' },
        ...WAZUH4_FIELDS,
        geo_response: { ...WAZUH4_OWN, handshake: 'abort' },
      },
    ]);
  });

  it('add: execd never answers — gives up after the bounded wait, records it, exits 8', async () => {
    const home = makeBundleHome();
    const result = await runWazuh4(wazuh4('add'), 'none', { command: home.command, env: { ...home.env, GEO_RESPONSE_REPLY_TIMEOUT_MS: '300' } });
    expect(result.code).toBe(8);
    expect(result.checkKeys).toEqual(CHECK_KEYS);
    expect(result.stderr).toBe('geo-response: no reply to check_keys within 300 ms: execd did not answer continue or abort\n');
    expect(home.readRecords().map(stableRecord)).toEqual([
      {
        ...expectedEcs({ type: ['info', 'error'], action: 'add', outcome: 'failure', reason: 'no reply to check_keys within 300 ms: execd did not answer continue or abort', severity: 10 }),
        source: { ip: '203.0.113.45' },
        ...WAZUH4_FIELDS,
        geo_response: { ...WAZUH4_OWN, address_class: undefined, network: undefined, error_code: 'HANDSHAKE_TIMEOUT', handshake: 'timeout' },
      }].map((r) => JSON.parse(JSON.stringify(r))),
    );
    expect(readFileSync(home.arLogPath, 'utf8')).toMatch(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d active-response\/bin\/geo-response: HANDSHAKE_TIMEOUT: no reply to check_keys within 300 ms/);
  });

  it('delete: writes nothing to stdout, reads nothing back', async () => {
    const home = makeBundleHome();
    const result = await runWazuh4(wazuh4('delete'), 'none', { command: home.command, env: home.env });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.checkKeys).toBeUndefined();
    expect(home.readRecords().map((r) => [r.event.action, r.event.outcome, r.geo_response.handshake, r.geo_response.decision])).toEqual([['delete', 'success', undefined, undefined]]);
  });

  it('data.srcip with a ::ffff: prefix is the IPv4 address, in the record and the check_keys key', async () => {
    const home = makeBundleHome();
    const result = await runWazuh4(wazuh4('add', '::ffff:203.0.113.45'), 'continue', { command: home.command, env: home.env });
    expect(result.code).toBe(0);
    expect(result.checkKeys).toEqual(CHECK_KEYS);
    expect(home.readRecords()[0]!.source).toEqual({ ip: '203.0.113.45' });
  });

  it('add with a public address is geolocated from the embedded database', async () => {
    const home = makeBundleHome();
    const result = await runWazuh4(wazuh4('add', '95.173.130.7'), 'continue', { command: home.command, env: home.env });
    expect(result.code).toBe(0);
    const [record] = home.readRecords();
    const expected = new Reader<any>(readFileSync(EMBEDDED_DB)).get('95.173.130.7') as { country_code: string } | null;
    expect(record!.source).toMatchObject({ ip: '95.173.130.7', geo: { country_iso_code: expected!.country_code } });
    expect(record!.geo_response).toMatchObject({ address_class: 'public', handshake: 'continue', databases: [{ role: 'geo', type: 'country ipvAll' }] });
  });

  it('Wazuh 4.2.0–4.2.4 \\x21-style escapes are undone', async () => {
    const home = makeBundleHome();
    const message = wazuh4('add');
    message.parameters.alert.rule.description = "it's $HOME! `x`";
    const escaped = JSON.stringify(message).replace(/[!$'`]/g, (c) => `\\x${c.charCodeAt(0).toString(16)}`);
    const result = await runWazuh4(escaped, 'continue', { command: home.command, env: home.env });
    expect(result.code).toBe(0);
    expect(home.readRecords()[0]!.rule.description).toBe("it's $HOME! `x`");
  });
});

describe('Wazuh 5.x (WCS) execd', () => {
  const wcs = (command: string) => ({ ...JSON.parse(WCS_ENABLE), command });
  const expected = (action: 'add' | 'delete') => ({
    ...expectedEcs({ type: ['info'], action, outcome: 'success', reason: action === 'add' ? 'add 203.0.113.45 (documentation): policy mode off' : 'delete 203.0.113.45 (documentation): no firewall backend; nothing to remove' }),
    source: { ip: '203.0.113.45' },
    // Wazuh 5 sends ECS already: its user.name stays user.name.
    user: { name: 'root' },
    geo_response: { version, protocol: 'wazuh5', agent_id: '001', location: 'local', address_class: 'documentation', network: '203.0.113.0/24', ...(action === 'add' ? { decision: { action: 'log', reason: 'policy mode off' } } : {}) },
  });

  it('disable is recorded as delete, with nothing written to stdout', async () => {
    const home = makeBundleHome();
    const result = await runWazuh5(wcs('disable'), { command: home.command, env: home.env }, 'none');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(home.readRecords().map(stableRecord)).toEqual([expected('delete')]);
  });

  // Wazuh 5's execd (src/os_execd/src/execd.c) appends "command":"enable" to the WCS document,
  // waits for one stdout line, and answers with the document, command replaced; its own block-ip
  // program sends check_keys. Without that line it never schedules the disable.
  const wcsFromExecd = (command: string) => {
    const { command: _dropped, ...document } = JSON.parse(WCS_ENABLE);
    return { ...document, command };
  };

  it('enable: sends check_keys first, gets continue, records it as add', async () => {
    const home = makeBundleHome();
    const result = await runWazuh5(wcsFromExecd('enable'), { command: home.command, env: home.env }, 'continue');
    expect(result.code).toBe(0);
    expect(result.checkKeys).toEqual(CHECK_KEYS);
    expect(result.stdout).toBe(`${JSON.stringify(CHECK_KEYS)}\n`);
    const { geo_response, ...rest } = expected('add');
    expect(home.readRecords().map(stableRecord)).toEqual([{ ...rest, geo_response: { ...geo_response, handshake: 'continue' } }]);
  });

  it('enable: abort (already handled) exits 0, blocks nothing, and the record says so', async () => {
    const home = makeBundleHome();
    const result = await runWazuh5(wcsFromExecd('enable'), { command: home.command, env: home.env }, 'abort');
    expect(result.code).toBe(0);
    expect(result.checkKeys).toEqual(CHECK_KEYS);
    expect(home.readRecords().map((r) => [r.event.action, r.event.outcome, r.geo_response.handshake, r.geo_response.decision])).toEqual([['add', 'success', 'abort', undefined]]);
  });
});

// Shapes taken from Wazuh's own sources: analysisd's ar_json.c and execd.c (tags 4.2.0–4.14.7),
// active_responses.c (where Wazuh's programs look for the address).
describe('Wazuh 4.x execd: the shapes of its own sources', () => {
  const PROGRAM = 'active-response/bin/geo-response';
  // A line of exactly `bytes` bytes (without the newline), padded in full_log.
  const addLineOf = (bytes: number, command = 'add') => {
    const message = wazuh4(command);
    message.parameters.program = PROGRAM;
    message.parameters.alert.full_log = '';
    const base = JSON.stringify(message).length;
    message.parameters.alert.full_log = 'x'.repeat(bytes - base);
    const line = JSON.stringify(message);
    expect(Buffer.byteLength(line)).toBe(bytes);
    return line;
  };

  // analysisd accepts 65,535 bytes; execd adds the envelope and `program`: 65,564 bytes is the
  // largest add line, and the reply ("continue" for "add") is 5 bytes longer still.
  it.each([65_535, 65_536, 65_564])('an add line of %i bytes gets its reply read and is recorded', async (bytes) => {
    const home = makeBundleHome();
    const result = await runWazuh4(addLineOf(bytes), 'continue', { command: home.command, env: home.env, closeStdinAfterReply: true });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.checkKeys).toEqual(CHECK_KEYS);
    expect(home.readRecords().map((r) => [r.event.outcome, r.geo_response.handshake])).toEqual([['success', 'continue']]);
  });

  it('a delete line of exactly 68 KiB (69,632 bytes, the limit) is read; one byte more is refused (bad-input)', async () => {
    const home = makeBundleHome();
    const result = await runWazuh4(addLineOf(68 * 1024, 'delete'), 'none', { command: home.command, env: home.env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(home.readRecords().map((r) => [r.event.action, r.event.outcome])).toEqual([['delete', 'success']]);
  });

  it('execd 4.x closes stdin right after its reply: still one record, exit 0', async () => {
    const home = makeBundleHome();
    const result = await runWazuh4(wazuh4('add'), 'continue', { command: home.command, env: home.env, closeStdinAfterReply: true });
    expect(result.code).toBe(0);
    expect(home.readRecords().map((r) => [r.event.outcome, r.geo_response.handshake])).toEqual([['success', 'continue']]);
  });

  it('4.2.0–4.2.4 escapes written by the manager as \\\\x21 inside JSON strings are undone in the decoded text', async () => {
    const home = makeBundleHome();
    const message = wazuh4('add');
    message.parameters.alert.data.dstuser = "o'brien$!`x";
    message.parameters.alert.rule.description = "it's $HOME! `x`";
    message.parameters.alert.location = "/var/log/it's!";
    // ar_json.c: wstr_replace(msg, "!", "\\\\x21") and the same for $ ' ` on the printed JSON.
    const escaped = JSON.stringify(message).replace(/[!$'`]/g, (c) => `\\\\x${c.charCodeAt(0).toString(16)}`);
    expect(escaped).toContain('o\\\\x27brien');
    const result = await runWazuh4(escaped, 'continue', { command: home.command, env: home.env });
    expect(result.code).toBe(0);
    const [record] = home.readRecords();
    expect([record!.user.target.name, record!.rule.description, record!.geo_response.location]).toEqual(["o'brien$!`x", "it's $HOME! `x`", "/var/log/it's!"]);
  });

  it.each([
    { title: 'only data.win.eventdata.destinationIp', data: { win: { eventdata: { destinationIp: '203.0.113.45' } } } },
    { title: 'win.eventdata.ipAddress before data.srcip', data: { srcip: '198.51.100.1', win: { eventdata: { ipAddress: '203.0.113.45', destinationIp: '198.51.100.2' } } } },
    { title: 'win.eventdata.destinationIp before data.srcip', data: { srcip: '198.51.100.1', win: { eventdata: { destinationIp: '203.0.113.45' } } } },
  ])('Windows alert with $title', async ({ data }) => {
    const home = makeBundleHome();
    const message = wazuh4('add');
    message.parameters.alert.data = data;
    const result = await runWazuh4(message, 'continue', { command: home.command, env: home.env });
    expect(result.code).toBe(0);
    expect(result.checkKeys).toEqual(CHECK_KEYS);
    expect(home.readRecords().map((r) => r.source.ip)).toEqual(['203.0.113.45']);
  });
});

// Wazuh's level-based trigger calls the response for alerts without an address (file integrity,
// rootcheck): nothing to geolocate or block, and not a failure either.
describe('alerts without a source address', () => {
  const fim = () => {
    const message = wazuh4('add');
    message.parameters.alert.rule = { level: 7, description: 'Integrity checksum changed.', id: '550', groups: ['ossec', 'syscheck', 'syscheck_entry_modified'] };
    message.parameters.alert.data = undefined;
    message.parameters.alert.syscheck = { path: '/etc/passwd', event: 'modified' };
    return JSON.parse(JSON.stringify(message));
  };
  const wcsWithoutSource = () => {
    const { source: _dropped, command: _command, ...document } = JSON.parse(WCS_ENABLE);
    return { ...document, command: 'enable' };
  };

  it.each([
    { title: 'Wazuh 4 file integrity add', run: (h: ReturnType<typeof makeBundleHome>) => runWazuh4(fim(), 'continue', { command: h.command, env: h.env }) },
    { title: 'Wazuh 4 file integrity delete', run: (h: ReturnType<typeof makeBundleHome>) => runWazuh4({ ...fim(), command: 'delete' }, 'none', { command: h.command, env: h.env }) },
    { title: 'Wazuh 5 enable without source.ip', run: (h: ReturnType<typeof makeBundleHome>) => runWazuh5(wcsWithoutSource(), { command: h.command, env: h.env }) },
  ])('$title: a quiet skip — exit 0, nothing on stderr, no failure record, nothing in active-responses.log', async ({ run }) => {
    const home = makeBundleHome();
    const result = await run(home);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('');
    expect(home.readRecords()).toEqual([]);
    expect(existsSync(home.arLogPath)).toBe(false);
  });

  it('with log.record_skipped true, a skip is kept as one success record without a source', async () => {
    const home = makeBundleHome();
    home.writeConfig({ log: { record_skipped: true } });
    const result = await runWazuh4(fim(), 'continue', { command: home.command, env: home.env });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(existsSync(home.arLogPath)).toBe(false);
    expect(home.readRecords().map(stableRecord)).toEqual([
      {
        ...expectedEcs({ type: ['info'], action: 'add', outcome: 'success', reason: 'skipped: the alert carries no source address (rule 550); nothing to geolocate or block', severity: 7 }),
        rule: { id: '550', description: 'Integrity checksum changed.' },
        observer: WAZUH4_FIELDS.observer,
        geo_response: { version, protocol: 'wazuh4', agent_id: '001', alert_id: '1755684902.123456', location: '/var/log/auth.log' },
      },
    ]);
  });
});
