import { escapeHtml as e } from './escape-html.js';
import type { ReportSummary } from './report-summary.js';
import { renderWorldMap } from './render-map.js';
import { describeFilters, formatBytes, formatCount, formatDuration, formatMinute, formatShare } from './text-format.js';

const MAP_WIDTH = 960;
const MAP_HEIGHT = 480;
const MAP_LABELS = 8;
const HISTOGRAM_HEIGHT = 140;

// No script, no external resource: the CSP makes that a property of the page, so even a missed escape could not run code or call home.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1000px;padding:16px 20px;color:#0f172a;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px;border-bottom:1px solid #e2e8f0;padding-bottom:4px}
.meta{color:#475569;margin:0}.figures{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}
.figure{border:1px solid #e2e8f0;border-radius:6px;padding:8px 12px;min-width:110px}.figure b{display:block;font-size:20px}
.world-map{width:100%;height:auto;display:block}.world-map .label{font-size:11px;font-weight:600;fill:#0f172a;paint-order:stroke;stroke:#fff;stroke-width:3px}
.legend text{font-size:11px;fill:#334155}.note{color:#64748b;font-size:12px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{padding:3px 8px;border-bottom:1px solid #f1f5f9;text-align:left;vertical-align:top}
th{background:#f8fafc;position:sticky;top:0}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.scroll{max-height:420px;overflow:auto;border:1px solid #e2e8f0}.two{display:grid;grid-template-columns:1fr 1fr;gap:16px}
.histogram{width:100%;height:auto;display:block}code{font-size:12px;word-break:break-all}
`;

function renderRows(header: Array<[string, boolean]>, rows: Array<Array<string | number>>): string {
  const head = header.map(([label, numeric]) => `<th${numeric ? ' class="n"' : ''}>${e(label)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${row.map((cell, index) => `<td${header[index]?.[1] ? ' class="n"' : ''}>${e(cell)}</td>`).join('')}</tr>`)
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function renderHistogram(summary: ReportSummary): string {
  const { buckets, interval } = summary.histogram;
  if (buckets.length === 0) return '<p class="note">No events.</p>';
  const max = Math.max(1, ...buckets.map((bucket) => bucket.events));
  const width = MAP_WIDTH / buckets.length;
  const bars = buckets
    .map((bucket, index) => {
      const x = (index * width).toFixed(2);
      const barWidth = Math.max(0.5, width - (width > 3 ? 1 : 0)).toFixed(2);
      const height = (bucket.events / max) * (HISTOGRAM_HEIGHT - 20);
      const blocked = (bucket.blocks / max) * (HISTOGRAM_HEIGHT - 20);
      const title = `<title>${e(formatMinute(bucket.start))} UTC: ${formatCount(bucket.events)} events, ${formatCount(bucket.blocks)} blocks</title>`;
      return `<g>${title}<rect x="${x}" y="${(HISTOGRAM_HEIGHT - 20 - height).toFixed(1)}" width="${barWidth}" height="${height.toFixed(1)}" fill="#fd8d3c"/><rect x="${x}" y="${(HISTOGRAM_HEIGHT - 20 - blocked).toFixed(1)}" width="${barWidth}" height="${blocked.toFixed(1)}" fill="#bd0026"/></g>`;
    })
    .join('');
  const first = buckets[0]?.start ?? '';
  const last = buckets[buckets.length - 1]?.start ?? '';
  const axis = `<text x="0" y="${HISTOGRAM_HEIGHT - 4}" font-size="11">${e(formatMinute(first))}</text><text x="${MAP_WIDTH}" y="${HISTOGRAM_HEIGHT - 4}" font-size="11" text-anchor="end">${e(formatMinute(last))} UTC</text>`;
  return `<p class="meta">Events per ${e(interval)} (busiest: ${formatCount(max)}); dark red: blocks.</p><svg class="histogram" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${MAP_WIDTH} ${HISTOGRAM_HEIGHT}">${bars}${axis}</svg>`;
}

function renderFigures(summary: ReportSummary): string {
  const figures: Array<[string, string]> = [
    ['Events', formatCount(summary.records.matched)],
    ['Unique IPs', `${summary.unique_ips.exact ? '' : '≥'}${formatCount(summary.unique_ips.value)}`],
    ['Countries', formatCount(summary.countries.total)],
    ['Blocks', formatCount(summary.blocks)],
    ['Failures', formatCount(summary.failures.events)],
    ['Malformed lines', formatCount(summary.records.malformed)],
  ];
  return `<div class="figures">${figures.map(([label, value]) => `<div class="figure"><b>${e(value)}</b>${e(label)}</div>`).join('')}</div>`;
}

/** The report as one self-contained HTML page: inline CSS and SVG, no script, nothing fetched when opened. */
export function renderHtml(summary: ReportSummary, top: number): string {
  const cut = <T>(rows: T[]): T[] => (top > 0 ? rows.slice(0, top) : rows);
  const { first, last } = summary.time_span;
  const span = first !== null && last !== null ? `${formatMinute(first)} – ${formatMinute(last)} UTC (${formatDuration(Date.parse(last) - Date.parse(first))})` : 'no events';
  const sources = summary.sources
    .map((source) => `<li><code>${e(source.path)}</code> — ${e(formatBytes(source.bytes))}${source.gzip ? ', gzip' : ''}, ${formatCount(source.records)} records, ${formatCount(source.malformed)} malformed</li>`)
    .join('');
  const countries = renderRows(
    [['Country', false], ['Code', false], ['Events', true], ['Share', true], ['Unique IPs', true], ['Blocks', true]],
    summary.countries.rows.map((row) => [row.name, row.iso_code ?? '—', formatCount(row.events), formatShare(row.share), formatCount(row.unique_ips), formatCount(row.blocks)]),
  );
  const asns = renderRows(
    [['ASN', false], ['Organisation', false], ['Events', true], ['Share', true], ['Unique IPs', true], ['Blocks', true]],
    cut(summary.asns.rows).map((row) => [row.number === null ? '—' : `AS${row.number}`, row.organization ?? '', formatCount(row.events), formatShare(row.share), formatCount(row.unique_ips), formatCount(row.blocks)]),
  );
  const ips = renderRows(
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
  const decisions = renderRows(
    [['Decision', false], ['Reason', false], ['Events', true]],
    summary.decisions.flatMap((decision) => [
      [decision.action, 'all', formatCount(decision.events)],
      ...cut(decision.reasons).map((reason) => ['', reason.reason, formatCount(reason.events)]),
    ]),
  );
  const failures = renderRows(
    [['Error code', false], ['Events', true]],
    summary.failures.by_code.map((failure) => [failure.code, formatCount(failure.events)]),
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
<div class="scroll">${countries}</div>
<h2>Networks (top ${formatCount(cut(summary.asns.rows).length)} of ${formatCount(summary.asns.total)})</h2>
<div class="scroll">${asns}</div>
<h2>Top IPs</h2>
${approximate}<div class="scroll">${ips}</div>
<div class="two"><div><h2>Decisions</h2>${decisions}</div><div><h2>Failures (${formatCount(summary.failures.events)})</h2>${failures}</div></div>
<h2>Sources</h2>
<ul>${sources}</ul>
</body></html>
`;
}
