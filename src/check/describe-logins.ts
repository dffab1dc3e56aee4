import type { Config } from '../policy/config-schema.js';
import { STOCK_SUCCESS_RULE_IDS } from '../logins/stock-success-rules.js';

// The login response has no <timeout> (a login is not undone), so execd never sends a delete
// for it: only a backend's own expiry lifts a block a login finding placed.
const BACKENDS_WITH_EXPIRY: ReadonlySet<string> = new Set(['nftables', 'ipset', 'firewalld']);

/** What `check` says about the logins settings in force, one line each. Pure. */
export function describeLogins(config: Config): string[] {
  const { logins, firewall } = config;
  const list = (items: readonly string[]) => (items.length === 0 ? '(none)' : items.join(', '));
  const allowed = Object.entries(logins.allowed_countries).map(([user, countries]) => `${user}: ${countries.join(' ')}`);
  const stock = logins.success_rules.length === STOCK_SUCCESS_RULE_IDS.length && STOCK_SUCCESS_RULE_IDS.every((id) => logins.success_rules.includes(id));
  const lines = [
    `logins: learning ${logins.learning.logins} logins and ${logins.learning.days} days; impossible travel above ${logins.travel.max_speed_kmh} km/h beyond ${logins.travel.min_distance_km} km`,
    `  block on: ${logins.block.length === 0 ? '(none: findings alert only)' : logins.block.join(', ')}; ignore_users: ${list(logins.ignore_users)}; allowed_countries: ${list(allowed)}`,
    `  success rules (alerts without rule groups, OSSEC argv): ${stock ? `the ${logins.success_rules.length} stock ids` : list(logins.success_rules)}; Wazuh JSON alerts: rule group authentication_success`,
    `  history: at most ${logins.history.max_users} users, ${logins.history.max_countries_per_user} countries each, forgotten after ${logins.history.forget_days} days`,
  ];
  if (logins.block.length > 0 && firewall.backend === 'none') lines.push('  warning: logins.block is set but firewall.backend is none: nothing is blocked');
  else if (logins.block.length > 0 && !BACKENDS_WITH_EXPIRY.has(firewall.backend)) {
    lines.push(`  warning: logins.block with the ${firewall.backend} backend: execd sends no delete for a login, and ${firewall.backend} has no expiry of its own, so such a block stays until removed by hand`);
  }
  return lines;
}
