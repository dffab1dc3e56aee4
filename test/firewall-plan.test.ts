import { describe, expect, it } from 'vitest';
import { applyFirewall } from '../src/firewall/index.js';
import { parseIpAddress } from '../src/geo/ip-address.js';
import type { FirewallConfig } from '../src/policy/config-schema.js';
import { createFakeBinDir } from './support/fake-bin.js';

// Dry run: the exact commands each backend plans, rendered with the binaries found in a fake bin dir.
const bin = createFakeBinDir({ nft: [], ipset: [], iptables: [], ip6tables: [], 'iptables-save': [], 'ip6tables-save': [], 'firewall-cmd': [] }).dir;
const OSSEC_ARGS = ['-', '1.0.0.1', '1764201234.12345', '5710', '/var/log/auth.log', '-'];
const NFT_SETUP =
  'add table inet geo_response; add set inet geo_response blocked4 { type ipv4_addr; flags timeout; }; add set inet geo_response blocked6 { type ipv6_addr; flags timeout; }; ' +
  'add chain inet geo_response input { type filter hook input priority -10; policy accept; }; flush chain inet geo_response input; add rule inet geo_response input ip saddr @blocked4 drop; add rule inet geo_response input ip6 saddr @blocked6 drop; ' +
  'add chain inet geo_response forward { type filter hook forward priority -10; policy accept; }; flush chain inet geo_response forward; add rule inet geo_response forward ip saddr @blocked4 drop; add rule inet geo_response forward ip6 saddr @blocked6 drop';

const cases: Array<{ title: string; config: Partial<FirewallConfig>; action: 'add' | 'delete'; ip: string; expire_seconds?: number; commands: string[] }> = [
  {
    title: 'nftables add 1.0.0.1',
    config: { backend: 'nftables' },
    action: 'add',
    ip: '1.0.0.1',
    expire_seconds: 3600,
    commands: [`${bin}/nft '${NFT_SETUP}; create element inet geo_response blocked4 { 1.0.0.1 timeout 3600s }'`],
  },
  {
    title: 'nftables add 2a00:1450::1 without expiry',
    config: { backend: 'nftables', expire_seconds: 0 },
    action: 'add',
    ip: '2a00:1450::1',
    expire_seconds: 0,
    commands: [`${bin}/nft '${NFT_SETUP}; create element inet geo_response blocked6 { 2a00:1450::1 }'`],
  },
  {
    title: 'nftables delete 1.0.0.1',
    config: { backend: 'nftables' },
    action: 'delete',
    ip: '1.0.0.1',
    expire_seconds: 3600,
    commands: [`${bin}/nft 'delete element inet geo_response blocked4 { 1.0.0.1 }'`],
  },
  {
    title: 'ipset add 1.0.0.1',
    config: { backend: 'ipset' },
    action: 'add',
    ip: '1.0.0.1',
    expire_seconds: 3600,
    commands: [
      `${bin}/iptables-save -t filter`,
      `${bin}/ipset add geo_response4 1.0.0.1 timeout 3600`,
      `if the set-up is missing: ${bin}/ipset create -exist geo_response4 hash:ip family inet timeout 0`,
      `if the set-up is missing: ${bin}/iptables -w -C INPUT -m set --match-set geo_response4 src -j DROP || ${bin}/iptables -w -I INPUT 1 -m set --match-set geo_response4 src -j DROP`,
      `if the set-up is missing: ${bin}/iptables -w -C FORWARD -m set --match-set geo_response4 src -j DROP || ${bin}/iptables -w -I FORWARD 1 -m set --match-set geo_response4 src -j DROP`,
      `if the set-up is missing: ${bin}/ipset test geo_response4 1.0.0.1 || ${bin}/ipset add geo_response4 1.0.0.1 timeout 3600`,
    ],
  },
  {
    title: 'ipset add 2a00:1450::1',
    config: { backend: 'ipset' },
    action: 'add',
    ip: '2a00:1450::1',
    expire_seconds: 3600,
    commands: [
      `${bin}/ip6tables-save -t filter`,
      `${bin}/ipset add geo_response6 2a00:1450::1 timeout 3600`,
      `if the set-up is missing: ${bin}/ipset create -exist geo_response6 hash:ip family inet6 timeout 0`,
      `if the set-up is missing: ${bin}/ip6tables -w -C INPUT -m set --match-set geo_response6 src -j DROP || ${bin}/ip6tables -w -I INPUT 1 -m set --match-set geo_response6 src -j DROP`,
      `if the set-up is missing: ${bin}/ip6tables -w -C FORWARD -m set --match-set geo_response6 src -j DROP || ${bin}/ip6tables -w -I FORWARD 1 -m set --match-set geo_response6 src -j DROP`,
      `if the set-up is missing: ${bin}/ipset test geo_response6 2a00:1450::1 || ${bin}/ipset add geo_response6 2a00:1450::1 timeout 3600`,
    ],
  },
  {
    title: 'ipset delete 1.0.0.1',
    config: { backend: 'ipset' },
    action: 'delete',
    ip: '1.0.0.1',
    expire_seconds: 3600,
    commands: [`${bin}/ipset del geo_response4 1.0.0.1`],
  },
  {
    title: 'iptables add 1.0.0.1 (no native expiry)',
    config: { backend: 'iptables' },
    action: 'add',
    ip: '1.0.0.1',
    expire_seconds: 0,
    commands: [
      `${bin}/iptables -w -N GEO_RESPONSE`,
      `${bin}/iptables -w -C INPUT -j GEO_RESPONSE || ${bin}/iptables -w -I INPUT 1 -j GEO_RESPONSE`,
      `${bin}/iptables -w -C FORWARD -j GEO_RESPONSE || ${bin}/iptables -w -I FORWARD 1 -j GEO_RESPONSE`,
      `${bin}/iptables -w -C GEO_RESPONSE -s 1.0.0.1 -j DROP || ${bin}/iptables -w -A GEO_RESPONSE -s 1.0.0.1 -j DROP`,
    ],
  },
  {
    title: 'iptables delete 2a00:1450::1',
    config: { backend: 'iptables' },
    action: 'delete',
    ip: '2a00:1450::1',
    expire_seconds: 0,
    commands: [`${bin}/ip6tables -w -C GEO_RESPONSE -s 2a00:1450::1 -j DROP && ${bin}/ip6tables -w -D GEO_RESPONSE -s 2a00:1450::1 -j DROP`],
  },
  {
    title: 'firewalld add 1.0.0.1',
    config: { backend: 'firewalld' },
    action: 'add',
    ip: '1.0.0.1',
    expire_seconds: 3600,
    commands: [
      `${bin}/firewall-cmd '--query-rich-rule=rule family="ipv4" source address="1.0.0.1" drop' || ${bin}/firewall-cmd '--add-rich-rule=rule family="ipv4" source address="1.0.0.1" drop' --timeout=3600s`,
    ],
  },
  {
    title: 'firewalld add 2a00:1450::1 without expiry',
    config: { backend: 'firewalld', expire_seconds: 0 },
    action: 'add',
    ip: '2a00:1450::1',
    expire_seconds: 0,
    commands: [
      `${bin}/firewall-cmd '--query-rich-rule=rule family="ipv6" source address="2a00:1450::1" drop' || ${bin}/firewall-cmd '--add-rich-rule=rule family="ipv6" source address="2a00:1450::1" drop'`,
    ],
  },
  {
    title: 'firewalld delete 1.0.0.1',
    config: { backend: 'firewalld' },
    action: 'delete',
    ip: '1.0.0.1',
    expire_seconds: 3600,
    commands: [
      `${bin}/firewall-cmd '--query-rich-rule=rule family="ipv4" source address="1.0.0.1" drop' && ${bin}/firewall-cmd '--remove-rich-rule=rule family="ipv4" source address="1.0.0.1" drop'`,
    ],
  },
  {
    title: 'command add 1.0.0.1 with a fixed argument',
    config: { backend: 'command', command: ['/var/ossec/active-response/bin/firewall-drop.sh', '--quiet'] },
    action: 'add',
    ip: '1.0.0.1',
    commands: [`/var/ossec/active-response/bin/firewall-drop.sh --quiet add - 1.0.0.1 1764201234.12345 5710 /var/log/auth.log -`],
  },
  {
    title: 'command delete 1.0.0.1',
    config: { backend: 'command', command: ['/var/ossec/active-response/bin/firewall-drop.sh'] },
    action: 'delete',
    ip: '1.0.0.1',
    commands: [`/var/ossec/active-response/bin/firewall-drop.sh delete - 1.0.0.1 1764201234.12345 5710 /var/log/auth.log -`],
  },
];

describe('dry run plans', () => {
  it.each(cases)('$title', async ({ config, action, ip, expire_seconds, commands }) => {
    const full: FirewallConfig = { backend: 'none', expire_seconds: 3600, dry_run: true, ...config };
    const outcome = await applyFirewall(
      { action, address: parseIpAddress(ip), decision: 'block', expireSeconds: full.expire_seconds, ossecArgs: [action, ...OSSEC_ARGS] },
      full,
      { env: {}, binDirs: [bin] },
    );
    expect(outcome.error).toBeUndefined();
    expect(outcome.fields).toEqual({ backend: full.backend, result: 'planned', dry_run: true, ...(expire_seconds === undefined ? {} : { expire_seconds }), commands });
  });
});

describe('requests that change nothing', () => {
  it.each([
    { title: 'add decided "log" with nftables', backend: 'nftables' as const, action: 'add' as const, decision: 'log' as const },
    { title: 'add decided "allow" with iptables', backend: 'iptables' as const, action: 'add' as const, decision: 'allow' as const },
    { title: 'delete with backend none', backend: 'none' as const, action: 'delete' as const, decision: 'block' as const },
  ])('$title', async ({ backend, action, decision }) => {
    // An empty bin dir: had anything tried to run, it would have failed for a missing binary.
    const outcome = await applyFirewall(
      { action, address: parseIpAddress('1.0.0.1'), decision, expireSeconds: 60, ossecArgs: [action] },
      { backend, expire_seconds: 60, dry_run: false },
      { env: {}, binDirs: [createFakeBinDir({}).dir] },
    );
    expect(outcome).toEqual({ fields: { backend, result: 'none' } });
  });
});
