import { readConfigText } from '../src/cli/system-io';
import { describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCheck, type CheckLookupResult } from '../src/check/run-check.js';
import { createFakeBinDir } from './support/fake-bin.js';

const fakeBin = createFakeBinDir({ nft: [{ stdout: 'nftables v1.0.6 (Lester Gooch #5)' }], ipset: [{ stdout: 'ipset v7.17' }] }).dir;
const ruLookup = async (): Promise<CheckLookupResult> => ({ countryIsoCode: 'RU', asNumber: 4134, addressClass: 'public', databases: ['fixture-country.mmdb'], asnDatabaseUsed: true });

function home(config?: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'gr-check-'));
  mkdirSync(join(dir, 'etc'));
  // As every OSSEC/Wazuh installation has it: alerts do not create logs/.
  mkdirSync(join(dir, 'logs'));
  if (config !== undefined) writeFileSync(join(dir, 'etc', 'geo-response.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return dir;
}

const cases: Array<{ title: string; config?: unknown; lookup?: () => Promise<CheckLookupResult>; sampleIp?: string; ok: boolean; expected: RegExp[]; absent?: RegExp }> = [
  { title: 'no configuration file', ok: true, expected: [/not found: defaults apply \(log only, never block\)/, /firewall: backend none/, /sample 1\.0\.0\.1 \(RU, AS4134\): log — policy mode off/] },
  {
    title: 'the logins settings in force: the defaults',
    ok: true,
    expected: [
      /^logins: learning 5 logins and 7 days; impossible travel above 1000 km\/h beyond 500 km$/m,
      /block on: \(none: findings alert only\); ignore_users: \(none\); allowed_countries: \(none\)/,
      /success rules \(alerts without rule groups, OSSEC argv\): the 55 stock ids; Wazuh JSON alerts: rule group authentication_success/,
      /history: at most 10000 users, 32 countries each, forgotten after 365 days/,
      /history file: \S+\/active-response\/state\/logins\.json: no logins recorded yet/,
    ],
    absent: /warning: logins/,
  },
  {
    title: 'the logins settings in force: configured, blocking with a backend that has no expiry',
    config: { firewall: { backend: 'iptables' }, logins: { learning: { logins: 10, days: 30 }, travel: { max_speed_kmh: 900, min_distance_km: 300 }, block: ['impossible_travel'], ignore_users: ['backup'], allowed_countries: { alice: ['FR', 'DE'] }, success_rules: ['5715', '100200'] } },
    ok: false,
    expected: [
      /^logins: learning 10 logins and 30 days; impossible travel above 900 km\/h beyond 300 km$/m,
      /block on: impossible_travel; ignore_users: backup; allowed_countries: alice: FR DE/,
      /OSSEC argv\): 5715, 100200;/,
      /warning: logins\.block with the iptables backend: execd sends no delete for a login/,
    ],
  },
  { title: 'logins.block with no backend', config: { logins: { block: ['new_country'] } }, ok: true, expected: [/warning: logins\.block is set but firewall\.backend is none: nothing is blocked/] },
  { title: 'a logins setting out of range', config: { logins: { travel: { max_speed_kmh: 0 } } }, ok: false, expected: [/configuration: FAILED: .*logins\.travel\.max_speed_kmh/] },
  { title: 'an invalid configuration', config: { policy: { mode: 'block' } }, ok: false, expected: [/configuration: FAILED: .*policy\.mode: expected one of "off", "deny", "allow"/] },
  {
    title: 'deny RU with nftables',
    config: { policy: { mode: 'deny', countries: ['RU'] }, firewall: { backend: 'nftables', expire_seconds: 600 } },
    ok: true,
    expected: [/policy: mode deny; countries RU/, /nft: .*\/nft: nftables v1\.0\.6/, /sample 1\.0\.0\.1 \(RU, AS4134\): block — RU is in deny list/, /would run: .*nft .*create element inet geo_response blocked4 \{ 1\.0\.0\.1 timeout 600s \}/],
  },
  {
    title: 'asns without an ASN database',
    config: { policy: { mode: 'deny', asns: [4134] } },
    lookup: async () => ({ countryIsoCode: 'CN', addressClass: 'public', databases: ['geo: dbip-country-lite.mmdb (country ipvAll)'], asnDatabaseUsed: false }),
    ok: true,
    expected: [/warning: policy\.asns is set but no ASN database was found/, /allow — CN is not in deny list \(AS unknown \(no ASN database\); asns not checked\)/],
  },
  {
    title: 'asns with an ASN database that has no entry for the sample',
    config: { policy: { mode: 'deny', asns: [4134] } },
    lookup: async () => ({ countryIsoCode: 'CN', addressClass: 'public', databases: ['geo: city.mmdb (city)', 'asn: asn.mmdb (asn)'], asnDatabaseUsed: true }),
    ok: true,
    expected: [/allow — CN is not in deny list \(AS not in the ASN database; asns not checked\)/],
    absent: /no ASN database/,
  },
  {
    title: "a sample that is not an address is the sample's failure, not the databases'",
    config: {},
    ok: false,
    sampleIp: '1.2.3',
    expected: [/sample "1\.2\.3": invalid source IP/],
    absent: /databases:/,
  },
  { title: 'ipset backend with iptables missing', config: { firewall: { backend: 'ipset' } }, ok: false, expected: [/ipset: .*ipset v7\.17/, /iptables: MISSING/] },
  {
    title: 'a database that fails',
    config: { policy: { mode: 'deny', countries: ['RU'] } },
    lookup: async () => {
      throw new Error('truncated database');
    },
    ok: false,
    expected: [/databases: FAILED: unexpected error: truncated database/, /log — lookup failed; never blocking on a broken database/],
  },
];

describe('runCheck: the login history file', () => {
  it('a history file the group could change is FAILED, as an alert would refuse it', async () => {
    const dir = home();
    mkdirSync(join(dir, 'active-response', 'state'), { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, 'active-response', 'state', 'logins.json'), '{"version":1,"users":[]}\n', { mode: 0o664 });
    chmodSync(join(dir, 'active-response', 'state', 'logins.json'), 0o664);
    const result = await runCheck({ home: dir, configPath: 'etc/geo-response.json', sampleIp: '1.0.0.1', env: {}, readConfigText, lookup: ruLookup, hostAddresses: [], binDirs: [fakeBin] });
    expect(result.ok).toBe(false);
    expect(result.lines.join('\n')).toMatch(/history file: FAILED: login history \S+logins\.json: \S+ is writable by its group .*chmod go-w/);
  });
});

describe('runCheck', () => {
  it.each(cases)('$title', async ({ config, lookup, sampleIp = '1.0.0.1', ok, expected, absent }) => {
    const result = await runCheck({ home: home(config), configPath: 'etc/geo-response.json', sampleIp, env: {}, readConfigText, lookup: lookup ?? ruLookup, hostAddresses: ['192.0.2.2'], binDirs: [fakeBin] });
    expect(result.ok).toBe(ok);
    for (const pattern of expected) expect(result.lines.join('\n')).toMatch(pattern);
    if (absent) expect(result.lines.join('\n')).not.toMatch(absent);
  });
});
