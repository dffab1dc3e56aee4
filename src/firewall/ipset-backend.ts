import type { IpAddress } from '../geo/ip-address.js';
import type { BackendRequest, BlockInventory, EnsureStep, FirewallBackend, FirewallPlan, ListedBlock, PlannedCommand, PlanStep, RestoreEntry } from './firewall-types.js';
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
    return {
      needsLock: true,
      expireSeconds: request.expireSeconds,
      steps: [
        ...planSetAndRules(request.address.family),
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
  inventory: createIpsetInventory(),
};

// The set of a family and the iptables/ip6tables rules that match it, each idempotent.
function planSetAndRules(family: 4 | 6): PlanStep[] {
  const set = ipsetName({ family });
  return [
    // `timeout 0` makes a set whose entries may carry a timeout; -exist makes creation idempotent.
    { kind: 'run', command: ipset('create', '-exist', set, 'hash:ip', 'family', family === 4 ? 'inet' : 'inet6', 'timeout', '0'), summary: `ipset ${set} (empty sets are harmless)` },
    ensureMatchRule({ family }, 'INPUT'),
    ensureMatchRule({ family }, 'FORWARD'),
  ];
}

/** The entries of one of our sets from `ipset save` (`add geo_response4 1.2.3.4 timeout 3599`). Pure. */
export function parseIpsetSave(stdout: string): ListedBlock[] {
  return stdout.split('\n').flatMap((line): ListedBlock[] => {
    const words = line.trim().split(/\s+/);
    if (words[0] !== 'add' || words[2] === undefined) return [];
    const timeoutAt = words.indexOf('timeout');
    const seconds = timeoutAt === -1 ? NaN : Number(words[timeoutAt + 1]);
    // An entry added with timeout 0 never expires and is saved without one.
    return [Number.isFinite(seconds) && seconds > 0 ? { ip: words[2], expiresInSeconds: seconds } : { ip: words[2] }];
  });
}

function formatIpsetBatch(entries: readonly RestoreEntry[]): string {
  // -exist on add sets the timeout of an entry already there: the batch is idempotent.
  return entries.map((entry) => `add ${ipsetName(entry.address)} ${entry.address.text} timeout ${entry.remainingSeconds}\n`).join('');
}

function createIpsetInventory(): BlockInventory {
  return {
    nativeExpiry: true,
    reportsExpiry: true,
    list: () => (['geo_response4', 'geo_response6'] as const).map((set) => ({ command: ipset('save', set), absent: /does not exist/, parse: parseIpsetSave })),
    restoreSkipsListed: false,
    planRestore(entries) {
      const families = ([4, 6] as const).filter((family) => entries.some((entry) => entry.address.family === family));
      return {
        needsLock: true,
        steps: [
          ...families.flatMap(planSetAndRules),
          { kind: 'run', command: { program: 'ipset', args: ['restore', '-exist'], input: formatIpsetBatch(entries) }, effect: 'block', summary: `${entries.length} entries in ${families.map((family) => ipsetName({ family })).join(', ')}` },
        ],
      };
    },
  };
}

function ensureMatchRule(address: Pick<IpAddress, 'family'>, chain: 'INPUT' | 'FORWARD'): EnsureStep {
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
export function ipsetName(address: Pick<IpAddress, 'family'>): string {
  return address.family === 4 ? 'geo_response4' : 'geo_response6';
}

function ipset(...args: string[]): PlannedCommand {
  return { program: 'ipset', args };
}
