import type { Invocation } from '../invocation/invocation.js';
import { FAILURE_GROUPS, SUCCESS_GROUP } from './stock-success-rules.js';

/**
 * Whether an alert is a successful login rather than an attack, from the alert itself: its rule
 * groups where the protocol carries them (Wazuh JSON), else its rule id against
 * logins.success_rules (OSSEC argv carries the id only). An alert in a failure group too is an
 * attack. Pure.
 */
export function isSuccessfulLogin(invocation: Pick<Invocation, 'rule' | 'ruleGroups'>, successRules: readonly string[]): boolean {
  const groups = invocation.ruleGroups;
  if (groups !== undefined && groups.length > 0) return groups.includes(SUCCESS_GROUP) && !groups.some((group) => FAILURE_GROUPS.includes(group));
  const ruleId = invocation.rule?.id;
  return ruleId !== undefined && successRules.includes(ruleId);
}
