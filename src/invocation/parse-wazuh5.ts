import type { Invocation } from './invocation.js';
import { parseAction } from './parse-action.js';
import { MAX_EXPIRE_SECONDS } from '../policy/default-config.js';
import { definedOnly, fieldAt, numberAt, stringAt, stringsAt } from './json-fields.js';

const ACTIVE_RESPONSE = ['wazuh', 'active_response'] as const;

/** Wazuh 5.x (WCS) message: `command` enable|disable at the root, `source.ip`, `wazuh.active_response`. */
export function parseWazuh5(message: Record<string, unknown>): Invocation {
  const action = parseAction(message.command, 'wazuh5');
  const rawIp = stringAt(message, ['source', 'ip']);
  const user = stringAt(message, ['user', 'name']);
  const ruleId = stringAt(message, ['rule', 'id']);
  const rule = definedOnly({
    id: ruleId,
    level: numberAt(message, ['rule', 'level']),
    description: stringAt(message, ['rule', 'description']),
  });
  const ruleGroups = stringsAt(message, ['rule', 'groups']);
  const agent = definedOnly({
    id: stringAt(message, [...ACTIVE_RESPONSE, 'agent_id']) ?? stringAt(message, ['agent', 'id']),
    name: stringAt(message, ['agent', 'name']),
  });
  const alertId = stringAt(message, ['event', 'id']);
  const location = stringAt(message, [...ACTIVE_RESPONSE, 'location']);
  const statefulTimeout = numberAt(message, [...ACTIVE_RESPONSE, 'stateful_timeout']);
  const stateful = fieldAt(message, [...ACTIVE_RESPONSE, 'type']) === 'stateful';
  return {
    protocol: 'wazuh5',
    action,
    ...(rawIp !== undefined ? { rawIp } : {}),
    ...(user ? { sourceUser: user } : {}),
    ...(alertId ? { alertId } : {}),
    ...(rule ? { rule } : {}),
    ...(ruleGroups.length > 0 ? { ruleGroups } : {}),
    ...(agent ? { agent } : {}),
    ...(location ? { location } : {}),
    extraArgs: stringsAt(message, ['parameters', 'extra_args']),
    ...(stateful && isUsableTimeout(statefulTimeout) ? { statefulTimeoutSeconds: statefulTimeout } : {}),
    ossecArgs: [action, user ?? '-', rawIp ?? '-', alertId ?? '-', ruleId ?? '-', location ?? '-', '-'],
  };
}

/** Whether a parsed message is shaped like Wazuh 5's WCS message. */
export function looksLikeWazuh5(message: Record<string, unknown>): boolean {
  return message.command === 'enable' || message.command === 'disable' || fieldAt(message, [...ACTIVE_RESPONSE]) !== undefined;
}

// What the backends (and the configuration) take; anything else is ignored and
// firewall.expire_seconds applies.
function isUsableTimeout(value: number | undefined): value is number {
  return value !== undefined && Number.isInteger(value) && value >= 1 && value <= MAX_EXPIRE_SECONDS;
}
