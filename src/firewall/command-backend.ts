import { GeoResponseError } from '../errors.js';
import type { BackendRequest, FirewallBackend, FirewallPlan } from './firewall-types.js';

/**
 * `command`: hand the standard OSSEC arguments to another active-response script (e.g. the stock
 * firewall-drop.sh), run without a shell. The script owns its blocking, its expiry and its locking.
 */
export function createCommandBackend(command: readonly string[]): FirewallBackend {
  const [program = '', ...fixedArgs] = command;
  return {
    name: 'command',
    plan(request: BackendRequest): FirewallPlan {
      // The action and the source address are set from the request: the script never sees another
      // action word, and gets the address as we judged it (a `::ffff:a.b.c.d` passed on as received
      // would make firewall-drop.sh block it with ip6tables).
      const [, user = '-', , ...rest] = request.ossecArgs;
      const args = [...fixedArgs, request.action, user, request.address.text, ...rest];
      // No program can receive a NUL in an argument (exec ends the string there): the alert's text is at fault.
      const withNul = args.find((arg) => arg.includes('\0'));
      if (withNul !== undefined) {
        throw new GeoResponseError(`the alert's argument ${JSON.stringify(withNul)} holds a NUL byte, which cannot be passed to ${program}; nothing was run`, { code: 'INVALID_ARGUMENT', kind: 'input' });
      }
      return {
        needsLock: false,
        steps: [{ kind: 'run', command: { program, args }, effect: request.action === 'add' ? 'block' : 'unblock', summary: `${program} ${request.action}` }],
      };
    },
  };
}
