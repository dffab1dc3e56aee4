import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exitCodeFor } from '../cli/exit-codes.js';
import { GeoResponseError, toGeoResponseError, toOneLine } from '../errors.js';
import { collectSummary } from './collect-summary.js';
import { findDefaultLogFiles } from './find-log-files.js';
import { parseReportArgs, REPORT_USAGE, type ReportFormat, type ReportOptions } from './parse-report-args.js';
import type { ReportSummary } from './report-summary.js';
import { renderCsv } from './render-csv.js';
import { renderHtml } from './render-html.js';
import { renderJson } from './render-json.js';
import { renderTable } from './render-table.js';
import { LoginAccumulator } from './login-summary.js';
import { renderLoginsJson, renderLoginsTable } from './render-logins.js';

/** What `report` needs from the process; the CLI builds it, tests fake it. */
export interface ReportIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stderrIsTTY: boolean;
  stdoutIsTTY: boolean;
  now: Date;
  /** The OSSEC/Wazuh install directory; the default log is `<home>/logs/geo-response.log`. */
  home: string;
}

const FORMAT_BY_EXTENSION: Record<string, ReportFormat> = { '.html': 'html', '.htm': 'html', '.csv': 'csv', '.json': 'json', '.txt': 'table' };

/** The format asked for, else guessed from `--output`'s extension, else table on a terminal and JSON for pipes and files. */
function chooseFormat(options: ReportOptions, stdoutIsTTY: boolean): ReportFormat {
  if (options.format !== undefined) return options.format;
  if (options.output !== undefined) return FORMAT_BY_EXTENSION[path.extname(options.output).toLowerCase()] ?? 'json';
  return stdoutIsTTY ? 'table' : 'json';
}

function renderReport(summary: ReportSummary, format: ReportFormat, options: ReportOptions): string {
  switch (format) {
    case 'table':
      return renderTable(summary, options.top);
    case 'json':
      return renderJson(summary);
    case 'csv':
      return renderCsv(summary, options.table, options.top);
    case 'html':
      return renderHtml(summary, options.top);
  }
}

// Formats other than table and json are refused for --logins when the arguments are parsed; a
// format guessed from --output (.csv, .html) falls back to json.
function renderLogins(logins: LoginAccumulator, format: ReportFormat, top: number): string {
  const summary = logins.finish(top);
  return format === 'table' ? renderLoginsTable(summary) : renderLoginsJson(summary);
}

function writeText(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => (error ? reject(error) : resolve()));
  });
}

async function runReportOrThrow(args: string[], io: ReportIo): Promise<void> {
  const options = parseReportArgs(args, io.now);
  if (options.help) {
    await writeText(io.stdout, REPORT_USAGE);
    return;
  }
  const format = chooseFormat(options, io.stdoutIsTTY);
  if (format === 'html' && options.output === undefined && io.stdoutIsTTY) {
    throw new GeoResponseError('report: HTML is not for a terminal; add --output report.html (or redirect stdout)', {
      code: 'REPORT_USAGE',
      kind: 'usage',
    });
  }
  const files = options.files.length > 0 ? options.files : await findDefaultLogFiles(io.home);
  const logins = options.logins ? new LoginAccumulator() : undefined;
  const summary = await collectSummary({
    files,
    filters: options.filters,
    now: io.now,
    top: options.top,
    ...(io.stderrIsTTY ? { progressStream: io.stderr } : {}),
    ...(logins ? { onEvent: (event) => logins.add(event) } : {}),
  });
  const text = logins ? renderLogins(logins, format, options.top) : renderReport(summary, format, options);
  if (options.output === undefined) {
    await writeText(io.stdout, text);
    return;
  }
  try {
    await writeFile(options.output, text);
  } catch (error) {
    throw new GeoResponseError(`cannot write ${options.output}: ${(error as Error).message}`, { code: 'REPORT_OUTPUT_FAILED', kind: 'input', cause: error });
  }
}

/** Run `geo-response report <args>`; returns the exit code (0 ok, 2 usage error, 3 input error). */
export async function runReport(args: string[], io: ReportIo): Promise<number> {
  try {
    await runReportOrThrow(args, io);
    return 0;
  } catch (thrown) {
    const error = toGeoResponseError(thrown);
    io.stderr.write(`geo-response: ${toOneLine(error.message)}\n`);
    return exitCodeFor(error.kind);
  }
}
