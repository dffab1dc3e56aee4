import type { IpAddress } from '../geo/ip-address.js';
import type { BackendRequest, BlockInventory, EnsureStep, FirewallBackend, FirewallPlan, ListedBlock, PlanStep, RestoreEntry } from './firewall-types.js';

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
        ...planChainAndJumps(program),
        { kind: 'ensure', probe, runWhen: 'absent', command: { program, args: ['-w', '-A', ...rule] }, undo: remove, effect: 'block', summary: `${request.address.text} in ${IPTABLES_CHAIN}` },
      ],
    };
  },
  inventory: createIptablesInventory(),
};

// Our chain and the jumps to it from INPUT and FORWARD, each idempotent.
function planChainAndJumps(program: 'iptables' | 'ip6tables'): PlanStep[] {
  return [
    {
      kind: 'run',
      command: { program, args: ['-w', '-N', IPTABLES_CHAIN] },
      unchanged: /Chain already exists/,
      undo: { program, args: ['-w', '-X', IPTABLES_CHAIN] },
      summary: `${program} chain ${IPTABLES_CHAIN}`,
    },
    ensureJump(program, 'INPUT'),
    ensureJump(program, 'FORWARD'),
  ];
}

// `iptables -S` lists an empty table without failing.
const NEVER_ABSENT = /(?!)/;

/** The addresses our chain drops, from `iptables -S` (`-A GEO_RESPONSE -s 1.2.3.4/32 -j DROP`). Pure. */
export function parseIptablesRules(stdout: string): ListedBlock[] {
  const prefix = `-A ${IPTABLES_CHAIN} -s `;
  return stdout
    .split('\n')
    .filter((line) => line.startsWith(prefix) && line.trimEnd().endsWith(' -j DROP'))
    .map((line) => ({ ip: (line.slice(prefix.length).split(' ')[0] ?? '').replace(/\/(32|128)$/, '') }));
}

function createIptablesInventory(): BlockInventory {
  return {
    nativeExpiry: false,
    reportsExpiry: false,
    // The whole filter table, of which our chain's rules are kept: `-S GEO_RESPONSE` on a chain that does not
    // exist fails with "incompatible, use 'nft' tool" on iptables-nft 1.8.9, indistinguishable from a real conflict.
    list: () => (['iptables', 'ip6tables'] as const).map((program) => ({ command: { program, args: ['-w', '-S'] }, absent: NEVER_ABSENT, parse: parseIptablesRules })),
    // A second -A would be a second rule: restore adds only what the listing did not show.
    restoreSkipsListed: true,
    planRestore(entries) {
      const steps = ([4, 6] as const).flatMap((family) => {
        const mine = entries.filter((entry) => entry.address.family === family);
        if (mine.length === 0) return [];
        const program = iptablesProgram({ family });
        return [...planChainAndJumps(program), { kind: 'run' as const, command: { program: `${program}-restore`, args: ['-w', '--noflush'], input: formatRestoreRules(mine) }, effect: 'block' as const, summary: `${mine.length} rule(s) in ${IPTABLES_CHAIN}` }];
      });
      return { needsLock: true, expireSeconds: 0, steps };
    },
  };
}

// --noflush and no chain declaration: the rules are appended to the chain as it is (one commit per table).
function formatRestoreRules(entries: readonly RestoreEntry[]): string {
  return `*filter\n${entries.map((entry) => `-A ${IPTABLES_CHAIN} -s ${entry.address.text} -j DROP\n`).join('')}COMMIT\n`;
}

/** iptables for IPv4, ip6tables for IPv6. */
export function iptablesProgram(address: Pick<IpAddress, 'family'>): 'iptables' | 'ip6tables' {
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
