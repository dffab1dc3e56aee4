import { describe, expect, it } from 'vitest';
import { parseIpAddress } from '../src/geo/ip-address.js';
import { classifyAddress } from '../src/geo/special-ranges.js';
import { defaultConfig } from '../src/policy/default-config.js';
import type { PolicyConfig } from '../src/policy/config-schema.js';
import { decide, type DecisionInput } from '../src/policy/decide.js';

const HOST_ADDRESSES = ['127.0.0.1', '::1', '5.6.7.8', 'fe80::1'];

function policy(overrides: Partial<PolicyConfig>): PolicyConfig {
  return { ...defaultConfig().policy, ...overrides };
}

function input(ip: string, extra: Partial<DecisionInput> = {}): DecisionInput {
  const address = parseIpAddress(ip);
  return { action: 'add', address, addressClass: classifyAddress(address).addressClass, hostAddresses: HOST_ADDRESSES, lookupFailed: false, ...extra };
}

const deny = policy({ mode: 'deny', countries: ['RU', 'CN'], asns: [4134] });
const allow = policy({ mode: 'allow', countries: ['DE', 'FR'], asns: [3320] });

const cases: Array<{ title: string; input: DecisionInput; policy: PolicyConfig; action: string; reason: string }> = [
  { title: 'RU under deny list', input: input('1.0.0.1', { countryIsoCode: 'RU' }), policy: deny, action: 'block', reason: 'RU is in deny list' },
  { title: 'DE under deny list', input: input('1.0.0.1', { countryIsoCode: 'DE', asNumber: 3320 }), policy: deny, action: 'allow', reason: 'DE is not in deny list' },
  { title: 'DE under deny list with asns but no ASN data', input: input('1.0.0.1', { countryIsoCode: 'DE' }), policy: deny, action: 'allow', reason: 'DE is not in deny list (AS unknown (no ASN database); asns not checked)' },
  { title: 'DE under deny list, address not in the ASN database', input: input('1.0.0.1', { countryIsoCode: 'DE', asnDatabaseUsed: true }), policy: deny, action: 'allow', reason: 'DE is not in deny list (AS not in the ASN database; asns not checked)' },
  { title: 'DE under deny list with no asns configured: no ASN note', input: input('1.0.0.1', { countryIsoCode: 'DE' }), policy: { ...deny, asns: [] }, action: 'allow', reason: 'DE is not in deny list' },
  { title: 'RU under deny list with no ASN data: the asns could not change it', input: input('1.0.0.1', { countryIsoCode: 'RU' }), policy: deny, action: 'block', reason: 'RU is in deny list' },
  { title: 'AS4134 (country US) under deny list', input: input('1.0.0.1', { countryIsoCode: 'US', asNumber: 4134 }), policy: deny, action: 'block', reason: 'AS4134 is in deny list' },
  { title: 'AS4134 with unknown country under deny list', input: input('1.0.0.1', { asNumber: 4134 }), policy: deny, action: 'block', reason: 'AS4134 is in deny list' },
  { title: 'IPv6 CN under deny list', input: input('2400:da00::1', { countryIsoCode: 'CN' }), policy: deny, action: 'block', reason: 'CN is in deny list' },
  { title: 'DE under allow list', input: input('1.0.0.1', { countryIsoCode: 'DE' }), policy: allow, action: 'allow', reason: 'DE is in allow list' },
  { title: 'US under allow list', input: input('1.0.0.1', { countryIsoCode: 'US', asNumber: 7018 }), policy: allow, action: 'block', reason: 'US is not in allow list' },
  { title: 'US under allow list with asns but no ASN data', input: input('1.0.0.1', { countryIsoCode: 'US' }), policy: allow, action: 'block', reason: 'US is not in allow list (AS unknown (no ASN database); asns not checked)' },
  { title: 'AS3320 (country US) under allow list', input: input('1.0.0.1', { countryIsoCode: 'US', asNumber: 3320 }), policy: allow, action: 'allow', reason: 'AS3320 is in allow list' },
  { title: 'unknown country, unknown=log', input: input('1.0.0.1', { asNumber: 7018 }), policy: deny, action: 'log', reason: 'country unknown; policy.unknown is log' },
  { title: 'unknown country, unknown=block', input: input('1.0.0.1'), policy: { ...deny, unknown: 'block' }, action: 'block', reason: 'country unknown; policy.unknown is block' },
  { title: 'unknown country under allow list, unknown=block', input: input('1.0.0.1', { asNumber: 7018 }), policy: { ...allow, unknown: 'block' }, action: 'block', reason: 'country unknown; policy.unknown is block' },
  { title: 'documentation 198.51.100.7 follows unknown even with a country', input: input('198.51.100.7', { countryIsoCode: 'RU' }), policy: { ...deny, unknown: 'block' }, action: 'block', reason: 'country unknown (documentation); policy.unknown is block' },
  { title: 'benchmarking 198.18.0.1 follows unknown=log', input: input('198.18.0.1'), policy: deny, action: 'log', reason: 'country unknown (benchmarking); policy.unknown is log' },
  { title: 'never_block 192.0.2.0/24 wins over unknown=block', input: input('192.0.2.9'), policy: { ...deny, unknown: 'block', never_block: ['192.0.2.0/24'] }, action: 'allow', reason: '192.0.2.0/24 is in never_block' },
  { title: 'never_block 1.0.0.0/24 wins over the deny list', input: input('1.0.0.1', { countryIsoCode: 'RU' }), policy: { ...deny, never_block: ['1.0.0.0/24'] }, action: 'allow', reason: '1.0.0.0/24 is in never_block' },
  { title: 'never_block single IPv6 address', input: input('2400:da00::1', { countryIsoCode: 'CN' }), policy: { ...deny, never_block: ['2400:da00::1'] }, action: 'allow', reason: '2400:da00::1 is in never_block' },
  { title: 'never_block of the other family does not match', input: input('1.0.0.1', { countryIsoCode: 'RU' }), policy: { ...deny, never_block: ['::/0'] }, action: 'block', reason: 'RU is in deny list' },
  { title: 'rule 5710 in rules.exclude', input: input('1.0.0.1', { countryIsoCode: 'RU', ruleId: '5710' }), policy: { ...deny, rules: { include: [], exclude: [5710] } }, action: 'log', reason: 'rule 5710 is in rules.exclude' },
  { title: 'rule 5710 not in rules.include', input: input('1.0.0.1', { countryIsoCode: 'RU', ruleId: '5710' }), policy: { ...deny, rules: { include: ['5763'], exclude: [] } }, action: 'log', reason: 'rule 5710 is not in rules.include' },
  { title: 'rule 5763 in rules.include', input: input('1.0.0.1', { countryIsoCode: 'RU', ruleId: '5763' }), policy: { ...deny, rules: { include: ['5763'], exclude: [] } }, action: 'block', reason: 'RU is in deny list' },
  { title: 'no rule id with rules.include set', input: input('1.0.0.1', { countryIsoCode: 'RU' }), policy: { ...deny, rules: { include: ['5763'], exclude: [] } }, action: 'block', reason: 'RU is in deny list (rule id not carried; rules.include/exclude not applied)' },
  { title: 'rule level 3 below min_rule_level 5', input: input('1.0.0.1', { countryIsoCode: 'RU', ruleId: '5710', ruleLevel: 3 }), policy: { ...deny, min_rule_level: 5 }, action: 'log', reason: 'rule level 3 is below min_rule_level 5' },
  { title: 'rule level 4, one below min_rule_level 5', input: input('1.0.0.1', { countryIsoCode: 'RU', ruleId: '5710', ruleLevel: 4 }), policy: { ...deny, min_rule_level: 5 }, action: 'log', reason: 'rule level 4 is below min_rule_level 5' },
  { title: 'rule level 5 equal to min_rule_level 5 (the minimum is inclusive)', input: input('1.0.0.1', { countryIsoCode: 'RU', ruleId: '5710', ruleLevel: 5 }), policy: { ...deny, min_rule_level: 5 }, action: 'block', reason: 'RU is in deny list' },
  { title: 'rule level 0 with min_rule_level 0 (off)', input: input('1.0.0.1', { countryIsoCode: 'RU', ruleId: '5710', ruleLevel: 0 }), policy: { ...deny, min_rule_level: 0 }, action: 'block', reason: 'RU is in deny list' },
  { title: 'rule level 16 equal to min_rule_level 16', input: input('1.0.0.1', { countryIsoCode: 'RU', ruleId: '5710', ruleLevel: 16 }), policy: { ...deny, min_rule_level: 16 }, action: 'block', reason: 'RU is in deny list' },
  { title: 'rule level 10 at or above min_rule_level 5', input: input('1.0.0.1', { countryIsoCode: 'RU', ruleId: '5710', ruleLevel: 10 }), policy: { ...deny, min_rule_level: 5 }, action: 'block', reason: 'RU is in deny list' },
  { title: 'OSSEC argv (no level) with min_rule_level 5', input: input('1.0.0.1', { countryIsoCode: 'RU', ruleId: '5710' }), policy: { ...deny, min_rule_level: 5 }, action: 'block', reason: 'RU is in deny list (rule level not carried; min_rule_level 5 not applied)' },
  { title: 'policy mode off', input: input('1.0.0.1', { countryIsoCode: 'RU' }), policy: policy({ countries: ['RU'] }), action: 'log', reason: 'policy mode off' },
  { title: 'lookup failed under deny list with unknown=block', input: input('1.0.0.1', { lookupFailed: true }), policy: { ...deny, unknown: 'block' }, action: 'log', reason: 'lookup failed; never blocking on a broken database' },
  { title: 'loopback 127.0.0.1', input: input('127.0.0.1'), policy: { ...deny, unknown: 'block', allow_private: true }, action: 'allow', reason: '127.0.0.0/8 never blocked (loopback)' },
  { title: 'loopback ::1', input: input('::1'), policy: { ...deny, unknown: 'block', allow_private: true }, action: 'allow', reason: '::1/128 never blocked (loopback)' },
  { title: 'link-local 169.254.1.1', input: input('169.254.1.1'), policy: { ...deny, unknown: 'block', allow_private: true }, action: 'allow', reason: '169.254.0.0/16 never blocked (link-local)' },
  { title: 'link-local fe80::2', input: input('fe80::2'), policy: { ...deny, unknown: 'block', allow_private: true }, action: 'allow', reason: 'fe80::/10 never blocked (link-local)' },
  { title: 'multicast 224.0.0.1', input: input('224.0.0.1'), policy: { ...deny, unknown: 'block', allow_private: true }, action: 'allow', reason: '224.0.0.0/4 never blocked (multicast)' },
  { title: 'unspecified 0.0.0.0', input: input('0.0.0.0'), policy: { ...deny, unknown: 'block', allow_private: true }, action: 'allow', reason: '0.0.0.0/32 never blocked (unspecified)' },
  { title: 'broadcast 255.255.255.255', input: input('255.255.255.255'), policy: { ...deny, unknown: 'block', allow_private: true }, action: 'allow', reason: '255.255.255.255/32 never blocked (broadcast)' },
  { title: 'host address 5.6.7.8 in the deny list', input: input('5.6.7.8', { countryIsoCode: 'RU' }), policy: deny, action: 'allow', reason: '5.6.7.8 is an address of this host; never blocked' },
  { title: 'host address as ::ffff:5.6.7.8', input: input('::ffff:5.6.7.8', { countryIsoCode: 'RU' }), policy: deny, action: 'allow', reason: '5.6.7.8 is an address of this host; never blocked' },
  { title: 'private 10.1.2.3 without allow_private', input: input('10.1.2.3'), policy: { ...deny, unknown: 'block' }, action: 'allow', reason: '10.0.0.0/8 never blocked (private; allow_private is false)' },
  { title: 'unique-local fd00::1 without allow_private', input: input('fd00::1'), policy: { ...deny, unknown: 'block' }, action: 'allow', reason: 'fc00::/7 never blocked (unique-local; allow_private is false)' },
  { title: 'CGNAT 100.64.0.1 without allow_private', input: input('100.64.0.1'), policy: { ...deny, unknown: 'block' }, action: 'allow', reason: '100.64.0.0/10 never blocked (cgnat; allow_private is false)' },
  { title: 'private 192.168.1.5 with allow_private and unknown=block', input: input('192.168.1.5'), policy: { ...deny, unknown: 'block', allow_private: true }, action: 'block', reason: 'country unknown (private); policy.unknown is block' },
  { title: 'private 192.168.1.5 with allow_private in never_block', input: input('192.168.1.5'), policy: { ...deny, unknown: 'block', allow_private: true, never_block: ['192.168.0.0/16'] }, action: 'allow', reason: '192.168.0.0/16 is in never_block' },
  { title: 'no rule id with only rules.exclude set', input: input('1.0.0.1', { countryIsoCode: 'RU' }), policy: { ...deny, rules: { include: [], exclude: [5710] } }, action: 'block', reason: 'RU is in deny list (rule id not carried; rules.include/exclude not applied)' },
  {
    title: 'OSSEC argv (no level) with rules.include and min_rule_level 5: both notes',
    input: input('1.0.0.1', { countryIsoCode: 'RU' }),
    policy: { ...deny, rules: { include: ['5763'], exclude: [] }, min_rule_level: 5 },
    action: 'block',
    reason: 'RU is in deny list (rule id not carried; rules.include/exclude not applied; rule level not carried; min_rule_level 5 not applied)',
  },
  // A host address with a zone id cannot be parsed: it is skipped, not taken for the attacker's.
  { title: 'unparsable host address fe80::1%eth0 is skipped', input: input('1.0.0.1', { countryIsoCode: 'RU', hostAddresses: ['fe80::1%eth0', '5.6.7.8'] }), policy: deny, action: 'block', reason: 'RU is in deny list' },
  { title: 'delete of RU under deny list decides the same', input: input('1.0.0.1', { countryIsoCode: 'RU', action: 'delete' }), policy: deny, action: 'block', reason: 'RU is in deny list' },
];

describe('decide', () => {
  it.each(cases)('$title', ({ input: decisionInput, policy: policyConfig, action, reason }) => {
    expect(decide(decisionInput, policyConfig)).toEqual({ action, reason });
  });
});
