import type { BackendRequest, BlockInventory, FirewallAddress, FirewallBackend, FirewallPlan, ListedBlock, PlannedCommand, RestoreEntry } from './firewall-types.js';

export const NFT_TABLE = 'inet geo_response';
// Priority -10: ahead of the usual filter chains (priority 0), so our drop is seen before anything else's verdict.
const HOOK_PRIORITY = -10;

/** nftables: our own table with per-family sets whose elements carry the expiry, and drop rules in input and forward. */
export const nftablesBackend: FirewallBackend = {
  name: 'nftables',
  // One nft run per alert, no lock: nft commits a batch as one kernel transaction, all of it or
  // nothing, and the kernel orders concurrent transactions itself.
  plan(request: BackendRequest): FirewallPlan {
    if (request.action === 'delete') {
      return {
        needsLock: false,
        expireSeconds: request.expireSeconds,
        // "No such file or directory": the element, its set or our table is not there: nothing to remove.
        steps: [{ kind: 'run', command: deleteElement(request.address), unchanged: /No such file or directory/, effect: 'unblock', summary: `${request.address.text} removed` }],
      };
    }
    // Set-up and the element in one batch. `create` (not `add`) refuses an element already there,
    // so a second add keeps the first one's expiry; that refusal rolls the batch back, and says
    // "File exists", which a set made elsewhere with other flags says too: the probe tells which.
    const timeout = request.expireSeconds > 0 ? ` timeout ${request.expireSeconds}s` : '';
    const script = [...setUpCommands(), `create element ${NFT_TABLE} ${setName(request.address)} { ${request.address.text}${timeout} }`].join('; ');
    const probe = { command: nft(`get element ${NFT_TABLE} ${setName(request.address)} { ${request.address.text} }`), absent: /No such file or directory/ };
    return {
      needsLock: false,
      expireSeconds: request.expireSeconds,
      steps: [
        {
          kind: 'run',
          command: nft(script),
          unchanged: /File exists/,
          confirmUnchanged: { probe, says: 'present' },
          undo: deleteElement(request.address),
          effect: 'block',
          summary: `${request.address.text} in ${NFT_TABLE} ${setName(request.address)}`,
        },
      ],
    };
  },
  inventory: {
    nativeExpiry: true,
    reportsExpiry: true,
    list: () =>
      (['blocked4', 'blocked6'] as const).map((set) => ({
        command: { program: 'nft', args: ['-j', 'list', 'set', ...NFT_TABLE.split(' '), set] },
        absent: /No such file or directory/,
        parse: parseNftSetJson,
      })),
    // `add element` of an element already there is no error and sets its timeout to the one given.
    restoreSkipsListed: false,
    planRestore: (entries, cores) => {
      const batches = splitForRestore(entries, cores);
      return {
        needsLock: true,
        concurrent: batches.length > 1,
        steps: batches.map((batch) => ({
          kind: 'run' as const,
          // One batch from stdin, which the kernel commits atomically: 100,000 elements would not fit in an argument (128 KiB).
          command: { program: 'nft', args: ['-f', '-'], input: formatRestoreBatch(batch) },
          effect: 'block' as const,
          summary: `${batch.length} element(s) in ${NFT_TABLE}`,
        })),
      };
    },
  } satisfies BlockInventory,
};

// The longest element written: an IPv6 address (at most 39 characters as geo-response spells it),
// " timeout ", up to 16 digits and "s", and the ", " before it.
const MAX_ELEMENT_BYTES = 39 + 9 + 16 + 1 + 2;

/**
 * The restore batch, one transaction: the set-up, then each family's elements with the time each
 * has left. Written straight into one buffer: with 50,000 elements a batch, a string per element
 * joined afterwards cost twice the time, most of it in garbage collection.
 */
function formatRestoreBatch(entries: readonly RestoreEntry[]): Uint8Array {
  const buffer = Buffer.allocUnsafe(4096 + entries.length * MAX_ELEMENT_BYTES);
  let at = buffer.write(`${setUpCommands().join('\n')}\n`, 0, 'latin1');
  for (const family of [4, 6] as const) {
    let first = true;
    for (const entry of entries) {
      if (entry.address.family !== family) continue;
      // Sized for the longest element; a longer one would be cut short by write(), never overrun: refuse it whole.
      if (buffer.length - at < MAX_ELEMENT_BYTES + 64) throw new Error(`restore batch: element ${JSON.stringify(entry.address.text.slice(0, 60))} does not fit`);
      at += buffer.write(first ? `add element ${NFT_TABLE} ${family === 4 ? 'blocked4' : 'blocked6'} { ` : ', ', at, 'latin1');
      first = false;
      // Addresses are ASCII (recorded-address.ts lets nothing else through), so latin1 writes them byte for byte.
      at += buffer.write(entry.address.text, at, 'latin1');
      if (entry.remainingSeconds > 0) at += buffer.write(` timeout ${entry.remainingSeconds}s`, at, 'latin1');
    }
    if (!first) at += buffer.write(' }\n', at, 'latin1');
  }
  return buffer.subarray(0, at);
}

/** A restore at least this large is split into one batch per core (up to MAX_RESTORE_BATCHES); smaller ones stay one transaction. */
export const SPLIT_RESTORE_FROM = 20_000;
const MAX_RESTORE_BATCHES = 2;

/**
 * nft parses its whole input on one core before the kernel commits it: for 100,000 elements that is
 * about half of `restore`'s second. Two nft processes with half the elements each, run at once,
 * took 0.31 s against 0.50 s for one here. Each batch is a whole transaction (set-up included), so
 * the ruleset is complete whatever happens to the other; `restore` is idempotent, and a failed
 * batch is reported and put right by running it again.
 */
function splitForRestore(entries: readonly RestoreEntry[], cores: number): Array<readonly RestoreEntry[]> {
  const count = entries.length < SPLIT_RESTORE_FROM ? 1 : Math.max(1, Math.min(cores, MAX_RESTORE_BATCHES));
  const size = Math.ceil(entries.length / count);
  return Array.from({ length: count }, (_, index) => entries.slice(index * size, (index + 1) * size));
}

/** The elements of one of our sets from `nft -j list set` (an element without a timeout is a bare string). Pure. */
export function parseNftSetJson(stdout: string): ListedBlock[] {
  const document = JSON.parse(stdout) as { nftables?: Array<{ set?: { elem?: unknown[] } }> };
  const elements = document.nftables?.find((entry) => entry.set !== undefined)?.set?.elem ?? [];
  return elements.flatMap((element): ListedBlock[] => {
    if (typeof element === 'string') return [{ ip: element }];
    const inner = (element as { elem?: { val?: unknown; expires?: unknown } }).elem;
    if (typeof inner?.val !== 'string') return [];
    return [typeof inner.expires === 'number' ? { ip: inner.val, expiresInSeconds: inner.expires } : { ip: inner.val }];
  });
}

// `add table/set/chain` are idempotent; the rules are flushed and written again in the same batch, so there is
// exactly one copy of each however often (or concurrently) this runs — no check-then-add race.
function setUpCommands(): string[] {
  const commands = [
    `add table ${NFT_TABLE}`,
    `add set ${NFT_TABLE} blocked4 { type ipv4_addr; flags timeout; }`,
    `add set ${NFT_TABLE} blocked6 { type ipv6_addr; flags timeout; }`,
  ];
  for (const hook of ['input', 'forward']) {
    commands.push(
      `add chain ${NFT_TABLE} ${hook} { type filter hook ${hook} priority ${HOOK_PRIORITY}; policy accept; }`,
      `flush chain ${NFT_TABLE} ${hook}`,
      `add rule ${NFT_TABLE} ${hook} ip saddr @blocked4 drop`,
      `add rule ${NFT_TABLE} ${hook} ip6 saddr @blocked6 drop`,
    );
  }
  return commands;
}

function setName(address: FirewallAddress): string {
  return address.family === 4 ? 'blocked4' : 'blocked6';
}

function deleteElement(address: FirewallAddress): PlannedCommand {
  return nft(`delete element ${NFT_TABLE} ${setName(address)} { ${address.text} }`);
}

// nft joins its arguments into one input, `;` separating commands: one argument keeps the record's line readable.
function nft(script: string): PlannedCommand {
  return { program: 'nft', args: [script] };
}
