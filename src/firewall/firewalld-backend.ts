import type { BackendRequest, FirewallBackend, FirewallPlan, ListedBlock } from './firewall-types.js';

// The rich rule this backend adds, as --list-rich-rules prints it back.
const OUR_RULE = /^rule family="ipv[46]" source address="([^"]+)" drop$/;

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
  inventory: {
    // firewalld removes a rule added with --timeout itself, but does not say when.
    nativeExpiry: true,
    reportsExpiry: false,
    list: () => [{ command: { program: 'firewall-cmd', args: ['--list-rich-rules'] }, absent: /(?!)/, parse: parseRichRules }],
    restoreSkipsListed: false,
    // Each block as an alert adds it (query, then add with the time it has left): firewalld has no batch with per-rule timeouts.
    planRestore: (entries) => ({
      needsLock: true,
      steps: entries.flatMap((entry) => firewalldBackend.plan({ action: 'add', address: entry.address, expireSeconds: entry.remainingSeconds, ossecArgs: [] }).steps),
    }),
  },
};

/** The addresses of our rich rules in `firewall-cmd --list-rich-rules`; other rules are not ours. Pure. */
export function parseRichRules(stdout: string): ListedBlock[] {
  return stdout.split('\n').flatMap((line) => {
    const match = OUR_RULE.exec(line.trim());
    return match?.[1] === undefined ? [] : [{ ip: match[1] }];
  });
}
