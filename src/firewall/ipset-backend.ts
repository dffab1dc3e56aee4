import type { IpAddress } from '../geo/ip-address.js';
import type { BackendRequest, EnsureStep, FirewallBackend, FirewallPlan, PlannedCommand } from './firewall-types.js';
import { IPTABLES_ABSENT, iptablesProgram } from './iptables-backend.js';

const IPSET_ABSENT = /is NOT in set|does not exist/;

/** ipset: per-family hash:ip sets whose entries carry the expiry, matched by iptables/ip6tables drop rules. */
export const ipsetBackend: FirewallBackend = {
  name: 'ipset',
  plan(request: BackendRequest): FirewallPlan {
    const set = ipsetName(request.address);
    const ip = request.address.text;
    const probe = { command: ipset('test', set, ip), absent: IPSET_ABSENT };
    const remove = ipset('del', '-exist', set, ip);
    if (request.action === 'delete') {
      return {
        needsLock: true,
        expireSeconds: request.expireSeconds,
        steps: [{ kind: 'ensure', probe, runWhen: 'present', command: remove, effect: 'unblock', summary: `${ip} removed from ${set}` }],
      };
    }
    const family = request.address.family === 4 ? 'inet' : 'inet6';
    return {
      needsLock: true,
      expireSeconds: request.expireSeconds,
      steps: [
        // `timeout 0` makes a set whose entries may carry a timeout; -exist makes creation idempotent.
        { kind: 'run', command: ipset('create', '-exist', set, 'hash:ip', 'family', family, 'timeout', '0'), summary: `ipset ${set} (empty sets are harmless)` },
        ensureMatchRule(request.address, 'INPUT'),
        ensureMatchRule(request.address, 'FORWARD'),
        {
          kind: 'ensure',
          probe,
          runWhen: 'absent',
          // timeout 0 = the entry never expires (expire_seconds 0).
          command: ipset('add', '-exist', set, ip, 'timeout', String(request.expireSeconds)),
          undo: remove,
          effect: 'block',
          summary: `${ip} in ${set}`,
        },
      ],
    };
  },
};

function ensureMatchRule(address: IpAddress, chain: 'INPUT' | 'FORWARD'): EnsureStep {
  const program = iptablesProgram(address);
  const match = ['-m', 'set', '--match-set', ipsetName(address), 'src', '-j', 'DROP'];
  return {
    kind: 'ensure',
    probe: { command: { program, args: ['-w', '-C', chain, ...match] }, absent: IPTABLES_ABSENT },
    runWhen: 'absent',
    command: { program, args: ['-w', '-I', chain, '1', ...match] },
    undo: { program, args: ['-w', '-D', chain, ...match] },
    summary: `${program} ${chain} rule for ${ipsetName(address)}`,
  };
}

/** The ipset set that holds blocks of this address family. */
export function ipsetName(address: IpAddress): string {
  return address.family === 4 ? 'geo_response4' : 'geo_response6';
}

function ipset(...args: string[]): PlannedCommand {
  return { program: 'ipset', args };
}
