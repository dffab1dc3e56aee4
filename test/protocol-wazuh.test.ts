import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runWazuh4, runWazuh5 } from './support/execd';
import { Reader } from 'maxmind';
import { EMBEDDED_DB, makeBundleHome, stableRecord } from './support/bundle-home';
import { version } from '../package.json';

const WAZUH4_ADD = readFileSync(join(__dirname, 'fixtures', 'messages', 'wazuh4-add.json'), 'utf8').trim();
const WCS_ENABLE = readFileSync(join(__dirname, 'fixtures', 'messages', 'wcs-enable.json'), 'utf8').trim();

const wazuh4 = (command: string, srcip = '203.0.113.45') => {
  const message = JSON.parse(WAZUH4_ADD);
  message.command = command;
  message.parameters.alert.data.srcip = srcip;
  return message;
};

const WAZUH4_FIELDS = {
  user: { name: 'root' },
  rule: { id: '5763', level: 10, description: 'sshd: brute force trying to get access to the system. Authentication failed.' },
  agent: { id: '001', name: 'web01', ip: '10.0.0.5' },
};
const WAZUH4_OWN = { version, protocol: 'wazuh4', alert_id: '1755684902.123456', location: '/var/log/auth.log', address_class: 'documentation', network: '203.0.113.0/24' };
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
        event: { kind: 'event', module: 'geo-response', action: 'add', outcome: 'success', reason: 'add 203.0.113.45 (documentation): policy mode off' },
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
        event: { kind: 'event', module: 'geo-response', action: 'add', outcome: 'success', reason: 'execd answered abort: 203.0.113.45 is already handled; nothing done' },
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
        event: { kind: 'event', module: 'geo-response', action: 'add', outcome: 'failure', reason: 'no reply to check_keys within 300 ms: execd did not answer continue or abort' },
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
    expect(home.readRecords().map((r) => [r.event.action, r.event.outcome, r.geo_response.handshake])).toEqual([['delete', 'success', undefined]]);
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
    event: { kind: 'event', module: 'geo-response', action, outcome: 'success', reason: `${action} 203.0.113.45 (documentation): policy mode off` },
    source: { ip: '203.0.113.45' },
    user: { name: 'root' },
    agent: { id: '001' },
    geo_response: { version, protocol: 'wazuh5', location: 'local', address_class: 'documentation', network: '203.0.113.0/24', decision: { action: 'log', reason: 'policy mode off' } },
  });

  it.each([
    ['enable', 'add'],
    ['disable', 'delete'],
  ] as const)('%s is recorded as %s, with no handshake', async (command, action) => {
    const home = makeBundleHome();
    const result = await runWazuh5(wcs(command), { command: home.command, env: home.env });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(home.readRecords().map(stableRecord)).toEqual([expected(action)]);
  });
});
