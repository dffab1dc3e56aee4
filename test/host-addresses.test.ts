import { describe, expect, it } from 'vitest';
import { parseIpAddrOutput } from '../src/cli/host-addresses';

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
