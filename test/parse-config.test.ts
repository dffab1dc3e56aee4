import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/policy/parse-config';
import { defaultConfig } from '../src/policy/default-config';

const FILE = '/var/ossec/etc/geo-response.json';

describe('parseConfig', () => {
  it('an empty object is the defaults: log only, never block', () => {
    expect(parseConfig('{}', FILE)).toEqual(defaultConfig());
  });

  it('the example of the design, every key', () => {
    const example = {
      databases: { geo: '/var/lib/GeoIP/GeoLite2-City.mmdb', asn: '/var/lib/GeoIP/GeoLite2-ASN.mmdb' },
      log: { path: 'logs/geo-response.log' },
      policy: { mode: 'deny', countries: ['RU', 'CN', 'XK'], asns: [4134], unknown: 'log', never_block: ['192.0.2.0/24', '2001:db8::/32', '198.51.100.7'], allow_private: false, min_rule_level: 0, rules: { include: [], exclude: ['5710', 5711] } },
      firewall: { backend: 'command', expire_seconds: 86400, dry_run: false, command: ['/var/ossec/active-response/bin/firewall-drop.sh'] },
      logins: {
        success_rules: ['5715', '100200'],
        learning: { logins: 5, days: 7 },
        travel: { max_speed_kmh: 1000, min_distance_km: 500 },
        ignore_users: ['backup'],
        allowed_countries: { alice: ['DE', 'FR'], '*': ['DE'] },
        block: ['new_country', 'impossible_travel'],
        history: { max_users: 10000, max_countries_per_user: 32, forget_days: 365 },
      },
    };
    // Every key given is kept as given: nothing is dropped, renamed or defaulted over.
    expect(parseConfig(JSON.stringify(example), FILE)).toEqual(example);
  });

  it('a JSON syntax error says the line and column, as an editor shows them', () => {
    const text = '{\n  "policy": {\n    "mode": "deny",,\n  }\n}';
    expect(() => parseConfig(text, FILE)).toThrowError(/^\/var\/ossec\/etc\/geo-response\.json: not valid JSON \(.+ at line 3, column 20\)$/);
  });

  it.each([
    ['{bad', 'not valid JSON'],
    ['[]', '(top level): '],
    ['{"polcy":{}}', '(top level): unknown key "polcy"'],
    ['{"policy":{"mode":"block"}}', 'policy.mode: expected one of "off", "deny", "allow"'],
    ['{"policy":{"countries":["ru"]}}', 'policy.countries[0]: expected an ISO 3166-1 alpha-2 country code in capitals, e.g. "RU"'],
    ['{"policy":{"countries":["UK"]}}', 'policy.countries[0]: "UK" is not an assigned ISO 3166-1 alpha-2 code (did you mean "GB"?)'],
    ['{"policy":{"asns":["AS4134"]}}', 'policy.asns[0]: expected an AS number (a whole number, e.g. 4134)'],
    ['{"policy":{"never_block":["10.0.0.0/33"]}}', 'policy.never_block[0]: expected a CIDR network or an IP address'],
    ['{"policy":{"allow_private":"yes"}}', 'policy.allow_private: expected true or false'],
    ['{"firewall":{"backend":"nftable"}}', 'firewall.backend: expected one of "none", "nftables", "ipset", "iptables", "firewalld", "command"'],
    ['{"firewall":{"dry-run":true}}', 'firewall: unknown key "dry-run"'],
    ['{"firewall":{"backend":"command"}}', 'firewall.command: expected [program, ...arguments] when firewall.backend is "command"'],
    // Type errors without a message of their own name the expected type and what was there.
    ['[]', '(top level): expected an object, got an array'],
    ['{"firewall":{"expire_seconds":"x"}}', 'firewall.expire_seconds: expected a number, got a string ("x")'],
    ['{"policy":{"countries":"RU"}}', 'policy.countries: expected an array, got a string ("RU")'],
    ['{"policy":{"never_block":[1]}}', 'policy.never_block[0]: expected a string, got a number (1)'],
    ['{"policy":{"min_rule_level":-1}}', 'policy.min_rule_level: expected a number of at least 0, got a number (-1)'],
    ['{"policy":{"min_rule_level":17}}', 'policy.min_rule_level: expected a number of at most 16, got a number (17)'],
    ['{"databases":{"geo":""}}', 'databases.geo: expected a string of at least 1 characters, got a string ("")'],
    ['{"log":null}', 'log: expected an object, got null'],
    ['{"logins":{"block":["new-country"]}}', 'logins.block[0]: expected one of "new_country", "impossible_travel"'],
    ['{"logins":{"allowed_countries":{"alice":["ru"]}}}', 'logins.allowed_countries.alice[0]: expected an ISO 3166-1 alpha-2 country code in capitals'],
    ['{"logins":{"learning":{"days":1.5}}}', 'logins.learning.days: expected a whole number from 0 to 3650'],
    ['{"logins":{"success_rules":["sshd"]}}', 'logins.success_rules[0]: expected a rule id in quotes, e.g. "5715"'],
    ['{"logins":{"travel":{"speed":900}}}', 'logins.travel: unknown key "speed"'],
  ])('%s → %s', (text, message) => {
    expect(() => parseConfig(text, FILE)).toThrowError(expect.objectContaining({ code: 'CONFIG_INVALID', kind: 'config', message: expect.stringContaining(`${FILE}: ${message}`) }));
  });
});
