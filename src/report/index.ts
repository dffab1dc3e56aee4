export { runReport, type ReportIo } from './run-report.js';
export type { ReportSummary } from './report-summary.js';
