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
      // The first OSSEC argument is the action; it is set from the request so the script never sees another word.
      const args = [...fixedArgs, request.action, ...request.ossecArgs.slice(1)];
      return {
        needsLock: false,
        steps: [{ kind: 'run', command: { program, args }, effect: request.action === 'add' ? 'block' : 'unblock', summary: `${program} ${request.action}` }],
      };
    },
  };
}
