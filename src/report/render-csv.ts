import type { CsvTable } from './parse-report-args.js';
import type { ReportSummary } from './report-summary.js';

type Cell = string | number | boolean | null;

// A text cell starting with one of these is read as a formula by spreadsheets (CSV injection); log text is attacker-influenced.
const FORMULA_START = /^[=+\-@\t\r]/;

// Control bytes other than line breaks and tabs (ESC, BEL…): a record's text is attacker-influenced,
// and a terminal that shows the CSV would obey them. Written as visible \xNN escapes instead.
const CONTROL_BYTES = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/g;

/** One CSV field per RFC 4180: quoted when it holds a comma, quote or line break; quotes doubled; control bytes escaped. */
export function formatCsvField(cell: Cell, fromLog = false): string {
  if (cell === null) return '';
  let text = String(cell).replace(CONTROL_BYTES, (byte) => `\\x${byte.charCodeAt(0).toString(16).padStart(2, '0')}`);
  if (fromLog && typeof cell === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

interface CsvSheet {
  header: string[];
  rows: Cell[][];
  /** Columns holding log text, which get the formula guard. */
  logText: Set<number>;
}

function buildSheet(summary: ReportSummary, table: CsvTable, top: number): CsvSheet {
  const cut = <T>(rows: T[]): T[] => (top > 0 ? rows.slice(0, top) : rows);
  switch (table) {
    case 'summary':
      return {
        header: ['figure', 'value'],
        rows: [
          ['records_read', summary.records.read],
          ['records_matched', summary.records.matched],
          ['malformed_lines', summary.records.malformed],
          ['oversized_lines', summary.records.oversized],
          ['first', summary.time_span.first],
          ['last', summary.time_span.last],
          ['unique_ips', summary.unique_ips.value],
          ['unique_ips_exact', summary.unique_ips.exact],
          ['blocks', summary.blocks],
          ['failures', summary.failures.events],
          ['add', summary.actions.add],
          ['delete', summary.actions.delete],
        ],
        logText: new Set(),
      };
    case 'countries':
      return {
        header: ['iso_code', 'name', 'events', 'unique_ips', 'blocks', 'share'],
        rows: summary.countries.rows.map((row) => [row.iso_code, row.name, row.events, row.unique_ips, row.blocks, row.share]),
        logText: new Set([1]),
      };
    case 'asns':
      return {
        header: ['asn', 'organization', 'events', 'unique_ips', 'blocks', 'share'],
        rows: cut(summary.asns.rows).map((row) => [row.number, row.organization, row.events, row.unique_ips, row.blocks, row.share]),
        logText: new Set([1]),
      };
    case 'agents':
      return {
        header: ['agent', 'events', 'unique_ips', 'blocks', 'share'],
        rows: cut(summary.agents.rows).map((row) => [row.name, row.events, row.unique_ips, row.blocks, row.share]),
        logText: new Set([0]),
      };
    case 'special':
      return {
        header: ['address_class', 'events', 'unique_ips'],
        rows: summary.top_ips.special.map((row) => [row.address_class, row.events, row.unique_ips]),
        logText: new Set([0]),
      };
    case 'ips':
      return {
        header: ['ip', 'events', 'error', 'country', 'asn', 'organization', 'first_seen', 'last_seen', 'blocked'],
        rows: cut(summary.top_ips.rows).map((row) => [row.ip, row.events, row.error, row.country, row.asn, row.organization, row.first_seen, row.last_seen, row.blocked]),
        logText: new Set([0, 3, 5]),
      };
    case 'decisions':
      return {
        header: ['decision', 'reason', 'events'],
        rows: summary.decisions.flatMap((decision) => decision.reasons.map((reason): Cell[] => [decision.action, reason.reason, reason.events])),
        logText: new Set([1]),
      };
    case 'failures':
      return {
        header: ['error_code', 'events'],
        rows: summary.failures.by_code.map((failure) => [failure.code, failure.events]),
        logText: new Set([0]),
      };
    case 'histogram':
      return {
        header: ['start', 'events', 'blocks'],
        rows: summary.histogram.buckets.map((bucket) => [bucket.start, bucket.events, bucket.blocks]),
        logText: new Set(),
      };
    case 'sources':
      return {
        header: ['path', 'bytes', 'gzip', 'records', 'malformed'],
        rows: summary.sources.map((source) => [source.path, source.bytes, source.gzip, source.records, source.malformed]),
        logText: new Set(),
      };
  }
}

/** One table of the report as CSV (RFC 4180: CRLF line ends, header row first). */
export function renderCsv(summary: ReportSummary, table: CsvTable, top: number): string {
  const sheet = buildSheet(summary, table, top);
  const lines = [sheet.header.join(',')];
  for (const row of sheet.rows) lines.push(row.map((cell, index) => formatCsvField(cell, sheet.logText.has(index))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
