import type { GeoResponseError } from '../errors.js';
import { commandUsageError, parseCommandArgs } from '../cli/parse-command-args.js';
import type { Action, Decision } from '../log/record.js';
import { parseTimeBound } from './parse-time.js';
import { describeUnassignedCode, isAssignedCountryCode } from '../policy/country-code.js';
import type { ReportFilters } from './report-filters.js';

export const REPORT_FORMATS = ['table', 'json', 'csv', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
export const CSV_TABLES = ['summary', 'countries', 'asns', 'agents', 'ips', 'special', 'decisions', 'failures', 'histogram', 'sources'] as const;
export type CsvTable = (typeof CSV_TABLES)[number];

const DEFAULT_TOP = 10;
const MAX_TOP = 100_000;

/** `geo-response report` options after validation. */
export interface ReportOptions {
  files: string[];
  filters: ReportFilters;
  /** Undefined: table on a terminal, JSON otherwise. */
  format?: ReportFormat;
  table: CsvTable;
  output?: string;
  /** Rows per ranked list; 0 means every row kept. */
  top: number;
  /** The logins view (per user, countries and findings) instead of the attack summary. */
  logins: boolean;
  help: boolean;
}

export const REPORT_USAGE = `Usage: geo-response report [options] [FILE...]

Summarise the geo log (default: <home>/logs/geo-response.log and its rotated
siblings .1, .2.gz, ...; gzip is detected by content).

Filters (repeatable, or comma-separated):
  --since WHEN        records at or after WHEN: 30m, 24h, 7d, 2w or an ISO date
  --until WHEN        records before WHEN
  --country CC        ISO 3166-1 alpha-2 code, e.g. RU
  --asn N             autonomous system number, e.g. 4134 or AS4134
  --decision D        block | allow | log
  --rule ID           rule id
  --action A          add | delete
  --agent NAME        OSSEC/Wazuh agent name, e.g. web1 (as recorded in observer.name)
View:
  --logins            successful logins: per user, countries and counts, and the
                      new-country and impossible-travel findings over time
                      (table or json; see docs/logins.md)
Output:
  --format F          table | json | csv | html (default: table on a terminal, else json)
  --table T           csv table: ${CSV_TABLES.join(' | ')} (default countries)
  --top N             rows per ranked list (default ${DEFAULT_TOP}; 0 = all)
  --output FILE       write to FILE instead of stdout
  -h, --help          this text
Exit codes: 0 ok, 2 usage error, 3 input error (missing, unreadable or binary file).
`;

function usageError(message: string): GeoResponseError {
  return commandUsageError('report', message, { code: 'REPORT_USAGE' });
}

function splitValues(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value !== '');
}

function pickOne<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw usageError(`${flag} ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
  return value as T;
}

function pickEach<T extends string>(flag: string, values: string[] | undefined, allowed: readonly T[]): T[] {
  return splitValues(values).map((value) => pickOne(flag, value.toLowerCase(), allowed) as T);
}

function parseAsn(value: string): number {
  const match = /^(?:AS)?(\d{1,10})$/i.exec(value);
  if (!match) throw usageError(`--asn ${JSON.stringify(value)} is not an AS number (4134 or AS4134)`);
  return Number(match[1]);
}

// A code that names no country would match nothing, silently: refuse it as the configuration does.
function parseCountry(value: string): string {
  if (!/^[A-Za-z]{2}$/.test(value)) throw usageError(`--country ${JSON.stringify(value)} is not an ISO 3166-1 alpha-2 code (RU, CN, US)`);
  const code = value.toUpperCase();
  if (!isAssignedCountryCode(code)) throw usageError(`--country ${describeUnassignedCode(code)}`);
  return code;
}

function parseTop(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TOP;
  if (!/^\d+$/.test(value) || Number(value) > MAX_TOP) throw usageError(`--top ${JSON.stringify(value)} is not a whole number from 0 to ${MAX_TOP}`);
  return Number(value);
}

/** Parse `geo-response report` arguments; throws a usage GeoResponseError on anything unknown or invalid. */
export function parseReportArgs(args: string[], now: Date): ReportOptions {
  const { values, positionals } = parseCommandArgs(
    'report',
    args,
    {
      since: { type: 'string' },
      until: { type: 'string' },
      country: { type: 'string', multiple: true },
      asn: { type: 'string', multiple: true },
      decision: { type: 'string', multiple: true },
      rule: { type: 'string', multiple: true },
      action: { type: 'string', multiple: true },
      agent: { type: 'string', multiple: true },
      format: { type: 'string' },
      table: { type: 'string' },
      top: { type: 'string' },
      output: { type: 'string', short: 'o' },
      logins: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    'REPORT_USAGE',
  );
  const filters: ReportFilters = {
    countries: splitValues(values.country).map(parseCountry),
    asns: splitValues(values.asn).map(parseAsn),
    decisions: pickEach<Decision>('--decision', values.decision, ['block', 'allow', 'log']),
    rules: splitValues(values.rule),
    actions: pickEach<Action>('--action', values.action, ['add', 'delete']),
    agents: splitValues(values.agent),
  };
  if (values.since !== undefined) filters.since = parseTimeBound('--since', values.since, now);
  if (values.until !== undefined) filters.until = parseTimeBound('--until', values.until, now);
  const options: ReportOptions = {
    files: positionals,
    filters,
    table: pickOne('--table', values.table, CSV_TABLES) ?? 'countries',
    top: parseTop(values.top),
    logins: values.logins === true,
    help: values.help === true,
  };
  const format = pickOne('--format', values.format, REPORT_FORMATS);
  if (format !== undefined) options.format = format;
  if (values.output !== undefined) options.output = values.output;
  if (values.table !== undefined && format !== 'csv') throw usageError('--table only applies to --format csv');
  if (options.logins && (format === 'csv' || format === 'html')) throw usageError(`--logins gives --format table or json, not ${format}`);
  return options;
}
