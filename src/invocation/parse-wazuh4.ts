import { GeoResponseError } from '../errors.js';
import type { Invocation } from './invocation.js';
import { parseAction } from './parse-action.js';
import { definedOnly, fieldAt, numberAt, stringAt, stringsAt } from './json-fields.js';

const ALERT = ['parameters', 'alert'] as const;
// Where Wazuh decoders put the attacker's address: most decoders use data.srcip; Windows
// event channel alerts carry it in data.win.eventdata.ipAddress.
const SOURCE_IP_PATHS = [
  [...ALERT, 'data', 'srcip'],
  [...ALERT, 'data', 'win', 'eventdata', 'ipAddress'],
] as const;
const USER_PATHS = [
  [...ALERT, 'data', 'dstuser'],
  [...ALERT, 'data', 'srcuser'],
] as const;

/** Wazuh 4.x execd message: `{"version":1,"command":"add"|"delete","parameters":{"alert":{…}}}`. */
export function parseWazuh4(message: Record<string, unknown>): Invocation {
  const action = parseAction(message.command, 'wazuh4');
  const rawIp = firstString(message, SOURCE_IP_PATHS);
  if (rawIp === undefined) {
    throw new GeoResponseError('Wazuh message has no source IP (parameters.alert.data.srcip): send geo-response only alerts that carry one (<rules_id> or <rules_group> in <active-response>)', {
      code: 'NO_SOURCE_IP',
      kind: 'input',
    });
  }
  const user = firstString(message, USER_PATHS);
  const alertId = stringAt(message, [...ALERT, 'id']);
  const ruleId = stringAt(message, [...ALERT, 'rule', 'id']);
  const location = stringAt(message, [...ALERT, 'location']);
  const rule = definedOnly({
    id: ruleId,
    level: numberAt(message, [...ALERT, 'rule', 'level']),
    description: stringAt(message, [...ALERT, 'rule', 'description']),
  });
  const agent = definedOnly({
    id: stringAt(message, [...ALERT, 'agent', 'id']),
    name: stringAt(message, [...ALERT, 'agent', 'name']),
    ip: stringAt(message, [...ALERT, 'agent', 'ip']),
  });
  return {
    protocol: 'wazuh4',
    action,
    rawIp,
    ...(user ? { user } : {}),
    ...(alertId ? { alertId } : {}),
    ...(rule ? { rule } : {}),
    ...(agent ? { agent } : {}),
    ...(location ? { location } : {}),
    extraArgs: stringsAt(message, ['parameters', 'extra_args']),
    ossecArgs: [action, user ?? '-', rawIp, alertId ?? '-', ruleId ?? '-', location ?? '-', '-'],
  };
}

/** Whether a parsed message is shaped like Wazuh 4's (versioned, with parameters). */
export function looksLikeWazuh4(message: Record<string, unknown>): boolean {
  return message.version !== undefined && fieldAt(message, ['parameters']) !== undefined;
}

function firstString(message: unknown, paths: ReadonlyArray<readonly string[]>): string | undefined {
  for (const path of paths) {
    const value = stringAt(message, path);
    if (value !== undefined) return value;
  }
  return undefined;
}
