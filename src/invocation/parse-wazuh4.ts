import type { Invocation } from './invocation.js';
import { parseAction } from './parse-action.js';
import { undoWazuh42Escapes } from './wazuh42-escapes.js';
import { definedOnly, fieldAt, numberAt, stringAt, stringsAt } from './json-fields.js';

const ALERT = ['parameters', 'alert'] as const;
// Where Wazuh decoders put the attacker's address, in the order Wazuh's own programs look
// (active_responses.c): Windows event channel alerts carry it in data.win.eventdata.ipAddress,
// some only in destinationIp, and both come before data.srcip, where most decoders put it.
const SOURCE_IP_PATHS = [
  [...ALERT, 'data', 'win', 'eventdata', 'ipAddress'],
  [...ALERT, 'data', 'win', 'eventdata', 'destinationIp'],
  [...ALERT, 'data', 'srcip'],
] as const;

/** Wazuh 4.x execd message: `{"version":1,"command":"add"|"delete","parameters":{"alert":{…}}}`. */
export function parseWazuh4(message: Record<string, unknown>): Invocation {
  const action = parseAction(message.command, 'wazuh4');
  const rawIp = firstString(message, SOURCE_IP_PATHS);
  const targetUser = textOf(stringAt(message, [...ALERT, 'data', 'dstuser']));
  const sourceUser = textOf(stringAt(message, [...ALERT, 'data', 'srcuser']));
  // The user argument OSSEC scripts get is the alert's dstuser, srcuser when there is none.
  const user = targetUser ?? sourceUser;
  const alertId = stringAt(message, [...ALERT, 'id']);
  const ruleId = stringAt(message, [...ALERT, 'rule', 'id']);
  const location = textOf(stringAt(message, [...ALERT, 'location']));
  const rule = definedOnly({
    id: ruleId,
    level: numberAt(message, [...ALERT, 'rule', 'level']),
    description: textOf(stringAt(message, [...ALERT, 'rule', 'description'])),
  });
  const ruleGroups = stringsAt(message, [...ALERT, 'rule', 'groups']);
  const agent = definedOnly({
    id: stringAt(message, [...ALERT, 'agent', 'id']),
    name: textOf(stringAt(message, [...ALERT, 'agent', 'name'])),
    ip: stringAt(message, [...ALERT, 'agent', 'ip']),
  });
  return {
    protocol: 'wazuh4',
    action,
    ...(rawIp !== undefined ? { rawIp } : {}),
    ...(targetUser ? { targetUser } : {}),
    ...(sourceUser ? { sourceUser } : {}),
    ...(alertId ? { alertId } : {}),
    ...(rule ? { rule } : {}),
    ...(ruleGroups.length > 0 ? { ruleGroups } : {}),
    ...(agent ? { agent } : {}),
    ...(location ? { location } : {}),
    extraArgs: stringsAt(message, ['parameters', 'extra_args']),
    ossecArgs: [action, user ?? '-', rawIp ?? '-', alertId ?? '-', ruleId ?? '-', location ?? '-', '-'],
  };
}

/** Whether a parsed message is shaped like Wazuh 4's (versioned, with parameters). */
export function looksLikeWazuh4(message: Record<string, unknown>): boolean {
  return message.version !== undefined && fieldAt(message, ['parameters']) !== undefined;
}

// Free text from the alert, with the Wazuh 4.2.0–4.2.4 escapes undone (they survive JSON decoding).
function textOf(value: string | undefined): string | undefined {
  return value === undefined ? undefined : undoWazuh42Escapes(value);
}

function firstString(message: unknown, paths: ReadonlyArray<readonly string[]>): string | undefined {
  for (const path of paths) {
    const value = stringAt(message, path);
    if (value !== undefined) return value;
  }
  return undefined;
}
