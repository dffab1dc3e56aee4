import type { BackendRequest, FirewallBackend, FirewallPlan } from './firewall-types.js';

/** firewalld: a runtime-only rich rule in the default zone, with firewalld's own --timeout as the expiry. */
export const firewalldBackend: FirewallBackend = {
  name: 'firewalld',
  plan(request: BackendRequest): FirewallPlan {
    const family = request.address.family === 4 ? 'ipv4' : 'ipv6';
    const rule = `rule family="${family}" source address="${request.address.text}" drop`;
    // --query-rich-rule prints "no" and exits 1 when the rule is not there.
    const probe = { command: { program: 'firewall-cmd', args: [`--query-rich-rule=${rule}`] }, absent: /^no$/m };
    const remove = { program: 'firewall-cmd', args: [`--remove-rich-rule=${rule}`] };
    if (request.action === 'delete') {
      return {
        // firewalld serialises changes in its daemon; our lock only keeps query-then-add honest.
        needsLock: true,
        expireSeconds: request.expireSeconds,
        steps: [{ kind: 'ensure', probe, runWhen: 'present', command: remove, effect: 'unblock', summary: `${request.address.text} removed` }],
      };
    }
    const timeout = request.expireSeconds > 0 ? [`--timeout=${request.expireSeconds}s`] : [];
    return {
      needsLock: true,
      expireSeconds: request.expireSeconds,
      steps: [
        {
          kind: 'ensure',
          probe,
          runWhen: 'absent',
          command: { program: 'firewall-cmd', args: [`--add-rich-rule=${rule}`, ...timeout] },
          undo: remove,
          effect: 'block',
          summary: `rich rule for ${request.address.text}`,
        },
      ],
    };
  },
};
