import type { ReportSummary } from './report-summary.js';
import { hasAsnData, NO_ASN_DATA } from './summary-notes.js';
import { computeGroupSize, renderSparkline } from './sparkline.js';
import {
  describeFilters,
  fitText,
  fitTextLeft,
  formatBytes,
  formatCount,
  formatDuration,
  formatMinute,
  formatShare,
  sanitizeTerminalText as safe,
} from './text-format.js';

const SPARK_WIDTH = 72;

/** Text broken at spaces into lines of at most `width` characters (a longer word stays whole). */
function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + 1 + word.length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

function cut<T>(rows: T[], top: number): T[] {
  return top > 0 ? rows.slice(0, top) : rows;
}

function renderHeader(summary: ReportSummary): string[] {
  const { records, time_span: span } = summary;
  const lines = ['geo-response report', ''];
  const malformed = records.malformed > 0 ? ` · ${formatCount(records.malformed)} malformed lines skipped` : '';
  lines.push(`  Records     ${formatCount(records.matched)} matched of ${formatCount(records.read)} read${malformed}`);
  if (span.first !== null && span.last !== null) {
    const length = formatDuration(Date.parse(span.last) - Date.parse(span.first));
    lines.push(`  Span        ${formatMinute(span.first)} → ${formatMinute(span.last)} UTC (${length})`);
  }
  const unique = `${summary.unique_ips.exact ? '' : '≥'}${formatCount(summary.unique_ips.value)}`;
  lines.push(`  Unique IPs  ${unique} · blocks ${formatCount(summary.blocks)} · failures ${formatCount(summary.failures.events)}`);
  lines.push(`  Actions     add ${formatCount(summary.actions.add)} · delete ${formatCount(summary.actions.delete)}`);
  lines.push(`  Filters     ${fitText(safe(describeFilters(summary.filters)), 66).trimEnd()}`);
  for (const [index, source] of summary.sources.entries()) {
    const label = index === 0 ? '  Sources     ' : '              ';
    const detail = ` (${formatBytes(source.bytes)}${source.gzip ? ', gzip' : ''})`;
    lines.push(`${label}${fitTextLeft(safe(source.path), 80 - label.length - detail.length)}${detail}`);
  }
  return lines;
}

function renderCountries(summary: ReportSummary, top: number): string[] {
  const { countries } = summary;
  const rows = cut(countries.rows, top);
  const approx = countries.unique_ips_exact ? '' : ' (unique IPs are lower bounds)';
  const lines = [`Countries (${rows.length} of ${countries.total})${approx}`];
  lines.push(`  CC  ${fitText('Country', 32)} ${fitText('Events', 9, true)} ${fitText('Share', 6, true)} ${fitText('IPs', 8, true)} ${fitText('Blocks', 9, true)}`);
  for (const row of rows) {
    const code = row.iso_code ?? '--';
    lines.push(
      `  ${code}  ${fitText(safe(row.name), 32)} ${fitText(formatCount(row.events), 9, true)} ${fitText(formatShare(row.share), 6, true)} ${fitText(formatCount(row.unique_ips), 8, true)} ${fitText(formatCount(row.blocks), 9, true)}`,
    );
  }
  return lines;
}

function renderAsns(summary: ReportSummary, top: number): string[] {
  const { asns } = summary;
  if (!hasAsnData(summary)) return ['Networks', ...wrapWords(NO_ASN_DATA, 76).map((line) => `  ${line}`)];
  const rows = cut(asns.rows, top);
  const lines = [`Networks (${rows.length} of ${asns.total})`];
  lines.push(`  ${fitText('ASN', 10)} ${fitText('Organisation', 28)} ${fitText('Events', 9, true)} ${fitText('Share', 6, true)} ${fitText('IPs', 8, true)} ${fitText('Blocks', 9, true)}`);
  for (const row of rows) {
    const asn = row.number === null ? '--' : `AS${row.number}`;
    lines.push(
      `  ${fitText(asn, 10)} ${fitText(safe(row.organization ?? ''), 28)} ${fitText(formatCount(row.events), 9, true)} ${fitText(formatShare(row.share), 6, true)} ${fitText(formatCount(row.unique_ips), 8, true)} ${fitText(formatCount(row.blocks), 9, true)}`,
    );
  }
  return lines;
}

function renderAgents(summary: ReportSummary, top: number): string[] {
  const { agents } = summary;
  if (!agents.rows.some((row) => row.name !== null)) return [];
  const rows = cut(agents.rows, top);
  const lines = [`Agents (${rows.length} of ${agents.total})`];
  lines.push(`  ${fitText('Agent', 36)} ${fitText('Events', 9, true)} ${fitText('Share', 6, true)} ${fitText('IPs', 8, true)} ${fitText('Blocks', 9, true)}`);
  for (const row of rows) {
    lines.push(
      `  ${fitText(safe(row.name ?? '(none recorded)'), 36)} ${fitText(formatCount(row.events), 9, true)} ${fitText(formatShare(row.share), 6, true)} ${fitText(formatCount(row.unique_ips), 8, true)} ${fitText(formatCount(row.blocks), 9, true)}`,
    );
  }
  return lines;
}

function renderIps(summary: ReportSummary, top: number): string[] {
  const { top_ips: ips } = summary;
  const rows = cut(ips.rows, top);
  const approx = ips.exact ? '' : ` (approximate: counts may be up to ${formatCount(ips.max_error)} high)`;
  const lines = [`Top IPs (${rows.length})${approx}`];
  // One line in 80 columns; the HTML page and the JSON say it at length.
  if (ips.special.length > 0) lines.push(`  ${fitText(safe(`Public only; apart: ${ips.special.map((row) => `${row.address_class} ${formatCount(row.events)}`).join(', ')}`), 76).trimEnd()}`);
  if (rows.length === 0) return [...lines, '  No public addresses.'];
  lines.push(`  ${fitText('IP', 24)} ${fitText('Events', 8, true)} CC ${fitText('ASN', 9)} ${fitText('First seen', 11)} ${fitText('Last seen', 11)} Blk`);
  for (const row of rows) {
    const asn = row.asn === null ? '--' : `AS${row.asn}`;
    lines.push(
      `  ${fitText(safe(row.ip), 24)} ${fitText(formatCount(row.events), 8, true)} ${row.country ?? '--'} ${fitText(asn, 9)} ${formatMinute(row.first_seen).slice(5)} ${formatMinute(row.last_seen).slice(5)} ${row.blocked ? 'yes' : 'no'}`,
    );
  }
  return lines;
}

function renderDecisions(summary: ReportSummary, top: number): string[] {
  const lines = ['Decisions (share of decisions) and failures'];
  // A decision is the policy's word on an add: its share is of the decisions, not of every record (deletes and failures have none).
  const decided = summary.decisions.reduce((sum, decision) => sum + decision.events, 0);
  for (const decision of summary.decisions) {
    const share = decided === 0 ? 0 : decision.events / decided;
    lines.push(`  ${fitText(decision.action, 6)} ${fitText(formatCount(decision.events), 10, true)}  ${formatShare(share)}`);
    for (const reason of cut(decision.reasons, top)) {
      lines.push(`         ${fitText(formatCount(reason.events), 10, true)}  ${fitText(safe(reason.reason), 58)}`.trimEnd());
    }
  }
  lines.push(`  ${fitText('failed', 6)} ${fitText(formatCount(summary.failures.events), 10, true)}`);
  for (const failure of cut(summary.failures.by_code, top)) {
    lines.push(`         ${fitText(formatCount(failure.events), 10, true)}  ${fitText(safe(failure.code), 58)}`.trimEnd());
  }
  return lines;
}

function renderHistogram(summary: ReportSummary): string[] {
  const { histogram } = summary;
  const first = histogram.buckets[0];
  const last = histogram.buckets[histogram.buckets.length - 1];
  if (first === undefined || last === undefined) return [];
  const values = histogram.buckets.map((bucket) => bucket.events);
  const max = Math.max(...values);
  const line = renderSparkline(values, SPARK_WIDTH);
  const startLabel = formatMinute(first.start);
  const endLabel = formatMinute(last.start);
  const gap = Math.max(1, line.length - startLabel.length - endLabel.length);
  const group = computeGroupSize(values.length, SPARK_WIDTH);
  const per = group === 1 ? `one ${histogram.interval}` : `${group} ${histogram.interval}s`;
  return [
    `Events per ${histogram.interval} (${formatCount(values.length)} ${histogram.interval}s, busiest ${formatCount(max)}; one mark = ${per})`,
    `  ${line}`,
    `  ${line.length >= startLabel.length + endLabel.length + 1 ? `${startLabel}${' '.repeat(gap)}${endLabel}` : `${startLabel} → ${endLabel}`}`,
  ];
}

/** The report as aligned text for a terminal, readable at 80 columns. */
export function renderTable(summary: ReportSummary, top: number): string {
  if (summary.records.matched === 0) {
    return [...renderHeader(summary), '', 'No records matched.', ''].join('\n');
  }
  const sections: string[][] = [
    renderHeader(summary),
    renderCountries(summary, top),
    renderAsns(summary, top),
    renderAgents(summary, top),
    renderIps(summary, top),
    renderDecisions(summary, top),
    renderHistogram(summary),
  ];
  return `${sections.filter((lines) => lines.length > 0).map((lines) => lines.join('\n')).join('\n\n')}\n`;
}
