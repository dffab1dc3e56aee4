import { GeoResponseError } from '../errors.js';
import type { Invocation } from './invocation.js';
import { parseAction } from './parse-action.js';
import { parseAgentLocation } from './parse-agent-location.js';

/**
 * OSSEC 2.x–4.x execd: `add|delete <user> <srcip> <alertid> <ruleid> <location...> [<filename>]`.
 * execd splits its message on spaces, so an agent location such as
 * `(web1) 10.0.0.5->/var/log/secure` arrives as two arguments; newer execd appends the filename
 * (`-` when none; an agent's execd writes `(null)`). Wazuh 4.0/4.1 append one more word after
 * the filename, the extra arguments (`-` when none). `-` stands for "no value" in user and filename.
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
  const { location, filename, extra } = splitLocation(rest);
  const agent = parseAgentLocation(location);
  return {
    protocol: 'ossec',
    action,
    // `-`: execd had no address for this alert (a command without <expect>srcip</expect>).
    ...(srcip !== '-' ? { rawIp: srcip } : {}),
    ...(present(user) ? { targetUser: user } : {}),
    ...(present(alertId) ? { alertId } : {}),
    ...(present(ruleId) ? { rule: { id: ruleId } } : {}),
    ...(agent ? { agent } : {}),
    ...(location ? { location } : {}),
    extraArgs: extra ?? (present(filename) ? [filename] : []),
    ossecArgs: args.slice(),
  };
}

function present(value: string | undefined): value is string {
  return value !== undefined && value !== '' && !NONE_WORDS.has(value);
}

// What execd writes for "no value": `-`, and `(null)` from an agent's execd (C's printf of NULL).
const NONE_WORDS: ReadonlySet<string> = new Set(['-', '(null)']);

// The location may span several words. A "none" word that is not the last ends it: that is
// Wazuh 4.0/4.1's filename, and the words after it are the extra arguments (`-` for none). Else,
// with two or more trailing words the last is the filename, unless it is still part of an agent
// location ("ip->path"); a single trailing word is the location (older execd sends no filename).
function splitLocation(words: string[]): { location: string; filename?: string; extra?: string[] } {
  const filenameAt = words.findIndex((word, index) => index >= 1 && index < words.length - 1 && NONE_WORDS.has(word));
  if (filenameAt !== -1) {
    const extra = words.slice(filenameAt + 1);
    return { location: words.slice(0, filenameAt).join(' '), extra: extra.length === 1 && NONE_WORDS.has(extra[0] ?? '') ? [] : extra };
  }
  if (words.length < 2) return { location: words.join(' ') };
  const last = words[words.length - 1] ?? '';
  if (last.includes('->')) return { location: words.join(' ') };
  return { location: words.slice(0, -1).join(' '), filename: last };
}
