import { describe, expect, it } from 'vitest';
import { parseFibTrieLocal, parseIfInet6 } from '../src/cli/host-addresses';

// As a Linux 6.x kernel prints them (both tables; an address may appear twice).
const FIB_TRIE = `Main:
  +-- 0.0.0.0/0 3 0 5
     |-- 0.0.0.0
        /0 universe UNICAST
     +-- 127.0.0.0/8 2 0 2
        +-- 127.0.0.0/31 1 0 0
           |-- 127.0.0.0
              /8 host LOCAL
           |-- 127.0.0.1
              /32 host LOCAL
        |-- 127.255.255.255
           /32 link BROADCAST
     +-- 192.0.2.0/24 2 0 2
        +-- 192.0.2.0/30 2 0 2
           |-- 192.0.2.0
              /24 link UNICAST
           |-- 192.0.2.2
              /32 host LOCAL
        |-- 192.0.2.255
           /32 link BROADCAST
Local:
  +-- 0.0.0.0/0 3 0 5
     |-- 5.9.10.99
        /32 host LOCAL
`;

const IF_INET6 = `00000000000000000000000000000001 01 80 10 80       lo
fd000000000000000000000000000002 04 40 00 82     eth0
2a0104f8000000000000000000000009 05 40 00 80  veth-a
fe8000000000000000fc00fffe000001 04 40 20 80     eth0
`;

describe('the kernel tables of local addresses', () => {
  it('fib_trie: local host routes, and whole local ranges as CIDR', () => {
    expect(parseFibTrieLocal(FIB_TRIE)).toEqual(['127.0.0.0/8', '127.0.0.1', '192.0.2.2', '5.9.10.99']);
  });

  it('if_inet6: every address, in canonical form', () => {
    expect(parseIfInet6(IF_INET6)).toEqual(['::1', 'fd00::2', '2a01:4f8::9', 'fe80::fc:ff:fe00:1']);
  });

  it('nothing from empty or unexpected text', () => {
    expect(parseFibTrieLocal('')).toEqual([]);
    expect(parseIfInet6('garbage\n')).toEqual([]);
  });
});
