import { GeoResponseError } from '../errors.js';
import type { Invocation, RawInput } from './invocation.js';
import { parseOssecArgs } from './parse-ossec-args.js';
import { looksLikeWazuh4, parseWazuh4 } from './parse-wazuh4.js';
import { looksLikeWazuh5, parseWazuh5 } from './parse-wazuh5.js';
import { parseJsonMessage } from './parse-json-message.js';

const OSSEC_ACTIONS = new Set(['add', 'delete']);
// action user srcip: the least OSSEC's execd ever sends.
const OSSEC_MIN_ARGS = 3;

/** Recognise which execd protocol called us and turn it into one Invocation. */
export function parseInvocation(input: RawInput): Invocation {
  const [first] = input.args;
  // OSSEC puts the action first; Wazuh passes no positional arguments (at most extra args).
  if (first !== undefined && OSSEC_ACTIONS.has(first)) return parseOssecArgs(input.args);
  const line = input.stdinLine?.trim() ?? '';
  const noMessage = line === '';
  // Positional arguments shaped like OSSEC's but with another first word: name the bad action.
  if (noMessage && input.args.length >= OSSEC_MIN_ARGS) return parseOssecArgs(input.args);
  if (noMessage) {
    const got = first === undefined ? 'no arguments and nothing on stdin' : `argument ${JSON.stringify(first.slice(0, 40))} and nothing on stdin`;
    throw new GeoResponseError(`no action: expected OSSEC arguments (add|delete <user> <srcip> …) or an execd JSON message on stdin; got ${got}`, {
      code: 'NO_ACTION',
      kind: 'usage',
    });
  }
  const message = parseJsonMessage(line);
  if (looksLikeWazuh4(message)) return parseWazuh4(message);
  if (looksLikeWazuh5(message)) return parseWazuh5(message);
  throw new GeoResponseError('stdin JSON is neither a Wazuh 4 message (version, command, parameters.alert) nor a Wazuh 5 one (command enable|disable, source.ip)', {
    code: 'UNKNOWN_MESSAGE',
    kind: 'input',
  });
}
