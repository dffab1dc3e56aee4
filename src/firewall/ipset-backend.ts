import type { IpAddress } from '../geo/ip-address.js';
import type { BackendRequest, BlockInventory, EnsureStep, FirewallBackend, FirewallPlan, ListedBlock, PlannedCommand, PlanStep, Probe, RestoreEntry } from './firewall-types.js';
import { IPTABLES_ABSENT, iptablesProgram } from './iptables-backend.js';

const IPSET_ABSENT = /is NOT in set|does not exist/;
const IPSET_ABSENT_ON_DELETE = /it's not added|does not exist/;
const IPSET_ALREADY_ADDED = /it's already added/;
const IPSET_NO_SET = /does not exist/;

/** ipset: per-family hash:ip sets whose entries carry the expiry, matched by iptables/ip6tables drop rules. */
export const ipsetBackend: FirewallBackend = {
  name: 'ipset',
  // An alert needs no lock: each ipset run is atomic, and the match rules are only read. The first
  // block after a boot or a flush finds the set or a rule missing: then the whole set-up, checked
  // then made, runs under the lock (setUpPlan).
  plan(request: BackendRequest): FirewallPlan {
    const set = ipsetName(request.address);
    const ip = request.address.text;
    if (request.action === 'delete') {
      return {
        needsLock: false,
        expireSeconds: request.expireSeconds,
        // "it's not added" or "does not exist": nothing to remove.
        steps: [{ kind: 'run', command: ipset('del', set, ip), unchanged: IPSET_ABSENT_ON_DELETE, effect: 'unblock', summary: `${ip} removed from ${set}` }],
      };
    }
    const family = request.address.family;
    return {
      needsLock: false,
      expireSeconds: request.expireSeconds,
      steps: [
        { kind: 'verify', probe: matchRulesListed({ family }), says: 'present', summary: `${iptablesProgram({ family })} INPUT and FORWARD rules for ${set}` },
        // Without -exist: an address already there keeps its first expiry, and says so.
        { kind: 'run', command: addEntry(request), unchanged: IPSET_ALREADY_ADDED, setUpMissing: IPSET_NO_SET, undo: ipset('del', '-exist', set, ip), effect: 'block', summary: `${ip} in ${set}` },
      ],
      setUp: setUpPlan(request),
    };
  },
  inventory: createIpsetInventory(),
};

// The first block of a family (or after a flush): the set and its match rules, each made if
// missing, then the entry, unless it is there already. Runs under the lock: the rules are checked
// then inserted, which would race.
function setUpPlan(request: BackendRequest): FirewallPlan {
  const set = ipsetName(request.address);
  const ip = request.address.text;
  return {
    needsLock: true,
    expireSeconds: request.expireSeconds,
    steps: [
      ...planSetAndRules(request.address.family),
      { kind: 'ensure', probe: { command: ipset('test', set, ip), absent: IPSET_ABSENT }, runWhen: 'absent', command: addEntry(request), undo: ipset('del', '-exist', set, ip), effect: 'block', summary: `${ip} in ${set}` },
    ],
  };
}

// timeout 0 = the entry never expires (expire_seconds 0).
function addEntry(request: BackendRequest): PlannedCommand {
  return ipset('add', ipsetName(request.address), request.address.text, 'timeout', String(request.expireSeconds));
}

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
  const match = matchArgs(address);
  return {
    kind: 'ensure',
    probe: matchRuleProbe(address, chain),
    runWhen: 'absent',
    command: { program, args: ['-w', '-I', chain, '1', ...match] },
    undo: { program, args: ['-w', '-D', chain, ...match] },
    summary: `${program} ${chain} rule for ${ipsetName(address)}`,
  };
}

function matchRuleProbe(address: Pick<IpAddress, 'family'>, chain: 'INPUT' | 'FORWARD'): Probe {
  return { command: { program: iptablesProgram(address), args: ['-w', '-C', chain, ...matchArgs(address)] }, absent: IPTABLES_ABSENT };
}

// Both match rules in one listing (one process where two `iptables -C` were two): each must be
// there as `iptables-save` prints it. A rule naming a set that does not exist cannot be, so a
// missing set reads as missing rules too, and the set-up runs.
function matchRulesListed(address: Pick<IpAddress, 'family'>): Probe {
  const rule = (chain: string) => `(?=[\\s\\S]*^-A ${chain} ${matchArgs(address).join(' ')}$)`;
  return {
    command: { program: `${iptablesProgram(address)}-save`, args: ['-t', 'filter'] },
    // Any failure of the listing is a failure, never read as "absent".
    absent: /(?!)/,
    presentIf: new RegExp(`^${rule('INPUT')}${rule('FORWARD')}`, 'm'),
  };
}

function matchArgs(address: Pick<IpAddress, 'family'>): string[] {
  return ['-m', 'set', '--match-set', ipsetName(address), 'src', '-j', 'DROP'];
}

/** The ipset set that holds blocks of this address family. */
export function ipsetName(address: Pick<IpAddress, 'family'>): string {
  return address.family === 4 ? 'geo_response4' : 'geo_response6';
}

function ipset(...args: string[]): PlannedCommand {
  return { program: 'ipset', args };
}
