import { fitText, formatDuration, formatMinute, sanitizeTerminalText as safe } from '../report/text-format.js';
import type { BlockRow, BlocksView } from './join-blocks.js';

/** `blocks --format json`: the view as one JSON document. */
export function renderBlocksJson(view: BlocksView): string {
  return `${JSON.stringify(view, null, 2)}\n`;
}

/** `blocks` at a terminal: one line per blocked address. Text from the geo log is made terminal-safe (the group can write it). */
export function renderBlocksTable(view: BlocksView): string {
  const nowMs = Date.parse(view.generated_at);
  const lines = [`geo-response blocks: ${view.blocks.length} address(es) blocked by ${view.backend} at ${formatMinute(view.generated_at)} UTC`];
  if (!view.native_expiry) lines.push(`  ${view.backend} has no expiry of its own: a block stays until execd's delete or geo-response blocks remove lifts it`);
  lines.push('');
  if (view.blocks.length > 0) {
    lines.push(`  ${fitText('Address', 39)} ${fitText('CC', 2)} ${fitText('AS', 9)} ${fitText('Since (UTC)', 16)} ${fitText('Expires (UTC)', 26)} ${fitText('Rule', 8)} ${fitText('Agent', 16)} Why`);
    for (const row of view.blocks) lines.push(`  ${formatRow(row, nowMs)}`.trimEnd());
  }
  if (view.not_in_firewall.length > 0) {
    lines.push('', `Recorded but not in the firewall (${view.not_in_firewall.length}): run geo-response blocks restore`);
    for (const entry of view.not_in_firewall) lines.push(`  ${fitText(entry.ip, 39)} since ${formatMinute(entry.since)}, ${entry.expires === null ? 'no expiry' : `until ${formatMinute(entry.expires)}`}`);
  }
  return `${lines.join('\n')}\n`;
}

function formatRow(row: BlockRow, nowMs: number): string {
  const as = row.as_number === undefined ? '' : `AS${row.as_number}`;
  const why = row.recorded ? safe(row.reason ?? '') : 'not in the geo log: not blocked by geo-response, or its record was rotated away';
  return [
    fitText(row.ip, 39),
    fitText(safe(row.country_iso_code ?? '--'), 2),
    fitText(as, 9),
    fitText(row.since === undefined ? '-' : formatMinute(row.since), 16),
    fitText(formatExpiry(row.expires, nowMs), 26),
    fitText(safe(row.rule_id ?? '-'), 8),
    fitText(safe(row.agent_name ?? '-'), 16),
    why,
  ].join(' ');
}

function formatExpiry(expires: string | null | undefined, nowMs: number): string {
  if (expires === undefined) return 'not reported';
  if (expires === null) return 'never';
  return `${formatMinute(expires)} (${formatDuration(Math.max(0, Date.parse(expires) - nowMs))})`;
}
