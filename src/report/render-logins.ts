import type { LoginSummary } from './login-summary.js';
import { fitText, formatCount, formatMinute, sanitizeTerminalText as safe } from './text-format.js';

const USER_WIDTH = 24;
const MESSAGE_WIDTH = 100;

/** The logins view for a terminal: per user, countries and counts, then the findings over time. Pure. */
export function renderLoginsTable(summary: LoginSummary): string {
  const lines = ['geo-response report: logins', ''];
  const others = summary.other_users_logins > 0 ? ` (${formatCount(summary.other_users_logins)} of users past the first ${formatCount(summary.users.length)} not listed)` : '';
  lines.push(`  Logins      ${formatCount(summary.logins)} successful logins of ${formatCount(summary.users.length)} users${others}`);
  const totals = summary.findings_by_day.reduce((sum, day) => ({ n: sum.n + day.new_country, t: sum.t + day.impossible_travel }), { n: 0, t: 0 });
  lines.push(`  Findings    new country ${formatCount(totals.n)} · impossible travel ${formatCount(totals.t)}`, '');
  if (summary.users.length === 0) return `${[...lines, '  No successful logins in the log (is the logins response installed? see docs/logins.md)'].join('\n')}\n`;

  lines.push(`  ${'user'.padEnd(USER_WIDTH)} ${'logins'.padStart(7)}  ${'new'.padStart(4)} ${'travel'.padStart(6)}  countries`);
  for (const user of summary.users) {
    const countries = user.countries.map((seen) => `${safe(seen.country)} ${formatCount(seen.logins)}`).join(', ');
    lines.push(`  ${fitText(safe(user.user), USER_WIDTH)} ${formatCount(user.logins).padStart(7)}  ${String(user.findings.new_country).padStart(4)} ${String(user.findings.impossible_travel).padStart(6)}  ${countries}`);
  }

  const findings = summary.users.flatMap((user) => user.recent_findings).sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  if (findings.length > 0) {
    lines.push('', '  Findings over time (UTC; the latest of each user)');
    for (const day of summary.findings_by_day) lines.push(`    ${day.day}  new country ${formatCount(day.new_country)} · impossible travel ${formatCount(day.impossible_travel)}`);
    lines.push('');
    for (const finding of findings) lines.push(`    ${formatMinute(finding.time)}  ${fitText(safe(finding.message), MESSAGE_WIDTH).trimEnd()}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The logins view as JSON (`schema: 1`, `view: "logins"`). Pure. */
export function renderLoginsJson(summary: LoginSummary): string {
  return `${JSON.stringify(summary, null, 2)}\n`;
}
