import type { IpAddress } from '../geo/ip-address.js';
import type { BackendRequest, FirewallBackend, FirewallPlan, PlannedCommand } from './firewall-types.js';

export const NFT_TABLE = 'inet geo_response';
// Priority -10: ahead of the usual filter chains (priority 0), so our drop is seen before anything else's verdict.
const HOOK_PRIORITY = -10;

/** nftables: our own table with per-family sets whose elements carry the expiry, and drop rules in input and forward. */
export const nftablesBackend: FirewallBackend = {
  name: 'nftables',
  plan(request: BackendRequest): FirewallPlan {
    const probe = { command: nft(`get element ${NFT_TABLE} ${setName(request.address)} { ${request.address.text} }`), absent: /No such file or directory/ };
    if (request.action === 'delete') {
      return {
        needsLock: true,
        expireSeconds: request.expireSeconds,
        steps: [{ kind: 'ensure', probe, runWhen: 'present', command: deleteElement(request.address), effect: 'unblock', summary: `${request.address.text} removed` }],
      };
    }
    // Set-up and the element go in one nft batch, which the kernel commits atomically: all of it or nothing,
    // so a failure can never leave half a table. The probe makes a second add a no-op that keeps the first expiry.
    const timeout = request.expireSeconds > 0 ? ` timeout ${request.expireSeconds}s` : '';
    const script = [...setUpCommands(), `add element ${NFT_TABLE} ${setName(request.address)} { ${request.address.text}${timeout} }`].join('; ');
    return {
      needsLock: true,
      expireSeconds: request.expireSeconds,
      steps: [
        {
          kind: 'ensure',
          probe,
          runWhen: 'absent',
          command: nft(script),
          undo: deleteElement(request.address),
          effect: 'block',
          summary: `${request.address.text} in ${NFT_TABLE} ${setName(request.address)}`,
        },
      ],
    };
  },
};

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

function setName(address: IpAddress): string {
  return address.family === 4 ? 'blocked4' : 'blocked6';
}

function deleteElement(address: IpAddress): PlannedCommand {
  return nft(`delete element ${NFT_TABLE} ${setName(address)} { ${address.text} }`);
}

// nft joins its arguments into one input, `;` separating commands: one argument keeps the record's line readable.
function nft(script: string): PlannedCommand {
  return { program: 'nft', args: [script] };
}
