import { escapeHtml as e } from './escape-html.js';
import type { ReportSummary } from './report-summary.js';
import { BLOCKS_COLOUR, EVENTS_COLOUR, renderHistogramSvg } from './render-histogram-svg.js';
import { renderWorldMap } from './render-map.js';
import { describeSpecialAddresses, hasAsnData, NO_ASN_DATA } from './summary-notes.js';
import { describeFilters, formatBytes, formatCount, formatDuration, formatMinute, formatShare } from './text-format.js';

const MAP_WIDTH = 960;
const MAP_HEIGHT = 480;
const MAP_LABELS = 12;

// No script, no external resource: the CSP makes that a property of the page, so even a missed escape could not run code or call home.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

// Long tables scroll inside their box on screen and print in full on paper; under 600 px the
// two-column block stacks and every table scrolls sideways in its own box, never the page.
const STYLE = `
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1000px;padding:16px 20px;color:#0f172a;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px;border-bottom:1px solid #e2e8f0;padding-bottom:4px}
.meta{color:#475569;margin:0;overflow-wrap:anywhere}.figures{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}
.figure{border:1px solid #e2e8f0;border-radius:6px;padding:8px 12px;min-width:110px}.figure b{display:block;font-size:20px}.figure small{display:block;color:#64748b;font-size:11px}
.world-map{width:100%;height:auto;display:block}.world-map .label{font-size:11px;font-weight:600;fill:#0f172a;paint-order:stroke;stroke:#fff;stroke-width:3px}
.legend text{font-size:11px;fill:#334155}.note{color:#64748b;font-size:12px;overflow-wrap:anywhere}
.key{display:inline-block;width:10px;height:10px;margin:0 4px 0 8px;vertical-align:baseline}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{padding:3px 8px;border-bottom:1px solid #f1f5f9;text-align:left;vertical-align:top}
td{overflow-wrap:break-word}th{background:#f8fafc;position:sticky;top:0}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.scroll{max-height:420px;overflow:auto;border:1px solid #e2e8f0}.wide{overflow-x:auto}.two{display:grid;grid-template-columns:1fr 1fr;gap:16px}.two>div{min-width:0}
.histogram{width:100%;height:auto;display:block}.histogram text{font-size:11px;fill:#334155}code{font-size:12px;word-break:break-all}
@media (max-width:600px){body{padding:10px}.two{display:block}table{font-size:12px}th,td{padding:2px 5px}.figure{min-width:0;flex:1 1 40%}}
@media print{body{max-width:none;padding:0;font-size:11px}.scroll{max-height:none;overflow:visible;border:0}.wide{overflow:visible}th{position:static}
h2{break-after:avoid}tr,.figure,svg{break-inside:avoid}.two{display:block}a{color:inherit}}
`;

function renderRows(header: Array<[string, boolean]>, rows: Array<Array<string | number>>): string {
  const head = header.map(([label, numeric]) => `<th${numeric ? ' class="n"' : ''}>${e(label)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${row.map((cell, index) => `<td${header[index]?.[1] ? ' class="n"' : ''}>${e(cell)}</td>`).join('')}</tr>`)
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** A table in its scroll box, or a sentence when there is nothing to list (an empty table says nothing). */
function renderTableOr(emptyNote: string, header: Array<[string, boolean]>, rows: Array<Array<string | number>>, box = 'scroll'): string {
  return rows.length === 0 ? `<p class="note">${e(emptyNote)}</p>` : `<div class="${box}">${renderRows(header, rows)}</div>`;
}

function renderHistogram(summary: ReportSummary): string {
  const { buckets, interval } = summary.histogram;
  if (buckets.length === 0) return '<p class="note">No events.</p>';
  const busiest = Math.max(...buckets.map((bucket) => bucket.events));
  const key = `<span class="key" style="background:${EVENTS_COLOUR}"></span>events<span class="key" style="background:${BLOCKS_COLOUR}"></span>blocks`;
  return `<p class="meta">Events per ${e(interval)}, UTC (busiest: ${formatCount(busiest)}):${key}</p>${renderHistogramSvg(summary.histogram)}`;
}

function renderFigures(summary: ReportSummary): string {
  const figures: Array<[string, string, string?]> = [
    ['Events', formatCount(summary.records.matched)],
    ['Unique IPs', `${summary.unique_ips.exact ? '' : '≥'}${formatCount(summary.unique_ips.value)}`],
    ['Countries', formatCount(summary.countries.total)],
    // The same count as the decision table's "block" row: adds the policy blocked (deletes are not blocks).
    ['Blocks', formatCount(summary.blocks), 'adds the policy blocked'],
    ['Agents', formatCount(summary.agents.rows.filter((row) => row.name !== null).length === 0 ? 0 : summary.agents.total)],
    ['Failures', formatCount(summary.failures.events)],
    ['Malformed lines', formatCount(summary.records.malformed)],
  ];
  const cells = figures.map(([label, value, hint]) => `<div class="figure"><b>${e(value)}</b>${e(label)}${hint ? `<small>${e(hint)}</small>` : ''}</div>`);
  return `<div class="figures">${cells.join('')}</div>`;
}

function renderAgents(summary: ReportSummary, cut: <T>(rows: T[]) => T[]): string {
  const { agents } = summary;
  const heading = `<h2>Agents (${formatCount(cut(agents.rows).length)} of ${formatCount(agents.total)})</h2>`;
  if (!agents.rows.some((row) => row.name !== null)) return `${heading}<p class="note">No record names an agent (OSSEC server-local alerts carry none).</p>`;
  return `${heading}${renderTableOr(
    '',
    [['Agent', false], ['Events', true], ['Share', true], ['Unique IPs', true], ['Blocks', true]],
    cut(agents.rows).map((row) => [row.name ?? '(none recorded)', formatCount(row.events), formatShare(row.share), formatCount(row.unique_ips), formatCount(row.blocks)]),
  )}<p class="note">One agent only: <code>geo-response report --agent NAME</code>.</p>`;
}

/** The report as one self-contained HTML page: inline CSS and SVG, no script, nothing fetched when opened. */
export function renderHtml(summary: ReportSummary, top: number): string {
  const cut = <T>(rows: T[]): T[] => (top > 0 ? rows.slice(0, top) : rows);
  const { first, last } = summary.time_span;
  const span = first !== null && last !== null ? `${formatMinute(first)} – ${formatMinute(last)} UTC (${formatDuration(Date.parse(last) - Date.parse(first))})` : 'no events';
  const sources = summary.sources
    .map((source) => `<li><code>${e(source.path)}</code> — ${e(formatBytes(source.bytes))}${source.gzip ? ', gzip' : ''}, ${formatCount(source.records)} records, ${formatCount(source.malformed)} malformed</li>`)
    .join('');
  const countries = renderTableOr(
    'No record has a source address.',
    [['Country', false], ['Code', false], ['Events', true], ['Share', true], ['Unique IPs', true], ['Blocks', true]],
    summary.countries.rows.map((row) => [row.name, row.iso_code ?? '—', formatCount(row.events), formatShare(row.share), formatCount(row.unique_ips), formatCount(row.blocks)]),
  );
  const networks = hasAsnData(summary)
    ? `<h2>Networks (top ${formatCount(cut(summary.asns.rows).length)} of ${formatCount(summary.asns.total)})</h2>${renderTableOr(
        '',
        [['ASN', false], ['Organisation', false], ['Events', true], ['Share', true], ['Unique IPs', true], ['Blocks', true]],
        cut(summary.asns.rows).map((row) => [row.number === null ? '—' : `AS${row.number}`, row.organization ?? '', formatCount(row.events), formatShare(row.share), formatCount(row.unique_ips), formatCount(row.blocks)]),
      )}`
    : `<h2>Networks</h2><p class="note">${e(NO_ASN_DATA)}</p>`;
  const ips = renderTableOr(
    'No public address in these records.',
    [['IP', false], ['Events', true], ['Country', false], ['ASN', false], ['Organisation', false], ['First seen (UTC)', false], ['Last seen (UTC)', false], ['Blocked', false]],
    cut(summary.top_ips.rows).map((row) => [
      row.ip,
      summary.top_ips.exact ? formatCount(row.events) : `${formatCount(row.events)} (±${formatCount(row.error)})`,
      row.country ?? '—',
      row.asn === null ? '—' : `AS${row.asn}`,
      row.organization ?? '',
      formatMinute(row.first_seen),
      formatMinute(row.last_seen),
      row.blocked ? 'yes' : 'no',
    ]),
  );
  const special = describeSpecialAddresses(summary);
  const decisions = renderTableOr(
    'No add reached the policy.',
    [['Decision', false], ['Reason', false], ['Events', true]],
    summary.decisions.flatMap((decision) => [
      [decision.action, 'all', formatCount(decision.events)],
      ...cut(decision.reasons).map((reason) => ['', reason.reason, formatCount(reason.events)]),
    ]),
    'wide',
  );
  const failures = renderTableOr(
    'No failures.',
    [['Error code', false], ['Events', true]],
    summary.failures.by_code.map((failure) => [failure.code, formatCount(failure.events)]),
    'wide',
  );
  const approximate = summary.top_ips.exact ? '' : `<p class="note">More than ${formatCount(summary.top_ips.capacity)} distinct IPs: counts are Space-Saving estimates, each at most its ± error too high.</p>`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>geo-response report</title><style>${STYLE}</style></head>
<body>
<h1>geo-response report</h1>
<p class="meta">${e(span)} · generated ${e(formatMinute(summary.generated_at))} UTC · filters: ${e(describeFilters(summary.filters))}</p>
${renderFigures(summary)}
<h2>Events by country</h2>
${renderWorldMap(summary.countries.rows, { width: MAP_WIDTH, height: MAP_HEIGHT, labelCount: MAP_LABELS })}
<h2>Over time</h2>
${renderHistogram(summary)}
<h2>Countries (${formatCount(summary.countries.rows.length)})</h2>
${countries}
${networks}
${renderAgents(summary, cut)}
<h2>Top IPs</h2>
${special ? `<p class="note">${e(special)}</p>` : ''}${approximate}${ips}
<div class="two"><div><h2>Decisions</h2>${decisions}</div><div><h2>Failures (${formatCount(summary.failures.events)})</h2>${failures}</div></div>
<h2>Sources</h2>
<ul>${sources}</ul>
</body></html>
`;
}
