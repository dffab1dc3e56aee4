import { GeoResponseError } from '../errors.js';
import type { Invocation } from './invocation.js';
import { parseAction } from './parse-action.js';

/**
 * OSSEC 2.x–4.x execd: `add|delete <user> <srcip> <alertid> <ruleid> <location...> [<filename>]`.
 * execd splits its message on spaces, so an agent location such as
 * `(web1) 10.0.0.5->/var/log/secure` arrives as two arguments; newer execd appends the filename
 * (`-` when none). `-` stands for "no value" in user and filename.
 */
export function parseOssecArgs(args: string[]): Invocation {
  const [actionWord = '', user, srcip, alertId, ruleId, ...rest] = args;
  const action = parseAction(actionWord, 'ossec');
  if (srcip === undefined) {
    throw new GeoResponseError(`OSSEC arguments too short: expected "${action} <user> <srcip> <alertid> <ruleid> <location>", got ${args.length} argument(s)`, {
      code: 'USAGE',
      kind: 'usage',
    });
  }
  const { location, filename } = splitLocation(rest);
  return {
    protocol: 'ossec',
    action,
    rawIp: srcip,
    ...(present(user) ? { user } : {}),
    ...(present(alertId) ? { alertId } : {}),
    ...(present(ruleId) ? { rule: { id: ruleId } } : {}),
    ...(location ? { location } : {}),
    extraArgs: present(filename) ? [filename] : [],
    ossecArgs: args.slice(),
  };
}

function present(value: string | undefined): value is string {
  return value !== undefined && value !== '' && value !== '-';
}

// With two or more trailing words the last is the filename, unless it is still part of an agent
// location ("ip->path"); a single trailing word is the location (older execd sends no filename).
function splitLocation(words: string[]): { location: string; filename?: string } {
  if (words.length < 2) return { location: words.join(' ') };
  const last = words[words.length - 1] ?? '';
  if (last.includes('->')) return { location: words.join(' ') };
  return { location: words.slice(0, -1).join(' '), filename: last };
}
