import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { parseFibTrieLocal, parseIfInet6, parseIpAddrOutput } from '../src/cli/host-addresses';
import { buildChild } from './support/build-child.js';
import { createNetns, deleteNetns, execInNetns, whyNoNetns } from './support/netns.js';

// As iproute2 prints them; a link without carrier (state DOWN / NO-CARRIER) is listed all the same.
const IP_ADDR = `1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
1: lo    inet6 ::1/128 scope host \\       valid_lft forever preferred_lft forever
4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\\       valid_lft forever preferred_lft forever
4: eth0    inet6 fd00::2/64 scope global \\       valid_lft forever preferred_lft forever
4: eth0    inet6 fe80::fc:ff:fe00:1/64 scope link \\       valid_lft forever preferred_lft forever
7: gr-nocarrier    inet 5.9.10.98/24 scope global gr-nocarrier\\       valid_lft forever preferred_lft forever
`;

describe('parseIpAddrOutput', () => {
  it('every address, IPv4 and IPv6, whatever the link state', () => {
    expect(parseIpAddrOutput(IP_ADDR)).toEqual(['127.0.0.1', '::1', '192.0.2.2', 'fd00::2', 'fe80::fc:ff:fe00:1', '5.9.10.98']);
  });

  it('nothing from empty or unexpected text', () => {
    expect(parseIpAddrOutput('')).toEqual([]);
    expect(parseIpAddrOutput('Error: ipv4: Address not found.\n')).toEqual([]);
  });
});

// As the kernel writes them, from a namespace with an address on lo, one on a veth without
// carrier, and a TPROXY/AnyIP `local 0.0.0.0/0` route in table 100.
const IF_INET6 = `2a0104f8000000000000000000000098 03 40 00 82    gr-nc
00000000000000000000000000000001 01 80 10 80       lo
fe8000000000000000fc00fffe000001 04 40 20 80     eth0
`;
const FIB_TRIE = `Id 100:
  |-- 0.0.0.0
     /0 host LOCAL
Main:
  +-- 0.0.0.0/0 3 0 5
     +-- 5.9.10.0/24 2 0 2
        |-- 5.9.10.0
           /24 link UNICAST
        |-- 5.9.10.255
           /32 link BROADCAST
Local:
  +-- 0.0.0.0/0 3 0 5
     +-- 5.9.10.0/24 2 0 2
        +-- 5.9.10.96/30 2 0 2
           |-- 5.9.10.98
              /32 host LOCAL
           |-- 5.9.10.99
              /32 host LOCAL
     +-- 127.0.0.0/8 2 0 2
        +-- 127.0.0.0/31 1 0 0
           |-- 127.0.0.0
              /8 host LOCAL
           |-- 127.0.0.1
              /32 host LOCAL
`;

describe('the kernel lists read without a process', () => {
  it('/proc/net/if_inet6: every address, written as geo-response writes IPv6', () => {
    expect(parseIfInet6(IF_INET6)).toEqual(['2a01:4f8::98', '::1', 'fe80::fc:ff:fe00:1']);
    expect(parseIfInet6('')).toEqual([]);
  });

  it('/proc/net/fib_trie: the /32 local routes only (not an AnyIP /0, not a /8, not broadcast)', () => {
    expect(parseFibTrieLocal(FIB_TRIE)).toEqual(['5.9.10.98', '5.9.10.99', '127.0.0.1']);
  });
});

const skipNetns = whyNoNetns(['ip']);
describe.skipIf(skipNetns !== undefined)(`listHostAddresses in a namespace agrees with ip -o addr show${skipNetns ? ` (skipped: ${skipNetns})` : ''}`, () => {
  let child = '';
  beforeAll(async () => {
    child = await buildChild(join(import.meta.dirname, 'support', 'host-addresses-child.ts'));
  }, 30_000);

  it('every address of an interface that is up, with or without carrier, and no AnyIP route', () => {
    const ns = createNetns('hosta');
    try {
      execInNetns(ns, 'ip', ['link', 'set', 'lo', 'up']);
      execInNetns(ns, 'ip', ['addr', 'add', '5.9.10.99/32', 'dev', 'lo']);
      execInNetns(ns, 'ip', ['link', 'add', 'gr-nc', 'type', 'veth', 'peer', 'name', 'gr-peer']);
      execInNetns(ns, 'ip', ['addr', 'add', '5.9.10.98/24', 'dev', 'gr-nc']);
      execInNetns(ns, 'ip', ['addr', 'add', '2a01:4f8::98/64', 'dev', 'gr-nc', 'nodad']);
      execInNetns(ns, 'ip', ['link', 'set', 'gr-nc', 'up']);
      execInNetns(ns, 'ip', ['route', 'add', 'local', '0.0.0.0/0', 'dev', 'lo', 'table', '100']);
      const listed = JSON.parse(execInNetns(ns, process.execPath, [child]).stdout) as string[];
      const fromIp = parseIpAddrOutput(execInNetns(ns, 'ip', ['-o', 'addr', 'show']).stdout);
      expect([...listed].sort()).toEqual([...new Set(fromIp)].sort());
      expect(listed).toEqual(expect.arrayContaining(['5.9.10.98', '5.9.10.99', '2a01:4f8::98']));
      expect(listed).not.toContain('0.0.0.0');
    } finally {
      deleteNetns(ns);
    }
  });
});
