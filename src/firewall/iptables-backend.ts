import type { IpAddress } from '../geo/ip-address.js';
import type { BackendRequest, EnsureStep, FirewallBackend, FirewallPlan } from './firewall-types.js';

export const IPTABLES_CHAIN = 'GEO_RESPONSE';
// `-C` answers exit 1 with one of these when the rule (or, with iptables-legacy, its chain) is not there.
export const IPTABLES_ABSENT = /Bad rule|No chain\/target\/match by that name|does not exist/;

/** Plain iptables/ip6tables: one DROP rule per address in a dedicated chain jumped to from INPUT and FORWARD. No native expiry. */
export const iptablesBackend: FirewallBackend = {
  name: 'iptables',
  plan(request: BackendRequest): FirewallPlan {
    const program = iptablesProgram(request.address);
    const rule = [IPTABLES_CHAIN, '-s', request.address.text, '-j', 'DROP'];
    const probe = { command: { program, args: ['-w', '-C', ...rule] }, absent: IPTABLES_ABSENT };
    const remove = { program, args: ['-w', '-D', ...rule] };
    if (request.action === 'delete') {
      return {
        needsLock: true,
        expireSeconds: 0,
        steps: [{ kind: 'ensure', probe, runWhen: 'present', command: remove, effect: 'unblock', summary: `${request.address.text} removed` }],
      };
    }
    return {
      needsLock: true,
      // iptables rules have no timeout: the only removal is execd's delete (say so in the record: 0 = none).
      expireSeconds: 0,
      steps: [
        {
          kind: 'run',
          command: { program, args: ['-w', '-N', IPTABLES_CHAIN] },
          unchanged: /Chain already exists/,
          undo: { program, args: ['-w', '-X', IPTABLES_CHAIN] },
          summary: `${program} chain ${IPTABLES_CHAIN}`,
        },
        ensureJump(program, 'INPUT'),
        ensureJump(program, 'FORWARD'),
        { kind: 'ensure', probe, runWhen: 'absent', command: { program, args: ['-w', '-A', ...rule] }, undo: remove, effect: 'block', summary: `${request.address.text} in ${IPTABLES_CHAIN}` },
      ],
    };
  },
};

/** iptables for IPv4, ip6tables for IPv6. */
export function iptablesProgram(address: IpAddress): 'iptables' | 'ip6tables' {
  return address.family === 4 ? 'iptables' : 'ip6tables';
}

function ensureJump(program: string, chain: 'INPUT' | 'FORWARD'): EnsureStep {
  const jump = [chain, '-j', IPTABLES_CHAIN];
  return {
    kind: 'ensure',
    probe: { command: { program, args: ['-w', '-C', ...jump] }, absent: IPTABLES_ABSENT },
    runWhen: 'absent',
    command: { program, args: ['-w', '-I', chain, '1', '-j', IPTABLES_CHAIN] },
    undo: { program, args: ['-w', '-D', ...jump] },
    summary: `${program} ${chain} jump to ${IPTABLES_CHAIN}`,
  };
}
