import type { ReportSummary } from './report-summary.js';

/** The report as the documented JSON document (`schema: 1`), pretty-printed, one trailing newline. */
export function renderJson(summary: ReportSummary): string {
  return `${JSON.stringify(summary, null, 2)}\n`;
}
