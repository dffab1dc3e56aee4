import { describe, expect, it } from 'vitest';
import { Reader } from 'maxmind';
import { mkdirSync, readFileSync } from 'node:fs';
import { runOssec } from './support/execd';
import { EMBEDDED_DB, expectedEcs, makeBundleHome, stableRecord } from './support/bundle-home';
import { version } from '../package.json';

// Argument lines exactly as a real OSSEC server's execd sends them (after $0).
const CASES = [
  {
    title: 'add, user "-", IPv4, server-local log',
    message: 'add - 203.0.113.7 1795823765.1 5710 /var/log/auth.log -',
    source: { ip: '203.0.113.7' },
    extra: { alert_id: '1795823765.1', location: '/var/log/auth.log', address_class: 'documentation', network: '203.0.113.0/24' },
    rule: { id: '5710' },
  },
  {
    title: 'add, IPv6',
    message: 'add - 2001:db8::7 1795823765.10 5716 /var/log/auth.log -',
    source: { ip: '2001:db8::7' },
    extra: { alert_id: '1795823765.10', location: '/var/log/auth.log', address_class: 'documentation', network: '2001:db8::/32' },
    rule: { id: '5716' },
  },
  {
    title: 'add with a user and an agent location split over two arguments',
    message: 'add admin 198.51.100.23 1795823801.5511 5712 (web1) 10.0.0.5->/var/log/secure -',
    source: { ip: '198.51.100.23' },
    // OSSEC's user argument is the alert's dstuser; the agent comes out of the location.
    user: { target: { name: 'admin' } },
    observer: { name: 'web1', ip: ['10.0.0.5'] },
    extra: { alert_id: '1795823801.5511', location: '(web1) 10.0.0.5->/var/log/secure', address_class: 'documentation', network: '198.51.100.0/24' },
    rule: { id: '5712' },
  },
  {
    title: 'add with an IPv4-mapped IPv6 address',
    message: 'add - ::ffff:203.0.113.9 1795823765.2 5710 /var/log/auth.log -',
    source: { ip: '203.0.113.9' },
    extra: { alert_id: '1795823765.2', location: '/var/log/auth.log', address_class: 'documentation', network: '203.0.113.0/24' },
    rule: { id: '5710' },
  },
  {
    // Wazuh 4.0/4.1 execd (still argv) appends the extra arguments, `-` when none.
    title: 'Wazuh 4.1 add: filename - and extra args - after the location',
    message: 'add - 203.0.113.7 1618387200.1234 5710 /var/log/auth.log - -',
    source: { ip: '203.0.113.7' },
    extra: { alert_id: '1618387200.1234', location: '/var/log/auth.log', address_class: 'documentation', network: '203.0.113.0/24' },
    rule: { id: '5710' },
  },
];

describe('OSSEC execd arguments', () => {
  it.each(CASES)('$title', async ({ message, source, extra, rule, user, observer }) => {
    const home = makeBundleHome();
    const result = await runOssec(message, { command: home.command, env: home.env });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('');
    expect(result.code).toBe(0);
    const records = home.readRecords();
    expect(records).toHaveLength(1);
    expect(stableRecord(records[0]!)).toEqual({
      ...expectedEcs({ type: ['info'], action: 'add', outcome: 'success', reason: `add ${source.ip} (documentation): policy mode off` }),
      source,
      ...(user ? { user } : {}),
      rule,
      ...(observer ? { observer } : {}),
      geo_response: { version, protocol: 'ossec', ...extra, decision: { action: 'log', reason: 'policy mode off' } },
    });
  });

  it('delete repeats the add arguments and is recorded as delete', async () => {
    const home = makeBundleHome();
    const add = await runOssec('add - 203.0.113.7 1795823765.1 5710 /var/log/auth.log -', { command: home.command, env: home.env });
    const del = await runOssec('delete - 203.0.113.7 1795823765.1 5710 /var/log/auth.log -', { command: home.command, env: home.env });
    expect([add.code, del.code]).toEqual([0, 0]);
    const records = home.readRecords().map(stableRecord);
    expect(records.map((r) => r.event.action)).toEqual(['add', 'delete']);
    // A delete removes whatever an add left, whatever the policy says now: it carries no decision.
    const { decision, ...addOwn } = records[0]!.geo_response;
    expect(decision).toEqual({ action: 'log', reason: 'policy mode off' });
    expect(records[1]).toEqual({ ...records[0], event: { ...records[0]!.event, action: 'delete', reason: 'delete 203.0.113.7 (documentation): no firewall backend; nothing to remove' }, geo_response: addOwn });
  });

  it('geolocates a public address from the embedded DB-IP database, as maxmind reads it', async () => {
    const home = makeBundleHome();
    const ip = '81.2.69.142';
    const [expected, prefixLength] = new Reader<any>(readFileSync(EMBEDDED_DB)).getWithPrefixLength(ip);
    expect(expected?.country_code).toMatch(/^[A-Z]{2}$/);
    const result = await runOssec(`add - ${ip} 1795823765.3 5710 /var/log/auth.log -`, { command: home.command, env: home.env });
    expect(result.code).toBe(0);
    const [record] = home.readRecords();
    const countryName = new Intl.DisplayNames(['en'], { type: 'region' }).of(expected!.country_code);
    expect(record!.source).toEqual({ ip, geo: { country_iso_code: expected!.country_code, country_name: countryName } });
    expect(record!.geo_response.address_class).toBe('public');
    expect(record!.geo_response.network).toMatch(new RegExp(`/${prefixLength}$`));
    expect(record!.geo_response.databases).toEqual([{ role: 'geo', path: `${home.home}/active-response/bin/dbip-country-lite.mmdb`, type: expect.any(String), build_date: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }]);
  });
});

describe('log.path', () => {
  it.each([
    ['a valid configuration', { log: { path: 'logs/custom/geo.log' }, policy: { mode: 'off' } }, 0],
    ['a configuration broken elsewhere (the record still lands there)', { log: { path: 'logs/custom/geo.log' }, policy: { mode: 'nope' } }, 4],
  ])('moves the geo log with %s', async (_, config, code) => {
    const home = makeBundleHome();
    home.writeConfig(config);
    // The admin makes the directory: geo-response creates no directories (a missing one is an error).
    mkdirSync(`${home.home}/logs/custom`);
    const result = await runOssec('add - 203.0.113.7 1795823765.1 5710 /var/log/auth.log -', { command: home.command, env: home.env });
    expect(result.code).toBe(code);
    expect(home.readLogText()).toBe('');
    const moved = readFileSync(`${home.home}/logs/custom/geo.log`, 'utf8').trim().split('\n');
    expect(moved).toHaveLength(1);
    expect(JSON.parse(moved[0]!).source.ip).toBe('203.0.113.7');
  });
});
